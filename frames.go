package lkbrowser

import (
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/xcap"
)

// Frame is one picture of a page: the whole page image in BGRA byte order,
// like CEF's OnPaint buffer, plus the rectangles that changed since the
// previous frame delivered on the same channel.
//
// Ownership: a Frame and its Pix belong to the receiver until it calls
// Release, which returns the buffer to the page's pool. Pix is shared memory
// that lkbrowser reuses after Release, so do not touch a frame after
// releasing it. Unreleased frames stay valid after the page is closed; a
// page whose frames are all held skips capture until one is released.
//
// Several readers share one buffer (see Page.SubscribeFrames): each
// delivery (to a subscription or from Snapshot) is a fresh *Frame of the
// reader's own, with its own Dirty, Dropped and Release. Release is safe
// from any goroutine, and a second Release of the same *Frame is a no-op,
// also after its buffer was lent to other readers. Pix is shared by all
// readers: treat it as read-only.
type Frame struct {
	// Pix holds Height rows of Stride bytes; each pixel is B, G, R, X. The
	// fourth byte comes from the X server and is not an alpha value: treat
	// every pixel as opaque.
	Pix []byte
	// Width and Height are the size of the frame in pixels.
	Width, Height int
	// Stride is the number of bytes from one row to the next.
	Stride int
	// Dirty lists the rectangles that changed since the previous frame
	// this reader received (union of damage, including the frames it
	// dropped in between). A frame from Snapshot covers the whole page.
	Dirty []image.Rectangle
	// Timestamp is when the pixels were captured (monotonic clock).
	Timestamp time.Time
	// PTS is Timestamp relative to the engine's epoch (Engine.Epoch); audio
	// uses the same clock.
	PTS time.Duration
	// Seq numbers the frames a page captured, starting at 1. Gaps mean
	// frames this reader dropped because it was slow, or captured before
	// it subscribed.
	Seq uint64
	// Dropped is how many frames this reader dropped just before this one
	// because it did not take them in time (the newest frame wins).
	Dropped uint64

	lease *frameLease
}

// Bounds returns the frame's rectangle, (0,0)-(Width,Height).
func (f *Frame) Bounds() image.Rectangle { return image.Rect(0, 0, f.Width, f.Height) }

// BGRA returns the blue, green and red components of the pixel at x, y.
func (f *Frame) BGRA(x, y int) (b, g, r uint8) {
	i := y*f.Stride + x*4
	return f.Pix[i], f.Pix[i+1], f.Pix[i+2]
}

// ToRGBA copies the frame into a new opaque *image.RGBA, e.g. to encode a PNG.
// It allocates; it is meant for screenshots, not for the frame path.
func (f *Frame) ToRGBA() *image.RGBA {
	img := image.NewRGBA(f.Bounds())
	for y := 0; y < f.Height; y++ {
		src := f.Pix[y*f.Stride : y*f.Stride+f.Width*4]
		dst := img.Pix[y*img.Stride : y*img.Stride+f.Width*4]
		for i := 0; i < len(src); i += 4 {
			dst[i], dst[i+1], dst[i+2], dst[i+3] = src[i+2], src[i+1], src[i], 0xff
		}
	}
	return img
}

// Release gives the frame's buffer back to the page. Call it exactly once
// for every frame received; the frame must not be used afterwards. A
// second Release of the same frame (or of a copy of it) does nothing: each
// delivery is its own lease on the shared buffer, and the buffer goes back
// to the pool when the last reader released its lease.
func (f *Frame) Release() {
	if l := f.lease; l != nil && l.released.CompareAndSwap(false, true) {
		l.buf.unref()
	}
}

// frameLease is one delivery of a buffer to one reader: the reader's
// *Frame, its own dirty rectangles, and whether it was released. It is the
// one allocation per frame and reader (the pixels stay pooled and shared):
// a reused handle could not tell a stale holder's second Release from the
// new holder's.
type frameLease struct {
	f        Frame
	buf      *frameBuffer
	released atomic.Bool
	rects    [maxDirtyRects]image.Rectangle
}

// maxDirtyRects bounds the rectangles carried by a frame; more are merged
// into their bounding box.
const maxDirtyRects = 16

// frameBuffer is one pooled shared-memory image. The capture goroutine fills
// frame, a template; lend copies it into a fresh lease for each reader.
type frameBuffer struct {
	pool  *framePool
	shm   *xcap.Buffer
	frame Frame
	rects [maxDirtyRects]image.Rectangle
	// refs counts the leases not yet released, plus one while the capture
	// goroutine hands the buffer out; the last unref puts it back.
	refs atomic.Int32
	// transient buffers (made by Snapshot when the pool is empty) are freed
	// on Release instead of returning to the pool.
	transient bool
	// stale is the band of rows [staleY0, staleY1) that changed on screen
	// since this buffer was last filled; only the capture goroutine uses it.
	staleY0, staleY1 int
}

// lend makes one reader's lease of fb, carrying dirty as its rectangles.
// The caller holds a reference to fb.
func (fb *frameBuffer) lend(dirty []image.Rectangle) *Frame {
	l := &frameLease{buf: fb}
	l.f = fb.frame
	l.f.lease = l
	l.f.Dirty = append(l.rects[:0], dirty...)
	fb.refs.Add(1)
	return &l.f
}

// unref drops one reference; the last one gives fb back to its pool.
func (fb *frameBuffer) unref() {
	if fb.refs.Add(-1) == 0 {
		fb.pool.put(fb)
	}
}

// addDirty adds r to the frame's dirty rectangles (which live in its
// buffer's rects array), merging everything into one bounding box when the
// array is full.
func (f *Frame) addDirty(r image.Rectangle) {
	if r.Empty() {
		return
	}
	if len(f.Dirty) < maxDirtyRects {
		f.Dirty = append(f.Dirty, r)
		return
	}
	u := r
	for _, d := range f.Dirty {
		u = u.Union(d)
	}
	f.Dirty = append(f.Dirty[:0], u)
}

// framePool holds a page's frame buffers. Buffers released after the pool
// closed, and transient ones, go to the page's retirer, which frees them on
// the connection's owner goroutine.
type framePool struct {
	mu     sync.Mutex
	all    []*frameBuffer
	free   []*frameBuffer
	closed bool
	ret    *retirer
}

// newFramePool makes n buffers on conn for frames of w x h pixels (the
// display may be larger).
func newFramePool(conn *xcap.Conn, n, w, h int, ret *retirer) (*framePool, error) {
	p := &framePool{ret: ret}
	for i := 0; i < n; i++ {
		shm, err := conn.NewBuffer()
		if err != nil {
			p.close()
			return nil, err
		}
		fb := p.wrap(shm, w, h)
		fb.staleY0, fb.staleY1 = 0, h
		p.all = append(p.all, fb)
		p.free = append(p.free, fb)
	}
	return p, nil
}

// wrap makes a frame buffer of shm showing w x h pixels.
func (p *framePool) wrap(shm *xcap.Buffer, w, h int) *frameBuffer {
	fb := &frameBuffer{pool: p, shm: shm}
	fb.frame = Frame{Pix: shm.Pix()[:(h-1)*shm.Stride()+w*4], Width: w, Height: h, Stride: shm.Stride(), Dirty: fb.rects[:0]}
	return fb
}

// get takes a free buffer for the capture goroutine, or returns nil when
// every buffer is held.
func (p *framePool) get() *frameBuffer {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.free) == 0 {
		return nil
	}
	fb := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return fb
}

// put takes fb back (from any goroutine). It never touches the X
// connection: a buffer that is not kept goes to the retirer.
func (p *framePool) put(fb *frameBuffer) {
	p.mu.Lock()
	if p.closed || fb.transient {
		p.mu.Unlock()
		p.ret.retire(fb.shm)
		return
	}
	p.free = append(p.free, fb)
	p.mu.Unlock()
	p.ret.wake()
}

// markStale records that rows [y0, y1) changed on screen, for every buffer.
func (p *framePool) markStale(y0, y1 int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, fb := range p.all {
		if fb.staleY0 >= fb.staleY1 {
			fb.staleY0, fb.staleY1 = y0, y1
			continue
		}
		fb.staleY0, fb.staleY1 = min(fb.staleY0, y0), max(fb.staleY1, y1)
	}
}

// close frees the free buffers; held ones are retired on Release. Only the
// connection's owner may call it.
func (p *framePool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for _, fb := range p.free {
		_ = fb.shm.Free()
	}
	p.free = nil
}

package lkbrowser

import (
	"context"
	"errors"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/xcap"
)

// capturer turns a display's damage into frames. One goroutine (run) owns
// the X connection; other goroutines talk to it through channels and
// conn.Wake.
//
// Pacing: a frame is grabbed as soon as damage arrives, unless the previous
// one left less than a frame interval ago, in which case damage accumulates
// until the next slot. Slots follow a fixed grid so an animation gets exactly
// FrameRate frames per second, and nothing is grabbed while nothing changes.
type capturer struct {
	conn     *xcap.Conn
	pool     *framePool
	interval time.Duration
	epoch    time.Time
	onLost   func(error)
	// onCursor receives the hash of the cursor image whenever it changes;
	// it runs on the capture goroutine and must not block.
	onCursor   func(hash uint64)
	cursorPix  []uint32
	cursorHash uint64
	bounds     image.Rectangle // the page's part of the display

	readers   fanout[*Frame]
	snapReq   chan chan snapResult
	resizeReq chan resizeRequest
	quit      chan struct{}
	done      chan struct{}
	stopOnce  sync.Once
	captured  atomic.Uint64
	seq       uint64
	rects     []xcap.Rect                    // scratch for TakeDamage
	acc       [maxDirtyRects]image.Rectangle // damage since the last frame sent
	nacc      int
	damaged   bool      // damage reported and not yet taken
	nextSlot  time.Time // earliest time of the next frame
}

type resizeRequest struct {
	w, h  int
	reply chan error
}

type snapResult struct {
	f   *Frame
	err error
}

func newCapturer(conn *xcap.Conn, pool *framePool, fps int, epoch time.Time, onLost func(error), onCursor func(uint64)) *capturer {
	f := pool.all[0].frame
	return &capturer{
		conn: conn, pool: pool, bounds: f.Bounds(), interval: time.Second / time.Duration(fps), epoch: epoch,
		onLost: onLost, onCursor: onCursor,
		readers: fanout[*Frame]{size: frameQueueSize}, snapReq: make(chan chan snapResult, 8),
		resizeReq: make(chan resizeRequest, 1), quit: make(chan struct{}),
		done: make(chan struct{}), rects: make([]xcap.Rect, 0, 64),
	}
}

func (c *capturer) run() {
	defer close(c.done)
	// Whatever is on screen at start is new to the receiver.
	c.damaged = true
	c.addAcc(c.bounds)
	starved := false // every buffer is held; wait for a Release (it wakes us)
	for {
		timeout := time.Duration(-1)
		if c.pending() && !starved && c.hasReaders() {
			timeout = max(time.Until(c.nextSlot), 0)
		}
		ev, err := c.conn.Wait(timeout)
		if err != nil {
			select {
			case <-c.quit:
			default:
				c.onLost(err)
			}
			return
		}
		select {
		case <-c.quit:
			return
		default:
		}
		c.pool.ret.drain() // buffers receivers let go of (see retirer)
		for len(c.resizeReq) > 0 {
			req := <-c.resizeReq
			req.reply <- c.applyResize(req.w, req.h)
			starved = false
		}
		for len(c.snapReq) > 0 {
			reply := <-c.snapReq
			res := c.grabSnapshot()
			reply <- res
			if errors.Is(res.err, xcap.ErrConnectionLost) {
				c.onLost(res.err)
				return
			}
		}
		if ev&xcap.EventDamage != 0 {
			c.damaged = true
		}
		if ev&xcap.EventWake != 0 {
			starved = false
		}
		if ev&xcap.EventCursor != 0 {
			if err := c.readCursor(); err != nil {
				c.onLost(err)
				return
			}
		}
		if !c.pending() || starved || !c.hasReaders() {
			continue
		}
		now := time.Now()
		if now.Before(c.nextSlot) {
			continue
		}
		ok, err := c.grabFrame(now)
		if err != nil {
			c.onLost(err)
			return
		}
		if !ok {
			starved = true
			continue
		}
		c.nextSlot = c.nextSlot.Add(c.interval)
		if earliest := now.Add(c.interval / 2); c.nextSlot.Before(earliest) {
			c.nextSlot = earliest
		}
	}
}

// readCursor hashes the current cursor image and reports a change.
func (c *capturer) readCursor() error {
	img, pix, err := c.conn.CursorImage(c.cursorPix[:0])
	if err != nil {
		return err
	}
	c.cursorPix = pix
	h := cursorHash(img.Width, img.Height, img.XHot, img.YHot, pix)
	if h != c.cursorHash {
		c.cursorHash = h
		c.onCursor(h)
	}
	return nil
}

// hasReaders reports whether a frame would reach anyone: without readers
// damage waits in the X server (SubscribeFrames wakes the loop).
func (c *capturer) hasReaders() bool { return len(c.readers.list()) > 0 }

// pending reports whether there is damage not yet sent as a frame.
func (c *capturer) pending() bool { return c.damaged || c.nacc > 0 }

// takeDamage moves the display's pending damage into the pool's stale bands
// and the accumulated dirty rectangles.
func (c *capturer) takeDamage() error {
	rects, err := c.conn.TakeDamage(c.rects[:0])
	if err != nil {
		return err
	}
	c.damaged = false
	y0, y1 := c.bounds.Max.Y, 0
	for _, xr := range rects {
		r := image.Rect(int(xr.X), int(xr.Y), int(xr.X+xr.W), int(xr.Y+xr.H)).Intersect(c.bounds)
		if r.Empty() {
			continue
		}
		y0, y1 = min(y0, r.Min.Y), max(y1, r.Max.Y)
		c.addAcc(r)
	}
	if y0 < y1 {
		c.pool.markStale(y0, y1)
	}
	return nil
}

func (c *capturer) addAcc(r image.Rectangle) {
	if c.nacc < len(c.acc) {
		c.acc[c.nacc] = r
		c.nacc++
		return
	}
	for _, a := range c.acc {
		r = r.Union(a)
	}
	c.acc[0], c.nacc = r, 1
}

// refresh grabs the rows of fb that changed since it was last filled.
func (c *capturer) refresh(fb *frameBuffer) error {
	if fb.staleY0 < fb.staleY1 {
		if err := c.conn.Grab(fb.shm, fb.staleY0, fb.staleY1); err != nil {
			return err
		}
	}
	fb.staleY0, fb.staleY1 = 0, 0
	return nil
}

// grabFrame captures the accumulated damage into a free buffer and sends it.
// It returns false when no buffer is free.
func (c *capturer) grabFrame(now time.Time) (bool, error) {
	fb := c.pool.get()
	if fb == nil {
		return false, nil
	}
	if err := c.takeDamage(); err != nil {
		c.pool.put(fb)
		return false, err
	}
	if c.nacc == 0 {
		c.pool.put(fb) // the damage was already covered by a snapshot
		return true, nil
	}
	if err := c.refresh(fb); err != nil {
		c.pool.put(fb)
		return false, err
	}
	f := &fb.frame
	f.Dirty = append(fb.rects[:0], c.acc[:c.nacc]...)
	c.nacc = 0
	f.Timestamp = now
	f.PTS = now.Sub(c.epoch)
	c.seq++
	f.Seq = c.seq
	f.Dropped = 0
	c.captured.Add(1)
	c.deliver(fb)
	return true, nil
}

// deliver lends fb to every reader; each gets its own lease, and a reader
// whose frame waits untaken gets the newest instead (replaceFrame). The
// buffer goes back to the pool when the last lease is released.
func (c *capturer) deliver(fb *frameBuffer) {
	fb.refs.Store(1) // the capture goroutine's, until every reader has its lease
	for _, q := range c.readers.list() {
		if f := fb.lend(fb.frame.Dirty); !q.offer(f, replaceFrame) {
			f.Release() // the reader closed meanwhile
		}
	}
	fb.unref()
}

// grabSnapshot captures the whole display into a free or a new buffer.
func (c *capturer) grabSnapshot() snapResult {
	if err := c.takeDamage(); err != nil {
		return snapResult{err: err}
	}
	fb := c.pool.get()
	if fb == nil {
		shm, err := c.conn.NewBuffer()
		if err != nil {
			return snapResult{err: err}
		}
		fb = c.pool.wrap(shm, c.bounds.Dx(), c.bounds.Dy())
		fb.transient = true
	}
	now := time.Now()
	f := &fb.frame
	fb.staleY0, fb.staleY1 = 0, f.Height
	if err := c.refresh(fb); err != nil {
		c.pool.put(fb)
		return snapResult{err: err}
	}
	f.Dirty = append(fb.rects[:0], f.Bounds())
	f.Timestamp, f.PTS, f.Seq, f.Dropped = now, now.Sub(c.epoch), 0, 0
	fb.refs.Store(0)
	return snapResult{f: fb.lend(f.Dirty)}
}

// snapshot asks the capture goroutine for a full frame.
func (c *capturer) snapshot(ctx context.Context) (*Frame, error) {
	reply := make(chan snapResult, 1)
	select {
	case c.snapReq <- reply:
		c.conn.Wake()
	case <-c.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case res := <-reply:
		return res.f, res.err
	case <-c.done:
		return nil, ErrClosed
	case <-ctx.Done():
		go func() { // do not leak the frame the loop may still send
			select {
			case res := <-reply:
				if res.f != nil {
					res.f.Release()
				}
			case <-c.done:
			}
		}()
		return nil, ctx.Err()
	}
}

// applyResize switches to frames of w x h in a new pool. The old pool's
// buffers are freed now, or when their holders release them.
func (c *capturer) applyResize(w, h int) error {
	pool, err := newFramePool(c.conn, len(c.pool.all), w, h, c.pool.ret)
	if err != nil {
		return err
	}
	c.pool.close()
	c.pool = pool
	c.bounds = image.Rect(0, 0, w, h)
	// The whole new picture is news to the receiver.
	c.nacc = 0
	c.addAcc(c.bounds)
	c.nextSlot = time.Time{}
	return nil
}

// resize asks the capture goroutine to switch to frames of w x h.
func (c *capturer) resize(ctx context.Context, w, h int) error {
	req := resizeRequest{w, h, make(chan error, 1)}
	select {
	case c.resizeReq <- req:
		c.conn.Wake()
	case <-c.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.reply:
		return err
	case <-c.done:
		return ErrClosed
	}
}

// stop ends the capture goroutine, closes every reader (releasing the
// frames nobody took) and frees the pool (buffers still held are retired
// on release).
func (c *capturer) stop() {
	c.stopOnce.Do(func() {
		close(c.quit)
		c.conn.Wake()
		<-c.done
		c.readers.end(nil, (*Frame).Release)
		c.pool.close()
	})
}

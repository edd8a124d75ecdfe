//go:build linux && cgo

package xcap

/*
#cgo pkg-config: xcb xcb-shm xcb-damage xcb-xfixes
#cgo CFLAGS: -O2 -Wall -I${SRCDIR}/../xcbconn
#cgo noescape lkx_open
#cgo noescape lkx_size
#cgo noescape lkx_refresh_size
#cgo noescape lkx_wait
#cgo noescape lkx_take_damage
#cgo noescape lkx_buf_new
#cgo noescape lkx_buf_free
#cgo noescape lkx_grab
#cgo noescape lkx_cursor_image
#cgo nocallback lkx_open
#cgo nocallback lkx_close
#cgo nocallback lkx_size
#cgo nocallback lkx_fd
#cgo nocallback lkx_wake_fd
#cgo nocallback lkx_refresh_size
#cgo nocallback lkx_wait
#cgo nocallback lkx_take_damage
#cgo nocallback lkx_buf_new
#cgo nocallback lkx_buf_free
#cgo nocallback lkx_grab
#cgo nocallback lkx_cursor_image
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"math"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Compile-time checks that the Go and C definitions agree.
var (
	_ [unsafe.Sizeof(Rect{}) - C.sizeof_lkx_rect]byte
	_ [C.sizeof_lkx_rect - unsafe.Sizeof(Rect{})]byte
	_ [C.LKX_ERR_IO - CodeIO]byte
	_ [CodeIO - C.LKX_ERR_IO]byte
	_ [C.LKX_ERR_ARG - CodeArg]byte
	_ [CodeArg - C.LKX_ERR_ARG]byte
	_ [C.LKX_ERR_CONNECT - CodeConnect]byte
	_ [CodeConnect - C.LKX_ERR_CONNECT]byte
	_ [C.LKX_EV_DAMAGE - int(EventDamage)]byte
	_ [int(EventDamage) - C.LKX_EV_DAMAGE]byte
	_ [C.LKX_EV_CURSOR - int(EventCursor)]byte
	_ [int(EventCursor) - C.LKX_EV_CURSOR]byte
	_ [C.LKX_EV_WAKE - int(EventWake)]byte
	_ [int(EventWake) - C.LKX_EV_WAKE]byte
)

// Conn is one XCB connection to a display, watching root-window damage (and
// cursor changes).
//
// All methods must be called from one goroutine, except Wake, which is safe
// from any goroutine at any time (also during and after Close), and Close,
// which must be called after that goroutine stopped using the Conn.
type Conn struct {
	cc   *C.lkx_conn // nil after Close
	w, h int
	fd   int

	wmu sync.RWMutex // guards wfd against Close
	wfd int          // write end of the wake pipe; -1 after Close
}

func newError(op string, st, detail C.int) error {
	return &Error{Op: op, Code: int(st), Detail: int(detail)}
}

// Open connects to display (like ":5"; "" means $DISPLAY) with a 16-byte
// MIT-MAGIC-COOKIE-1 (nil means no authorization at all, not $XAUTHORITY).
// It checks for MIT-SHM, DAMAGE 1.1 and XFIXES 2, starts watching damage on
// the root window and cursor changes, and creates the wake pipe. The new
// damage object reports the whole root at once, so the first Wait returns
// EventDamage and the first TakeDamage yields a full frame.
func Open(display string, cookie []byte) (*Conn, error) {
	if len(cookie) > math.MaxUint16 {
		return nil, &Error{Op: "open", Code: CodeArg}
	}
	cs := C.CString(display)
	defer C.free(unsafe.Pointer(cs))
	var cp *C.uint8_t
	if len(cookie) > 0 {
		cp = (*C.uint8_t)(unsafe.Pointer(&cookie[0]))
	}
	var cc *C.lkx_conn
	var detail C.int
	if st := C.lkx_open(cs, cp, C.int(len(cookie)), &cc, &detail); st != C.LKX_OK {
		return nil, newError("open", st, detail)
	}
	c := &Conn{cc: cc, fd: int(C.lkx_fd(cc)), wfd: int(C.lkx_wake_fd(cc))}
	var w, h C.int
	C.lkx_size(cc, &w, &h)
	c.w, c.h = int(w), int(h)
	return c, nil
}

// Size returns the root window size as of Open or the last RefreshSize.
func (c *Conn) Size() (w, h int) { return c.w, c.h }

// RefreshSize queries the root window geometry again (after a resize).
// Buffers keep the size they were made with.
func (c *Conn) RefreshSize() (w, h int, err error) {
	if c.cc == nil {
		return c.w, c.h, ErrClosed
	}
	var cw, ch, detail C.int
	if st := C.lkx_refresh_size(c.cc, &cw, &ch, &detail); st != C.LKX_OK {
		return c.w, c.h, newError("refresh size", st, detail)
	}
	c.w, c.h = int(cw), int(ch)
	return c.w, c.h, nil
}

// Fd returns the X connection's file descriptor (for diagnostics), or -1
// after Close.
func (c *Conn) Fd() int {
	if c.cc == nil {
		return -1
	}
	return c.fd
}

// Wait blocks until an X event arrives, Wake is called, or timeout passes
// (timeout < 0: forever; 0: just poll). It drains all pending events and
// returns what it saw; 0 means the timeout passed. A broken connection
// returns an error matching ErrConnectionLost.
func (c *Conn) Wait(timeout time.Duration) (Events, error) {
	if c.cc == nil {
		return 0, ErrClosed
	}
	ms := C.int(-1)
	if timeout >= 0 {
		d := (timeout + time.Millisecond - 1) / time.Millisecond // round up
		ms = C.int(min(d, math.MaxInt32))
	}
	var ev, detail C.int
	if st := C.lkx_wait(c.cc, ms, &ev, &detail); st != C.LKX_OK {
		return 0, newError("wait", st, detail)
	}
	return Events(ev), nil
}

// Wake makes a concurrent or the next Wait return EventWake. It is safe from
// any goroutine, never blocks on the pipe (a full pipe already guarantees a
// wakeup) and does nothing after Close.
func (c *Conn) Wake() {
	b := [1]byte{1}
	c.wmu.RLock()
	if c.wfd >= 0 {
		syscall.Write(c.wfd, b[:]) // EAGAIN: a wakeup is pending anyway
	}
	c.wmu.RUnlock()
}

// TakeDamage atomically takes the damage accumulated since the last call and
// returns its rectangles (clipped to the root) in dst[:0]. It does not
// allocate when cap(dst) > 0: if the damage has more rectangles than
// cap(dst), it returns their bounding box as a single rectangle.
func (c *Conn) TakeDamage(dst []Rect) ([]Rect, error) {
	if c.cc == nil {
		return dst[:0], ErrClosed
	}
	if cap(dst) == 0 {
		dst = make([]Rect, 0, 16)
	}
	dst = dst[:min(cap(dst), math.MaxInt32)]
	var n, detail C.int
	st := C.lkx_take_damage(c.cc, (*C.lkx_rect)(unsafe.Pointer(&dst[0])),
		C.int(len(dst)), &n, &detail)
	if st != C.LKX_OK {
		return dst[:0], newError("take damage", st, detail)
	}
	return dst[:n], nil
}

// Buffer is one SysV shared-memory image of the whole root window (as large
// as the root was when it was made): 32 bpp BGRX, stride Width()*4, attached
// both to this process and to the X server. The segment is already marked
// for removal, so the kernel reclaims it when the process exits, even after
// a crash. Free it when done, before or after closing its Conn.
type Buffer struct {
	c            *Conn
	cb           *C.lkx_buf // nil after Free
	pix          []byte
	w, h, stride int
}

// NewBuffer creates a Buffer of the current root size.
func (c *Conn) NewBuffer() (*Buffer, error) {
	if c.cc == nil {
		return nil, ErrClosed
	}
	var cb *C.lkx_buf
	var detail C.int
	if st := C.lkx_buf_new(c.cc, &cb, &detail); st != C.LKX_OK {
		return nil, newError("new buffer", st, detail)
	}
	return &Buffer{
		c:      c,
		cb:     cb,
		pix:    unsafe.Slice((*byte)(unsafe.Pointer(cb.addr)), int(cb.size)),
		w:      int(cb.width),
		h:      int(cb.height),
		stride: int(cb.stride),
	}, nil
}

// Pix returns the pixels (Stride()*Height() bytes, BGRX). The slice points to
// shared memory and is valid until Free; it is nil after Free.
func (b *Buffer) Pix() []byte { return b.pix }

// Width returns the image width in pixels.
func (b *Buffer) Width() int { return b.w }

// Height returns the image height in pixels.
func (b *Buffer) Height() int { return b.h }

// Stride returns the bytes per row (Width()*4).
func (b *Buffer) Stride() int { return b.stride }

// Free detaches the segment from the X server (if the connection is still
// open and alive) and from this process. It is idempotent and may be called
// after the Conn was closed or broke. It reads the Conn, so it follows the
// Conn's one-goroutine rule; see Detach for other goroutines.
func (b *Buffer) Free() error {
	if b == nil || b.cb == nil {
		return nil
	}
	var cc *C.lkx_conn
	if b.c != nil {
		cc = b.c.cc // nil after Close: then only shmdt
	}
	var detail C.int
	st := C.lkx_buf_free(cc, b.cb, &detail)
	b.cb, b.pix = nil, nil
	if st != C.LKX_OK {
		return newError("free buffer", st, detail)
	}
	return nil
}

// Detach detaches the segment from this process only, without reading the
// Conn, so it is safe from any goroutine, also while the Conn is in use or
// closing. The X server keeps its attachment until Free on the Conn or until
// the connection closes: use it only for a connection that is closing or
// closed. It is idempotent, and Free after Detach does nothing.
func (b *Buffer) Detach() error {
	if b == nil || b.cb == nil {
		return nil
	}
	var detail C.int
	st := C.lkx_buf_free(nil, b.cb, &detail)
	b.cb, b.pix = nil, nil
	if st != C.LKX_OK {
		return newError("detach buffer", st, detail)
	}
	return nil
}

// Grab copies rows [y0, y1) of the root, full width, into b at byte offset
// y0*Stride() with one MIT-SHM GetImage, and waits until the pixels are
// there. The rows are clamped to the buffer; y0 >= y1 does nothing.
func (c *Conn) Grab(b *Buffer, y0, y1 int) error {
	if c.cc == nil || b.cb == nil {
		return ErrClosed
	}
	y0, y1 = max(y0, 0), min(y1, b.h)
	if y0 >= y1 {
		return nil
	}
	var detail C.int
	if st := C.lkx_grab(c.cc, b.cb, C.int(y0), C.int(y1), &detail); st != C.LKX_OK {
		return newError("grab", st, detail)
	}
	return nil
}

// SetInputFocus gives the keyboard focus to the window under the pointer
// (focused) or to no window, as a window manager would. Unlike the other
// methods it is safe to call while another goroutine is in Wait.
func (c *Conn) SetInputFocus(focused bool) error {
	if c.cc == nil {
		return ErrClosed
	}
	f := C.int(0)
	if focused {
		f = 1
	}
	var detail C.int
	if st := C.lkx_set_focus(c.cc, f, &detail); st != C.LKX_OK {
		return newError("set input focus", st, detail)
	}
	return nil
}

// CursorImage returns the current cursor: its description, and its ARGB
// pixels (premultiplied, Width*Height values, row by row) in dst[:0], which
// grows only if it is too small.
func (c *Conn) CursorImage(dst []uint32) (img CursorImage, pix []uint32, err error) {
	if c.cc == nil {
		return img, dst[:0], ErrClosed
	}
	for try := 0; ; try++ {
		var info C.lkx_cursor
		var detail C.int
		var p *C.uint32_t
		dst = dst[:min(cap(dst), math.MaxInt32)]
		if len(dst) > 0 {
			p = (*C.uint32_t)(unsafe.Pointer(&dst[0]))
		}
		st := C.lkx_cursor_image(c.cc, &info, p, C.int(len(dst)), &detail)
		if st == C.LKX_ERR_SHORT && try < 3 {
			// The cursor may change between two requests: retry a few times.
			dst = make([]uint32, int(info.width)*int(info.height))
			continue
		}
		if st != C.LKX_OK {
			return img, dst[:0], newError("cursor image", st, detail)
		}
		img = CursorImage{
			X: int(info.x), Y: int(info.y),
			Width: int(info.width), Height: int(info.height),
			XHot: int(info.xhot), YHot: int(info.yhot),
			Serial: uint32(info.serial),
		}
		return img, dst[:img.Width*img.Height], nil
	}
}

// Close destroys the damage object and region, disconnects and closes the
// wake pipe. It is idempotent. Buffers are not freed: free them before or
// after Close.
func (c *Conn) Close() error {
	if c.cc == nil {
		return nil
	}
	c.wmu.Lock()
	c.wfd = -1
	c.wmu.Unlock()
	C.lkx_close(c.cc)
	c.cc = nil
	c.fd = -1
	return nil
}

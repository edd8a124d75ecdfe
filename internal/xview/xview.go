//go:build linux && cgo

package xview

/*
#cgo pkg-config: xcb xcb-keysyms
#cgo CFLAGS: -O2 -Wall -I${SRCDIR}/../xcbconn
#cgo noescape lkv_open
#cgo noescape lkv_put
#cgo noescape lkv_set_title
#cgo noescape lkv_wait
#cgo nocallback lkv_open
#cgo nocallback lkv_close
#cgo nocallback lkv_abort
#cgo nocallback lkv_window
#cgo nocallback lkv_wake_fd
#cgo nocallback lkv_put
#cgo nocallback lkv_set_title
#cgo nocallback lkv_wait
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"math"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Compile-time checks that the Go and C definitions agree.
var (
	_ [C.LKV_ERR_IO - CodeIO]byte
	_ [CodeIO - C.LKV_ERR_IO]byte
	_ [C.LKV_ERR_ARG - CodeArg]byte
	_ [CodeArg - C.LKV_ERR_ARG]byte
	_ [C.LKV_EV_MOTION - int(Motion)]byte
	_ [int(Motion) - C.LKV_EV_MOTION]byte
	_ [C.LKV_EV_CONFIGURE - int(Configure)]byte
	_ [int(Configure) - C.LKV_EV_CONFIGURE]byte
)

// Window is a top-level window on the user's X display ($DISPLAY) that
// shows images given to Put and reports input through Wait.
//
// Concurrency: Put and SetTitle (the draw side) may run in one goroutine
// while Wait (the event side) runs in another; calls of the same side are
// serialised. Wake and Close are safe from any goroutine at any time; Close
// interrupts a Wait in progress and waits for it to return.
type Window struct {
	id uint32

	closed atomic.Bool
	emu    sync.Mutex // event side: Wait
	dmu    sync.Mutex // draw side: Put, SetTitle
	cc     *C.lkv_conn
	raw    []C.lkv_event // Wait's scratch, guarded by emu
	w, h   int           // image size as of the last Put, guarded by dmu

	wmu sync.RWMutex // guards wfd against Close
	wfd int          // write end of the wake pipe; -1 after Close
}

func newError(op string, st, detail C.int) error {
	return &Error{Op: op, Code: int(st), Detail: int(detail)}
}

// Open connects to $DISPLAY (authorising through $XAUTHORITY, as any X
// client) and creates and maps a w x h window titled title, with WM_CLASS
// "lkbrowser", a fixed size for the window manager, and WM_DELETE_WINDOW so
// that closing it is reported as CloseRequested instead of killing the
// connection. It fails with ErrNoDisplay when $DISPLAY is unset, ErrConnect
// when the display cannot be reached, and ErrFormat when the display is not
// 24-bit TrueColor with 32 bpp BGRX images.
func Open(title string, w, h int) (*Window, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, ErrNoDisplay
	}
	if w < 1 || h < 1 || w > MaxSize || h > MaxSize {
		return nil, &Error{Op: "open", Code: CodeArg}
	}
	ct := C.CString(title)
	defer C.free(unsafe.Pointer(ct))
	var cc *C.lkv_conn
	var detail C.int
	if st := C.lkv_open(ct, C.int(w), C.int(h), &cc, &detail); st != C.LKV_OK {
		return nil, newError("open", st, detail)
	}
	return &Window{
		id: uint32(C.lkv_window(cc)), cc: cc, w: w, h: h,
		wfd: int(C.lkv_wake_fd(cc)), raw: make([]C.lkv_event, 64),
	}, nil
}

// ID returns the X window id.
func (win *Window) ID() uint32 { return win.id }

// Size returns the window's size as of Open or the last Put.
func (win *Window) Size() (w, h int) {
	win.dmu.Lock()
	defer win.dmu.Unlock()
	return win.w, win.h
}

// Put draws a w x h BGRX image (4 bytes a pixel, rows stride bytes apart;
// the fourth byte is ignored) at the window's top-left corner, resizing the
// window first when its size differs. The image is sent in bands, each
// request under the server's maximum request length; Put returns once the
// server has drawn it. pix is only read during the call.
func (win *Window) Put(pix []byte, stride, w, h int) error {
	if w < 1 || h < 1 || w > MaxSize || h > MaxSize || stride < w*4 ||
		stride > math.MaxInt32 || len(pix) < (h-1)*stride+w*4 {
		return &Error{Op: "put", Code: CodeArg}
	}
	win.dmu.Lock()
	defer win.dmu.Unlock()
	if win.cc == nil || win.closed.Load() {
		return ErrClosed
	}
	var detail C.int
	st := C.lkv_put(win.cc, (*C.uint8_t)(unsafe.Pointer(&pix[0])), C.int(stride),
		C.int(w), C.int(h), &detail)
	if st != C.LKV_OK {
		return newError("put", st, detail)
	}
	win.w, win.h = w, h
	return nil
}

// SetTitle sets the window's title (WM_NAME and _NET_WM_NAME).
func (win *Window) SetTitle(title string) error {
	if len(title) > 1<<16 {
		title = title[:1<<16]
	}
	win.dmu.Lock()
	defer win.dmu.Unlock()
	if win.cc == nil || win.closed.Load() {
		return ErrClosed
	}
	var p *C.char
	if len(title) > 0 {
		p = (*C.char)(unsafe.Pointer(unsafe.StringData(title)))
	}
	var detail C.int
	if st := C.lkv_set_title(win.cc, p, C.int(len(title)), &detail); st != C.LKV_OK {
		return newError("set title", st, detail)
	}
	return nil
}

// Wait blocks until events arrive, Wake is called, or timeout passes
// (timeout < 0: forever; 0: just poll), and appends the events to dst[:0].
// An empty result means the timeout passed or Wake was called. A broken
// connection returns an error matching ErrConnectionLost; after Close it
// returns ErrClosed.
func (win *Window) Wait(timeout time.Duration, dst []Event) ([]Event, error) {
	dst = dst[:0]
	win.emu.Lock()
	defer win.emu.Unlock()
	if win.cc == nil || win.closed.Load() {
		return dst, ErrClosed
	}
	ms := C.int(-1)
	if timeout >= 0 {
		d := (timeout + time.Millisecond - 1) / time.Millisecond // round up
		ms = C.int(min(d, math.MaxInt32))
	}
	var n, woke, detail C.int
	st := C.lkv_wait(win.cc, ms, &win.raw[0], C.int(len(win.raw)), &n, &woke, &detail)
	if st != C.LKV_OK {
		return dst, newError("wait", st, detail)
	}
	for _, r := range win.raw[:n] {
		ev := Event{
			Type: EventType(r._type), X: int(r.x), Y: int(r.y), Button: int(r.button),
			Keycode: int(r.keycode), State: uint16(r.state), Keysym: uint32(r.keysym),
			Time: uint32(r.time),
		}
		switch ev.Type {
		case Configure:
			ev.Width, ev.Height, ev.X, ev.Y = ev.X, ev.Y, 0, 0
		case KeyPress, KeyRelease:
			ev.Rune = KeysymRune(ev.Keysym)
			ev.Key = KeysymName(ev.Keysym)
		}
		dst = append(dst, ev)
	}
	return dst, nil
}

// Wake makes a concurrent or the next Wait return. It is safe from any
// goroutine, never blocks and does nothing after Close.
func (win *Window) Wake() {
	b := [1]byte{1}
	win.wmu.RLock()
	if win.wfd >= 0 {
		syscall.Write(win.wfd, b[:]) // EAGAIN: a wakeup is pending anyway
	}
	win.wmu.RUnlock()
}

// closeGrace is how long Close lets a Put or SetTitle in progress finish
// before it cuts the connection.
const closeGrace = 2 * time.Second

// Close destroys the window and disconnects. It interrupts a Wait in
// progress and waits for it and for a Put in progress to return; a Put
// stuck on an unresponsive X server is cut short after two seconds by
// shutting the connection down. It is idempotent and safe on a broken
// connection.
func (win *Window) Close() error {
	if !win.closed.CompareAndSwap(false, true) {
		return nil
	}
	win.Wake()
	locked := make(chan struct{})
	go func() {
		win.emu.Lock()
		win.dmu.Lock()
		close(locked)
	}()
	select {
	case <-locked:
	case <-time.After(closeGrace):
		C.lkv_abort(win.cc) // cc stays valid until lkv_close below
		<-locked
	}
	win.wmu.Lock()
	win.wfd = -1
	win.wmu.Unlock()
	C.lkv_close(win.cc)
	win.cc = nil
	win.dmu.Unlock()
	win.emu.Unlock()
	return nil
}

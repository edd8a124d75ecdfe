//go:build linux && cgo

package xcap

/*
#cgo noescape lkx_test_fill
#cgo noescape lkx_test_create_window
#cgo noescape lkx_test_destroy_window
#cgo nocallback lkx_test_fill
#cgo nocallback lkx_test_create_window
#cgo nocallback lkx_test_destroy_window
#include "bridge.h"
*/
import "C"

// Drawing helpers for tests and benchmarks: they make c draw like any other
// X client. Each waits until the server has executed the request, so a
// DamageNotify it causes on this same connection is already queued inside
// XCB when it returns.

// Window is an X window ID; 0 means the root window.
type Window uint32

// FillRect fills a rectangle of the root window with colour rgb (0xRRGGBB).
// The GC is created on first use and reused.
func (c *Conn) FillRect(x, y, w, h int, rgb uint32) error {
	return c.FillWindowRect(0, x, y, w, h, rgb)
}

// FillWindowRect fills a rectangle, in win's coordinates, of win (0: root).
func (c *Conn) FillWindowRect(win Window, x, y, w, h int, rgb uint32) error {
	if c.cc == nil {
		return ErrClosed
	}
	var detail C.int
	st := C.lkx_test_fill(c.cc, C.uint32_t(win), C.int(x), C.int(y), C.int(w),
		C.int(h), C.uint32_t(rgb), &detail)
	if st != C.LKX_OK {
		return newError("fill", st, detail)
	}
	return nil
}

// CreateWindow creates and maps an override-redirect window, child of parent
// (0: root), with background colour bg (0xRRGGBB). It lives until
// DestroyWindow or until c is closed.
func (c *Conn) CreateWindow(parent Window, x, y, w, h int, bg uint32) (Window, error) {
	if c.cc == nil {
		return 0, ErrClosed
	}
	var win C.uint32_t
	var detail C.int
	st := C.lkx_test_create_window(c.cc, C.uint32_t(parent), C.int(x), C.int(y),
		C.int(w), C.int(h), C.uint32_t(bg), &win, &detail)
	if st != C.LKX_OK {
		return 0, newError("create window", st, detail)
	}
	return Window(win), nil
}

// DestroyWindow destroys a window made by CreateWindow.
func (c *Conn) DestroyWindow(win Window) error {
	if c.cc == nil {
		return ErrClosed
	}
	var detail C.int
	if st := C.lkx_test_destroy_window(c.cc, C.uint32_t(win), &detail); st != C.LKX_OK {
		return newError("destroy window", st, detail)
	}
	return nil
}

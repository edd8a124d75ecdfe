//go:build linux && cgo

package xpointer

/*
#cgo pkg-config: xcb xcb-xtest
#cgo CFLAGS: -O2 -Wall -I${SRCDIR}/../xcbconn
#cgo noescape lkp_open
#cgo nocallback lkp_open
#cgo nocallback lkp_close
#cgo nocallback lkp_popup_at
#cgo nocallback lkp_fake
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"math"
	"unsafe"
)

// Conn is a connection to one X display. It is not safe for concurrent use.
type Conn struct{ c *C.lkp_conn }

// Open connects to display with an MIT-MAGIC-COOKIE-1 cookie (none if empty).
func Open(display string, cookie []byte) (*Conn, error) {
	if len(cookie) > math.MaxUint16 {
		return nil, &Error{"open", C.LKP_ERR_ARG}
	}
	cs := C.CString(display)
	defer C.free(unsafe.Pointer(cs))
	var cp *C.uint8_t
	if len(cookie) > 0 {
		cp = (*C.uint8_t)(unsafe.Pointer(&cookie[0]))
	}
	var cc *C.lkp_conn
	if st := C.lkp_open(cs, cp, C.int(len(cookie)), &cc); st != C.LKP_OK {
		return nil, &Error{"open", int(st)}
	}
	return &Conn{cc}, nil
}

// Close disconnects. It is idempotent.
func (c *Conn) Close() error {
	C.lkp_close(c.c)
	c.c = nil
	return nil
}

// PopupAt reports whether a popup (a viewable override-redirect top-level
// window, such as Chromium's open <select> list) covers root point x, y.
func (c *Conn) PopupAt(x, y int) (bool, error) {
	if c.c == nil {
		return false, ErrClosed
	}
	st := C.lkp_popup_at(c.c, C.int(x), C.int(y))
	if st < 0 {
		return false, &Error{"query tree", int(st)}
	}
	return st == 1, nil
}

// Fake moves the pointer to x, y and then presses or releases button
// (1 left, 2 middle, 3 right) unless ev is Motion, as a real mouse would.
func (c *Conn) Fake(ev Event, button, x, y int) error {
	if c.c == nil {
		return ErrClosed
	}
	if st := C.lkp_fake(c.c, C.int(ev), C.int(button), C.int(x), C.int(y)); st != C.LKP_OK {
		return &Error{"fake input", int(st)}
	}
	return nil
}

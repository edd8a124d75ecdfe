//go:build linux && cgo

package xrandr

/*
#cgo pkg-config: xcb xcb-randr
#cgo CFLAGS: -O2 -Wall -I${SRCDIR}/../xcbconn
#cgo noescape lkr_set_refresh
#cgo noescape lkr_refresh
#cgo nocallback lkr_set_refresh
#cgo nocallback lkr_refresh
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"math"
	"unsafe"
)

// Compile-time checks that the Go and C codes agree.
var (
	_ [C.LKR_ERR_ARG - CodeArg]byte
	_ [CodeArg - C.LKR_ERR_ARG]byte
	_ [C.LKR_ERR_CONNECT - CodeConnect]byte
	_ [CodeConnect - C.LKR_ERR_CONNECT]byte
	_ [C.LKR_ERR_NO_RANDR - CodeNoRandR]byte
	_ [CodeNoRandR - C.LKR_ERR_NO_RANDR]byte
	_ [C.LKR_ERR_REQUEST - CodeRequest]byte
	_ [CodeRequest - C.LKR_ERR_REQUEST]byte
	_ [C.LKR_ERR_IO - CodeIO]byte
	_ [CodeIO - C.LKR_ERR_IO]byte
	_ [C.LKR_ERR_NO_CRTC - CodeNoCRTC]byte
	_ [CodeNoCRTC - C.LKR_ERR_NO_CRTC]byte
	_ [C.LKR_ERR_CONFIG - CodeConfig]byte
	_ [CodeConfig - C.LKR_ERR_CONFIG]byte
	_ [C.LKR_ERR_NOMEM - CodeNoMem]byte
	_ [CodeNoMem - C.LKR_ERR_NOMEM]byte
)

// SetRefresh makes display (e.g. ":5", authenticated with its
// MIT-MAGIC-COOKIE-1) refresh hz times a second, MinRefresh..MaxRefresh:
// its first active CRTC gets a mode of its current size with those timings.
// Errors are *Error; ErrUnavailable matches a display without RandR 1.2 or
// without an active CRTC.
func SetRefresh(display string, cookie []byte, hz int) error {
	if hz < MinRefresh || hz > MaxRefresh || len(cookie) > math.MaxUint16 {
		return &Error{Op: "set refresh", Code: CodeArg}
	}
	cs := C.CString(display)
	defer C.free(unsafe.Pointer(cs))
	var cp *C.uint8_t
	if len(cookie) > 0 {
		cp = (*C.uint8_t)(unsafe.Pointer(&cookie[0]))
	}
	var detail C.int
	if st := C.lkr_set_refresh(cs, cp, C.int(len(cookie)), C.int(hz), &detail); st != C.LKR_OK {
		return &Error{Op: "set refresh", Code: int(st), Detail: int(detail)}
	}
	return nil
}

// Refresh returns the refresh rate of display's first active CRTC, in Hz: 0
// when its mode has no timings (a fresh Xvfb), which Chromium takes for 60.
func Refresh(display string, cookie []byte) (float64, error) {
	if len(cookie) > math.MaxUint16 {
		return 0, &Error{Op: "refresh", Code: CodeArg}
	}
	cs := C.CString(display)
	defer C.free(unsafe.Pointer(cs))
	var cp *C.uint8_t
	if len(cookie) > 0 {
		cp = (*C.uint8_t)(unsafe.Pointer(&cookie[0]))
	}
	var hz C.double
	var detail C.int
	if st := C.lkr_refresh(cs, cp, C.int(len(cookie)), &hz, &detail); st != C.LKR_OK {
		return 0, &Error{Op: "refresh", Code: int(st), Detail: int(detail)}
	}
	return float64(hz), nil
}

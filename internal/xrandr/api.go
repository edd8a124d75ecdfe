package xrandr

import (
	"errors"
	"fmt"
)

// Limits of SetRefresh's rate, in Hz.
const (
	MinRefresh = 1
	MaxRefresh = 240
)

// Error codes: the Code of an *Error. They equal the LKR_* status codes of
// bridge.h.
const (
	CodeArg     = 1 // invalid argument
	CodeConnect = 2 // cannot connect to the display (Detail: XCB's reason)
	CodeNoRandR = 3 // the server lacks RandR 1.2
	CodeRequest = 4 // the server answered a request with an error (Detail: X error code)
	CodeIO      = 5 // the connection broke
	CodeNoCRTC  = 6 // the screen has no active CRTC with an output
	CodeConfig  = 7 // SetCrtcConfig failed (Detail: its status)
	CodeNoMem   = 8 // out of memory
)

// ErrUnavailable is matched by errors that mean the display cannot take a
// refresh rate (no RandR, no CRTC): callers may go on without one.
var ErrUnavailable = errors.New("xrandr: the display has no settable refresh rate")

// ErrInvalid is matched by errors of invalid arguments.
var ErrInvalid = errors.New("xrandr: invalid argument")

// Error is a failure of a RandR operation.
type Error struct {
	Op     string // "set refresh", "refresh"
	Code   int    // one of the Code* constants
	Detail int    // see the codes
}

var codeText = map[int]string{
	CodeArg:     "invalid argument",
	CodeConnect: "cannot connect to the display",
	CodeNoRandR: "no RandR 1.2 on the display",
	CodeRequest: "request failed",
	CodeIO:      "connection broken",
	CodeNoCRTC:  "no active CRTC",
	CodeConfig:  "CRTC configuration refused",
	CodeNoMem:   "out of memory",
}

func (e *Error) Error() string {
	msg, ok := codeText[e.Code]
	if !ok {
		msg = fmt.Sprintf("error code %d", e.Code)
	}
	if e.Detail != 0 {
		return fmt.Sprintf("xrandr: %s: %s (detail %d)", e.Op, msg, e.Detail)
	}
	return fmt.Sprintf("xrandr: %s: %s", e.Op, msg)
}

// Is reports whether target is the sentinel error of e.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnavailable:
		return e.Code == CodeNoRandR || e.Code == CodeNoCRTC
	case ErrInvalid:
		return e.Code == CodeArg
	}
	return false
}

package xcap

import (
	"errors"
	"fmt"
	"strings"
)

// Rect is a rectangle in display pixels. Its layout matches the C struct
// lkx_rect (int32 x, y, w, h), so a []Rect is passed to C without copying.
type Rect struct{ X, Y, W, H int32 }

// Events is the bit set returned by Conn.Wait.
type Events uint32

const (
	EventDamage Events = 1 << iota // a DamageNotify arrived: call TakeDamage
	EventCursor                    // the cursor image changed
	EventWake                      // Wake was called
)

func (e Events) String() string {
	if e == 0 {
		return "0"
	}
	var parts []string
	for _, n := range []struct {
		bit  Events
		name string
	}{{EventDamage, "damage"}, {EventCursor, "cursor"}, {EventWake, "wake"}} {
		if e&n.bit != 0 {
			parts = append(parts, n.name)
			e &^= n.bit
		}
	}
	if e != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(e)))
	}
	return strings.Join(parts, "|")
}

// CursorImage describes the current cursor (XFixesGetCursorImage).
type CursorImage struct {
	X, Y          int    // pointer position in root coordinates
	Width, Height int    // image size; the ARGB pixels are returned separately
	XHot, YHot    int    // hotspot within the image
	Serial        uint32 // cursor_serial: changes whenever the image changes
}

// Error codes: the Code of an *Error. They equal the LKX_* status codes of
// bridge.h.
const (
	CodeConnect  = 1  // could not connect: bad display, authorization refused
	CodeNoSHM    = 2  // MIT-SHM missing
	CodeNoDamage = 3  // DAMAGE missing or older than 1.1
	CodeNoXFixes = 4  // XFIXES missing or older than 2.0
	CodeSHM      = 5  // shared memory: shmget/shmat failed or server could not attach
	CodeIO       = 6  // connection broken (X server died)
	CodeRequest  = 7  // the X server answered a request with an error
	CodeFormat   = 8  // root pixels are not 32 bpp little-endian xRGB
	CodeSys      = 9  // a system call failed (Detail is the errno)
	CodeNoMem    = 10 // malloc failed
	CodeArg      = 11 // invalid argument
)

// Sentinel errors. An *Error matches the sentinel of its Code under errors.Is.
var (
	ErrConnectionLost = errors.New("xcap: X connection lost")
	ErrConnect        = errors.New("xcap: cannot connect to X display")
	ErrNoSHM          = errors.New("xcap: X server lacks MIT-SHM")
	ErrNoDamage       = errors.New("xcap: X server lacks DAMAGE 1.1")
	ErrNoXFixes       = errors.New("xcap: X server lacks XFIXES 2.0")
	ErrFormat         = errors.New("xcap: unsupported root pixel format")
	// ErrClosed is returned by methods called after Close or on a freed Buffer.
	ErrClosed = errors.New("xcap: use of closed connection or freed buffer")
)

// Error is a failure reported by the C bridge.
type Error struct {
	Op   string // the operation: "open", "wait", "grab", ...
	Code int    // one of the Code* constants
	// Detail is the X error code (CodeRequest, or CodeSHM when the server
	// refused the segment), the errno (CodeSys, or CodeSHM when shmget or
	// shmat failed) or the XCB connection error (CodeConnect); 0 if none.
	Detail int
}

var codeText = map[int]string{
	CodeConnect:  "cannot connect (bad display or authorization refused)",
	CodeNoSHM:    "MIT-SHM extension missing",
	CodeNoDamage: "DAMAGE 1.1 extension missing",
	CodeNoXFixes: "XFIXES 2.0 extension missing",
	CodeSHM:      "shared memory segment failed",
	CodeIO:       "X connection lost",
	CodeRequest:  "X request failed",
	CodeFormat:   "unsupported pixel format (need 32 bpp little-endian xRGB)",
	CodeSys:      "system call failed",
	CodeNoMem:    "out of memory",
	CodeArg:      "invalid argument",
}

func (e *Error) Error() string {
	msg, ok := codeText[e.Code]
	if !ok {
		msg = fmt.Sprintf("error code %d", e.Code)
	}
	if e.Detail != 0 {
		return fmt.Sprintf("xcap: %s: %s (detail %d)", e.Op, msg, e.Detail)
	}
	return fmt.Sprintf("xcap: %s: %s", e.Op, msg)
}

// Is reports whether target is the sentinel error of e.Code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrConnectionLost:
		return e.Code == CodeIO
	case ErrConnect:
		return e.Code == CodeConnect
	case ErrNoSHM:
		return e.Code == CodeNoSHM
	case ErrNoDamage:
		return e.Code == CodeNoDamage
	case ErrNoXFixes:
		return e.Code == CodeNoXFixes
	case ErrFormat:
		return e.Code == CodeFormat
	}
	return false
}

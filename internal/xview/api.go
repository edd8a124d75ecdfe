package xview

import (
	"errors"
	"fmt"
)

// EventType is the kind of an Event.
type EventType uint8

// Event types. Their values equal the LKV_EV_* constants of bridge.h.
const (
	Motion         EventType = iota + 1 // the pointer moved in the window
	ButtonPress                         // a button went down: 1 left, 2 middle, 3 right, 4/5 wheel up/down, 6/7 wheel left/right
	ButtonRelease                       // a button went up
	KeyPress                            // a key went down (auto-repeat repeats press and release)
	KeyRelease                          // a key went up
	Enter                               // the pointer entered the window
	Leave                               // the pointer left the window
	FocusIn                             // the window got the keyboard focus
	FocusOut                            // the window lost the keyboard focus
	CloseRequested                      // the user asked to close the window (WM_DELETE_WINDOW), or it was destroyed
	Expose                              // the window needs repainting
	Configure                           // the window's size is now Width x Height
)

var typeNames = [...]string{"", "motion", "button-press", "button-release", "key-press",
	"key-release", "enter", "leave", "focus-in", "focus-out", "close-requested", "expose", "configure"}

func (t EventType) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// Event is an input or window event of a Window.
type Event struct {
	Type EventType
	// X, Y are the pointer's position in window coordinates (pointer, button,
	// key, enter and leave events). They may lie outside the window while a
	// button is held (the window keeps the pointer until it is released).
	X, Y int
	// Width, Height are the window's new size (Configure).
	Width, Height int
	// Button is the X button number, 1..7 (ButtonPress, ButtonRelease).
	Button int
	// Keycode is the X key code (KeyPress, KeyRelease), e.g. 36 for Return.
	Keycode int
	// State is the X modifier and button state before the event: the
	// State* bits.
	State uint16
	// Keysym is the keysym the key produces in State (key events), e.g.
	// 0x61 for "a", 0x41 for "A" with Shift; 0 if none.
	Keysym uint32
	// Rune is the character the key produces, or 0 (see KeysymRune).
	Rune rune
	// Key is the DOM name of a non-character key ("Enter", "ArrowLeft",
	// "Shift", "F5", ...), or "" (see KeysymName).
	Key string
	// Time is the X server's timestamp in milliseconds; 0 if none.
	Time uint32
}

// Bits of Event.State (the core protocol's SETofKEYBUTMASK).
const (
	StateShift   = 1 << 0
	StateLock    = 1 << 1 // Caps Lock
	StateControl = 1 << 2
	StateMod1    = 1 << 3 // usually Alt
	StateMod2    = 1 << 4 // usually Num Lock
	StateMod3    = 1 << 5
	StateMod4    = 1 << 6 // usually Super (the Windows key)
	StateMod5    = 1 << 7 // usually AltGr (ISO_Level3_Shift)
	StateButton1 = 1 << 8
	StateButton2 = 1 << 9
	StateButton3 = 1 << 10
	StateButton4 = 1 << 11
	StateButton5 = 1 << 12
)

// MaxSize is the largest width or height of a Window.
const MaxSize = 16384

// Error codes: the Code of an *Error. They equal the LKV_* status codes of
// bridge.h.
const (
	CodeConnect = 1 // could not connect: bad display, authorization refused
	CodeIO      = 2 // connection broken (X server gone)
	CodeRequest = 3 // the X server answered a request with an error
	CodeFormat  = 4 // the root is not 24-bit TrueColor with 32 bpp BGRX images
	CodeSys     = 5 // a system call failed (Detail is the errno)
	CodeNoMem   = 6 // malloc failed
	CodeArg     = 7 // invalid argument
)

// Sentinel errors. An *Error matches the sentinel of its Code under errors.Is.
var (
	// ErrNoDisplay is returned by Open when $DISPLAY is not set.
	ErrNoDisplay = errors.New("xview: no X display ($DISPLAY is not set)")
	// ErrConnect: the display refused the connection or does not exist.
	ErrConnect = errors.New("xview: cannot connect to X display")
	// ErrConnectionLost: the X server went away (or closed the connection).
	ErrConnectionLost = errors.New("xview: X connection lost")
	// ErrFormat: the display's pixel format is not 24-bit TrueColor stored
	// as 32 bpp little-endian xRGB.
	ErrFormat = errors.New("xview: unsupported display pixel format (need 24-bit TrueColor, 32 bpp BGRX)")
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("xview: use of closed window")
)

// Error is a failure reported by the C bridge.
type Error struct {
	Op   string // the operation: "open", "put", "wait", ...
	Code int    // one of the Code* constants
	// Detail is the X error code (CodeRequest), the errno (CodeSys), the XCB
	// connection error (CodeConnect) or the root depth (CodeFormat); 0 if none.
	Detail int
}

var codeText = map[int]string{
	CodeConnect: "cannot connect (bad display or authorization refused)",
	CodeIO:      "X connection lost",
	CodeRequest: "X request failed",
	CodeFormat:  "unsupported pixel format (need 24-bit TrueColor, 32 bpp little-endian xRGB)",
	CodeSys:     "system call failed",
	CodeNoMem:   "out of memory",
	CodeArg:     "invalid argument",
}

func (e *Error) Error() string {
	msg, ok := codeText[e.Code]
	if !ok {
		msg = fmt.Sprintf("error code %d", e.Code)
	}
	if e.Detail != 0 {
		return fmt.Sprintf("xview: %s: %s (detail %d)", e.Op, msg, e.Detail)
	}
	return fmt.Sprintf("xview: %s: %s", e.Op, msg)
}

// Is reports whether target is the sentinel error of e.Code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrConnectionLost:
		return e.Code == CodeIO
	case ErrConnect:
		return e.Code == CodeConnect
	case ErrFormat:
		return e.Code == CodeFormat
	}
	return false
}

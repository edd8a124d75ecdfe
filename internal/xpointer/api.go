package xpointer

import (
	"errors"
	"fmt"
)

// Event is the kind of pointer event Fake sends.
type Event int

// Pointer events.
const (
	Motion  Event = 0
	Press   Event = 1
	Release Event = 2
)

// ErrClosed is returned by calls on a closed Conn.
var ErrClosed = errors.New("xpointer: connection closed")

// Error is a failure of the X bridge, with the bridge's status code.
type Error struct {
	Op   string
	Code int
}

var codeNames = map[int]string{-1: "bad argument", -2: "out of memory", -3: "cannot connect", -4: "no XTEST extension", -5: "connection lost"}

func (e *Error) Error() string {
	return fmt.Sprintf("xpointer: %s: %s", e.Op, codeNames[e.Code])
}

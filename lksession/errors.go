package lksession

import (
	"errors"
	"fmt"
)

// Errors of the session. Every error Start and the RPC handlers return
// starts with "lksession: " and is one line.
var (
	// ErrInvalidOptions marks Options (or a page) that Start refuses; the
	// error is an *OptionsError that says why.
	ErrInvalidOptions = errors.New("lksession: invalid options")
	// ErrBadInput marks a browser-input message that was refused as a
	// whole: see InputError.
	ErrBadInput = errors.New("lksession: bad input message")
)

// OptionsError says why Start refused its Options. It matches
// ErrInvalidOptions.
type OptionsError struct {
	Reason string
}

func (e *OptionsError) Error() string { return "lksession: invalid options: " + e.Reason }

// Is reports whether target is ErrInvalidOptions.
func (e *OptionsError) Is(target error) bool { return target == ErrInvalidOptions }

// InputError says why a browser-input message was refused; it matches
// ErrBadInput.
type InputError struct {
	// Index is the position of the offending event, -1 for the message.
	Index  int
	Reason string
}

func (e *InputError) Error() string {
	if e.Index < 0 {
		return "lksession: bad input message: " + e.Reason
	}
	return fmt.Sprintf("lksession: bad input message: event %d: %s", e.Index, e.Reason)
}

// Is makes an *InputError match ErrBadInput.
func (e *InputError) Is(target error) bool { return target == ErrBadInput }

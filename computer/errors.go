package computer

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Sentinel errors. Match them with errors.Is; the errors Do and New return
// wrap them with details.
var (
	// ErrInvalidAction marks an action Do refused before sending anything to
	// the page: an unknown or empty kind, a missing or malformed field, a
	// key name that is not known, a value out of range. Errors matching
	// ErrOffDisplay match it too.
	ErrInvalidAction = errors.New("computer: invalid action")
	// ErrOffDisplay marks an action whose coordinates are outside the
	// declared display. They are refused, never clamped to the edge.
	ErrOffDisplay = errors.New("computer: coordinates outside the display")
	// ErrInvalidOptions marks Options that New refused.
	ErrInvalidOptions = errors.New("computer: invalid options")
)

// ActionError describes an action that Do refused. Nothing of it reached
// the page. Err is ErrInvalidAction or ErrOffDisplay.
type ActionError struct {
	Kind   Kind   // the refused action's kind, as given (may be empty or unknown)
	Field  string // the Action field at fault, e.g. "Point", "Keys"
	Reason string // what is wrong with it, one line
	Err    error  // ErrInvalidAction or ErrOffDisplay
}

// Error is one line: "computer: click: Point (1400,20) is outside the
// 1280x720 display".
func (e *ActionError) Error() string {
	kind := "action"
	if known(e.Kind) {
		kind = string(e.Kind)
	}
	return fmt.Sprintf("computer: %s: %s %s", kind, e.Field, e.Reason)
}

// Unwrap returns the sentinels the error matches: Err, and ErrInvalidAction
// for an ErrOffDisplay error.
func (e *ActionError) Unwrap() []error {
	if e.Err == ErrOffDisplay {
		return []error{ErrOffDisplay, ErrInvalidAction}
	}
	return []error{e.Err}
}

// refuse returns an *ActionError matching ErrInvalidAction.
func refuse(k Kind, field, format string, args ...any) error {
	return &ActionError{Kind: k, Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrInvalidAction}
}

// offDisplay returns an *ActionError matching ErrOffDisplay.
func offDisplay(k Kind, field, format string, args ...any) error {
	return &ActionError{Kind: k, Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrOffDisplay}
}

// OptionsError describes Options that New refused.
type OptionsError struct {
	Field  string // the Options field at fault, e.g. "DisplayWidth"
	Value  string // the refused value
	Reason string // why, one line
}

// Error is one line: "computer: invalid options: JPEGQuality 0: must be
// 1..100".
func (e *OptionsError) Error() string {
	return fmt.Sprintf("%v: %s %s: %s", ErrInvalidOptions, e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalidOptions.
func (e *OptionsError) Unwrap() error { return ErrInvalidOptions }

func badOption(field string, value any, reason string) error {
	return &OptionsError{Field: field, Value: fmt.Sprint(value), Reason: reason}
}

// pageError wraps an error of the page (closed, crashed, context done) with
// the action's kind.
func pageError(k Kind, err error) error {
	return fmt.Errorf("computer: %s: %w", k, err)
}

// shorten cuts a caller's string to at most 40 bytes for an error message,
// never inside a character, so that errors stay one short line.
func shorten(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 37
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// quote quotes a caller's string for an error message, shortened.
func quote(s string) string { return fmt.Sprintf("%q", shorten(s)) }

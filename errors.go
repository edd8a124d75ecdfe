package lkbrowser

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Match them with errors.Is; the errors returned by the
// library wrap them with details. The prefix rule: a sentinel that only
// appears inside an *InvalidArgumentError (ErrInvalidURL, ErrInvalidSize,
// ...) has none, because that error's text starts with "lkbrowser: "; every
// other sentinel starts with "lkbrowser: " itself. Every error is one line.
var (
	// ErrClosed is returned by every call on a Page or Engine after Close.
	ErrClosed = errors.New("lkbrowser: closed")
	// ErrCrashed is returned by control calls on a page whose browser or
	// display died, or whose renderer crashed (then Navigate and Reload
	// bring the tab back). The page's Events channel carries a Crashed event
	// with the reason; Close still cleans up.
	ErrCrashed = errors.New("lkbrowser: page crashed")
	// ErrInvalidURL marks a URL that is malformed or whose scheme the URL
	// policy does not allow.
	ErrInvalidURL = errors.New("invalid URL")
	// ErrInvalidSize marks a width or height out of range.
	ErrInvalidSize = errors.New("invalid size")
	// ErrInvalidFrameRate marks a frame rate out of range.
	ErrInvalidFrameRate = errors.New("invalid frame rate")
	// ErrInvalidPort marks a port number out of range.
	ErrInvalidPort = errors.New("invalid port")
	// ErrInvalidOption marks an Options or PageOptions field out of range
	// (MaxPages, WarmPages, ...).
	ErrInvalidOption = errors.New("invalid option")
	// ErrTooManyPages is returned by NewPage when Options.MaxPages pages are open.
	ErrTooManyPages = errors.New("lkbrowser: too many pages")
)

// InvalidArgumentError describes an argument that was refused. Err is one of
// the sentinel errors above (ErrInvalidURL, ErrInvalidSize, ...).
type InvalidArgumentError struct {
	Arg    string // the argument's name, e.g. "Width"
	Value  string // the refused value, shortened when long
	Reason string // why it was refused
	Err    error  // the sentinel this error matches with errors.Is
}

func (e *InvalidArgumentError) Error() string {
	return fmt.Sprintf("lkbrowser: %s: %s %q: %s", e.Err, e.Arg, e.Value, e.Reason)
}

// Unwrap returns the sentinel error.
func (e *InvalidArgumentError) Unwrap() error { return e.Err }

func invalidArg(sentinel error, arg string, value any, reason string) error {
	v := fmt.Sprint(value)
	if len(v) > 80 {
		cut := 77
		for cut > 0 && !utf8.RuneStart(v[cut]) { // never split a character
			cut--
		}
		v = v[:cut] + "..."
	}
	return &InvalidArgumentError{Arg: arg, Value: v, Reason: reason, Err: sentinel}
}

// NotFoundError reports a program lkbrowser needs (Chromium or Xvfb) that was
// found nowhere. It names every place searched and how to install it.
type NotFoundError struct {
	Program  string   // "chromium" or "Xvfb"
	Searched []string // every place looked at, in order
	Install  string   // a command that installs the program
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("lkbrowser: %s not found (searched: %s); install it with: %s",
		e.Program, strings.Join(e.Searched, ", "), e.Install)
}

// ProcessError reports a child process (Xvfb, Chromium) that failed to start
// or exited early, with the last lines it printed.
type ProcessError struct {
	Process string // "Xvfb" or "chromium"
	Err     error  // the underlying error
	Output  string // the tail of the process's output
}

func (e *ProcessError) Error() string {
	msg := fmt.Sprintf("lkbrowser: %s: %v", e.Process, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "; output: " + lastLines(out, 5)
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *ProcessError) Unwrap() error { return e.Err }

// LoadError reports a navigation that failed, e.g. net::ERR_NAME_NOT_RESOLVED.
type LoadError struct {
	URL  string // the URL that failed to load
	Text string // Chromium's error text
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("lkbrowser: load %s: %s", e.URL, e.Text)
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// ErrInvalidInput marks an input event that was refused: an unknown mouse
// button or key, coordinates far outside the page, text too long.
var ErrInvalidInput = errors.New("invalid input")

// ErrAudio marks a failure of the engine's sound server; see AudioFailed.
var ErrAudio = errors.New("lkbrowser: audio")

// ErrResultTooLarge is matched by the error of an Eval whose result is
// larger than MaxEvalResult.
var ErrResultTooLarge = errors.New("lkbrowser: eval result too large")

// ErrInvalidRestartPolicy marks a PageOptions.Restart that was refused.
var ErrInvalidRestartPolicy = errors.New("invalid restart policy")

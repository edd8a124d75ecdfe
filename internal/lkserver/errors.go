package lkserver

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotInstalled is matched (errors.Is) by the error of Start when no
// livekit-server binary is found.
var ErrNotInstalled = errors.New("lkserver: livekit-server is not installed")

// ErrClosed is returned by Restart after Close.
var ErrClosed = errors.New("lkserver: server closed")

// NotInstalledError reports that no livekit-server binary was found; it
// matches ErrNotInstalled (errors.Is).
type NotInstalledError struct {
	Searched []string // the places looked in, as the message names them
}

// Error implements error: the places searched and the setup script.
func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("%v (looked for %s); run `bash scripts/setup.sh` to install livekit-server v1.13.5",
		ErrNotInstalled, strings.Join(e.Searched, ", "))
}

// Is makes the error match ErrNotInstalled.
func (e *NotInstalledError) Is(target error) bool { return target == ErrNotInstalled }

// notInstalled returns the error naming the places searched.
func notInstalled(searched []string) error { return &NotInstalledError{Searched: searched} }

// StartError reports a livekit-server that exited or did not get ready.
type StartError struct {
	Binary string // the binary started
	Err    error  // what went wrong: the exit status, or the context's error
	Output string // the tail of the server's stdout and stderr
}

// Error implements error; it includes the tail of the server's output.
func (e *StartError) Error() string {
	msg := fmt.Sprintf("lkserver: start %s: %v", e.Binary, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "; output:\n" + out
	}
	return msg
}

// Unwrap returns Err.
func (e *StartError) Unwrap() error { return e.Err }

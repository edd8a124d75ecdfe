package dispatch

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotAccepted is matched by a *NotAcceptedError.
var ErrNotAccepted = errors.New("dispatch: no worker accepted the page")

// ErrRoomClosed ends a Dispatch whose room no longer exists.
var ErrRoomClosed = errors.New("dispatch: the room is closed")

// ErrClosed is returned by Dispatch.Err after Close.
var ErrClosed = errors.New("dispatch: closed")

// ErrInvalidConfig marks a Config that New refuses.
var ErrInvalidConfig = errors.New("dispatch: invalid config")

// NotAcceptedError reports a page that no worker took within the timeout.
type NotAcceptedError struct {
	Room, AgentName string
	Waited          time.Duration
	Attempts        int    // dispatches created
	Assigned        bool   // a worker took a job but its page was never published
	Last            string // what the last attempt saw
}

// Error implements error.
func (e *NotAcceptedError) Error() string {
	why := "every worker is full or draining, or none is registered under that agent name"
	if e.Assigned {
		why = "a worker took the job but its page was not published: " + e.Last
	}
	return fmt.Sprintf("dispatch: no %q worker accepted the page for room %q within %v (%d dispatches tried): %s",
		e.AgentName, e.Room, e.Waited.Round(100*time.Millisecond), e.Attempts, why)
}

// Is makes errors.Is(err, ErrNotAccepted) true.
func (e *NotAcceptedError) Is(target error) bool { return target == ErrNotAccepted }

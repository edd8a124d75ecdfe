package pulsecap

import (
	"errors"
	"fmt"
)

// Sentinel errors. An *Error matches (errors.Is) at most one of them,
// according to how the bridge classified the failure; its Code and Text hold
// the PulseAudio error behind it.
var (
	// ErrConnect: no server at that address (no such socket, connection
	// refused, unparsable server string, access denied).
	ErrConnect = errors.New("pulsecap: cannot connect to PulseAudio server")
	// ErrTooManyClients: the socket connected but the server hung up before
	// answering the handshake, which is how PulseAudio's native protocol
	// refuses a connection beyond its fixed limit of 64 clients per server
	// (counting every client: Chromium's, recorders, control connections).
	// libpulse reports it as PA_ERR_CONNECTIONTERMINATED ("Connection
	// terminated"); there is no dedicated error code. A server that is
	// almost out of file descriptors hangs up the same way; one that is
	// completely out cannot even accept, and the client gets ErrTimeout.
	ErrTooManyClients = errors.New("pulsecap: server refused the connection (too many clients)")
	// ErrTimeout: the server did not answer within the timeout.
	ErrTimeout = errors.New("pulsecap: timeout waiting for PulseAudio server")
	// ErrConnectionLost: the connection broke (the server died or hung up).
	ErrConnectionLost = errors.New("pulsecap: connection to PulseAudio server lost")
	// ErrKilled: the server killed the record stream, because its source
	// went away (for example the sink was unloaded). The connection itself
	// is fine.
	ErrKilled = errors.New("pulsecap: stream killed by the server (source removed)")
	// ErrNoEntity: no such sink, source or module (PA_ERR_NOENTITY).
	ErrNoEntity = errors.New("pulsecap: no such sink, source or module")
	// ErrInvalid: an invalid argument, caught locally or by the server.
	ErrInvalid = errors.New("pulsecap: invalid argument")
	// ErrClosed: the Ctl or Recorder was closed (also returned by a Read
	// that Close interrupted).
	ErrClosed = errors.New("pulsecap: use of closed connection")
	// ErrExist: LoadNullSink was given the name of an existing sink.
	ErrExist = errors.New("pulsecap: a sink with that name exists")
)

// Kinds of failure: the status codes of bridge.h (LKP_ERR_*).
const (
	kindConnect  = 1
	kindTooMany  = 2
	kindTimeout  = 3
	kindLost     = 4
	kindKilled   = 5
	kindNoEntity = 6
	kindPA       = 7
	kindNoMem    = 8
	kindArg      = 9
	kindClosed   = 10
	kindExist    = 11
)

// Error is a failure reported by libpulse or the server.
type Error struct {
	Op   string // the operation: "dial", "load null sink", "read", ...
	Code int    // the PulseAudio error code (PA_ERR_*), 0 if none
	Text string // pa_strerror(Code), or a description if Code is 0
	kind int    // bridge status, selects the sentinel
}

var kindText = map[int]string{
	kindConnect:  "cannot connect",
	kindTooMany:  "too many clients (server hung up during the handshake)",
	kindTimeout:  "timeout",
	kindLost:     "connection lost",
	kindKilled:   "stream killed by the server",
	kindNoEntity: "no such entity",
	kindPA:       "PulseAudio error",
	kindNoMem:    "out of memory or threads",
	kindArg:      "invalid argument",
	kindClosed:   "closed",
	kindExist:    "sink name in use",
}

func (e *Error) Error() string {
	k, ok := kindText[e.kind]
	if !ok {
		k = fmt.Sprintf("status %d", e.kind)
	}
	msg := "pulsecap: " + e.Op + ": " + k
	if e.Text != "" {
		msg += ": " + e.Text
	}
	if e.Code != 0 {
		msg += fmt.Sprintf(" (PA error %d)", e.Code)
	}
	return msg
}

// Is reports whether target is the sentinel error of e's kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrConnect:
		return e.kind == kindConnect
	case ErrTooManyClients:
		return e.kind == kindTooMany
	case ErrTimeout:
		return e.kind == kindTimeout
	case ErrConnectionLost:
		return e.kind == kindLost
	case ErrKilled:
		return e.kind == kindKilled
	case ErrNoEntity:
		return e.kind == kindNoEntity
	case ErrInvalid:
		return e.kind == kindArg
	case ErrClosed:
		return e.kind == kindClosed
	case ErrExist:
		return e.kind == kindExist
	}
	return false
}

// errArg is a local argument check's error (no PulseAudio code).
func errArg(op, why string) error {
	return &Error{Op: op, Text: why, kind: kindArg}
}

// validName reports whether s is a sink name LoadNullSink accepts:
// [A-Za-z0-9_.-]{1,128} (module arguments are not quoted).
func validName(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

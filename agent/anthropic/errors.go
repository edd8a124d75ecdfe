package anthropic

import "errors"

// Sentinel errors. Match them with errors.Is.
var (
	// ErrInvalidOptions marks Options that New refused.
	ErrInvalidOptions = errors.New("anthropic: invalid options")
	// ErrInvalidRequest marks an agent.Request that Step cannot send (no
	// display size, an empty message).
	ErrInvalidRequest = errors.New("anthropic: invalid request")
	// ErrIncomplete marks a streamed answer that ended before its
	// message_stop event.
	ErrIncomplete = errors.New("anthropic: the answer's stream ended early")
)

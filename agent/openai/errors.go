package openai

import "errors"

// Sentinel errors. Match them with errors.Is.
var (
	// ErrInvalidOptions marks Options that New refused.
	ErrInvalidOptions = errors.New("openai: invalid options")
	// ErrInvalidRequest marks an agent.Request that Step cannot send.
	ErrInvalidRequest = errors.New("openai: invalid request")
	// ErrResponse marks a response the API reports failed or incomplete.
	ErrResponse = errors.New("openai: the response failed")
)

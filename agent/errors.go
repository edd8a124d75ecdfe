package agent

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is; the errors the package
// returns wrap them with details.
var (
	// ErrInvalidArgument marks an argument New or Run refused.
	ErrInvalidArgument = errors.New("agent: invalid argument")
	// ErrUnknownTool marks a tool call naming a tool the agent does not
	// offer. It goes back to the model as an error result.
	ErrUnknownTool = errors.New("agent: unknown tool")
	// ErrUnknownAction marks a computer-tool call naming an action the tool
	// does not have. It goes back to the model as an error result.
	ErrUnknownAction = errors.New("agent: unknown action")
	// ErrInvalidInput marks a tool call whose input is not valid JSON or
	// lacks, or mistypes, a field. It goes back to the model as an error
	// result.
	ErrInvalidInput = errors.New("agent: invalid tool input")
	// ErrNotExecuted marks a tool call the agent skipped: an earlier call of
	// the same turn failed (its later calls assumed it had worked), or the
	// Run ended first. It goes back to the model as an error result.
	ErrNotExecuted = errors.New("agent: not executed")
	// ErrURLNotAllowed marks a navigate call to a URL whose scheme
	// Options.NavigateSchemes does not list. It goes back to the model as
	// an error result.
	ErrURLNotAllowed = errors.New("agent: URL not allowed")
	// ErrPageChanged is what a Gate returns (wrapped or not) when it let
	// the agent act again after someone else used the page: the action
	// the model planned is not performed, since the page it saw is gone;
	// the model gets an error result that says so, with a fresh
	// screenshot, and the Run goes on. The turn's later calls are not
	// performed either.
	ErrPageChanged = errors.New("agent: the page changed while the agent waited")
	// ErrModel marks a failed model call (the provider's error is wrapped
	// too); it ends the Run with Reason ReasonError.
	ErrModel = errors.New("agent: model call failed")
)

// InputError is a tool call the agent could not read: input that is not
// valid JSON or lacks or mistypes a field (Err ErrInvalidInput), an action
// the computer tool does not have (ErrUnknownAction), or a tool the agent
// does not offer (ErrUnknownTool). Providers return it for the calls they
// map; the loop answers it to the model as an error result.
type InputError struct {
	Tool   string // the tool's name as the model called it
	Action string // the computer action, for the computer tool
	Field  string // the offending input field, if one
	Reason string // what is wrong, for the model to read
	Err    error  // ErrInvalidInput, ErrUnknownAction or ErrUnknownTool
}

func (e *InputError) Error() string {
	what := e.Tool
	if e.Action != "" {
		what += " " + e.Action
	}
	if e.Field != "" {
		what += ": " + e.Field
	}
	if e.Reason == "" {
		return fmt.Sprintf("%v: %s", e.Err, what)
	}
	return fmt.Sprintf("%v: %s: %s", e.Err, what, e.Reason)
}

// Unwrap returns the sentinel error.
func (e *InputError) Unwrap() error { return e.Err }

func invalidArg(what, reason string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidArgument, what, reason)
}

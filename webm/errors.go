package webm

import (
	"errors"
	"fmt"

	"github.com/lkbrowser/lkbrowser"
)

// ErrInvalidBitrate marks a bitrate out of range in Options. The error
// returned is an *lkbrowser.InvalidArgumentError that matches it.
var ErrInvalidBitrate = errors.New("invalid bitrate")

// invalidArg describes a refused option in the root package's one-line
// form, so that errors.As finds the same type for every refused argument.
func invalidArg(sentinel error, arg string, value any, reason string) error {
	return &lkbrowser.InvalidArgumentError{Arg: arg, Value: fmt.Sprint(value), Reason: reason, Err: sentinel}
}

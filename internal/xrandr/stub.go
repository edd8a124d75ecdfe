//go:build !linux || !cgo

package xrandr

import (
	"errors"
	"fmt"
)

var errUnsupported = fmt.Errorf("xrandr: needs linux and cgo: %w", errors.ErrUnsupported)

// SetRefresh always fails with an error wrapping errors.ErrUnsupported.
func SetRefresh(display string, cookie []byte, hz int) error { return errUnsupported }

// Refresh always fails with an error wrapping errors.ErrUnsupported.
func Refresh(display string, cookie []byte) (float64, error) { return 0, errUnsupported }

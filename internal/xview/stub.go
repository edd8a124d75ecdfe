//go:build !linux || !cgo

package xview

import (
	"errors"
	"fmt"
	"time"
)

var errUnsupported = fmt.Errorf("xview: needs linux and cgo: %w", errors.ErrUnsupported)

// Window is unavailable without Linux and cgo.
type Window struct{}

// Open always fails with an error wrapping errors.ErrUnsupported.
func Open(title string, w, h int) (*Window, error) { return nil, errUnsupported }

func (win *Window) ID() uint32                             { return 0 }
func (win *Window) Size() (w, h int)                       { return 0, 0 }
func (win *Window) Put(pix []byte, stride, w, h int) error { return errUnsupported }
func (win *Window) SetTitle(title string) error            { return errUnsupported }
func (win *Window) Wake()                                  {}
func (win *Window) Close() error                           { return nil }

func (win *Window) Wait(timeout time.Duration, dst []Event) ([]Event, error) {
	return dst[:0], errUnsupported
}

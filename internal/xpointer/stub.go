//go:build !linux || !cgo

package xpointer

import (
	"errors"
	"fmt"
)

// Conn is unavailable without Linux and cgo.
type Conn struct{}

// Open fails without Linux and cgo.
func Open(string, []byte) (*Conn, error) {
	return nil, fmt.Errorf("xpointer: needs linux and cgo: %w", errors.ErrUnsupported)
}

// Close does nothing.
func (*Conn) Close() error { return nil }

// PopupAt fails without Linux and cgo.
func (*Conn) PopupAt(int, int) (bool, error) { return false, ErrClosed }

// Fake fails without Linux and cgo.
func (*Conn) Fake(Event, int, int, int) error { return ErrClosed }

//go:build !linux || !cgo

package pulsecap

import (
	"errors"
	"testing"
	"time"
)

func TestStubUnsupported(t *testing.T) {
	if _, err := Dial("unix:/nonexistent", time.Second); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Dial: %v, want errors.ErrUnsupported", err)
	}
	if _, err := Record("", "x.monitor", 48000, 2, 0, time.Second); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Record: %v, want errors.ErrUnsupported", err)
	}
}

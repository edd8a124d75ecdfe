//go:build !linux || !cgo

package vpx

import (
	"errors"
	"testing"
)

func TestStubUnsupported(t *testing.T) {
	if _, err := NewEncoder(EncoderConfig{Width: 64, Height: 64, BitrateKbps: 100}); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("NewEncoder: %v, want errors.ErrUnsupported", err)
	}
	if _, err := NewDecoder(); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("NewDecoder: %v, want errors.ErrUnsupported", err)
	}
}

//go:build !linux || !cgo

package xcap

import (
	"errors"
	"testing"
)

func TestStubUnsupported(t *testing.T) {
	if _, err := Open(":0", nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Open: %v, want errors.ErrUnsupported", err)
	}
}

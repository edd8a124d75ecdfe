//go:build linux && cgo

package xpointer

import (
	"errors"
	"testing"

	"github.com/lkbrowser/lkbrowser/internal/testing/xtest"
)

func TestOpenQueryAndClose(t *testing.T) {
	if _, err := Open(":65000", nil); err == nil {
		t.Fatal("Open of a display nobody serves succeeded")
	} else if e := (*Error)(nil); !errors.As(err, &e) || e.Op != "open" {
		t.Fatalf("error %v, want an *Error of open", err)
	}
	d := xtest.Start(t, 320, 240, 24)
	c, err := Open(d.Display, d.Cookie)
	if err != nil {
		t.Fatal(err)
	}
	// A bare display has no popup window.
	if on, err := c.PopupAt(10, 10); err != nil || on {
		t.Errorf("PopupAt on a bare display = %v, %v; want false, nil", on, err)
	}
	if err := c.Fake(Motion, 1, 20, 20); err != nil {
		t.Error(err)
	}
	if err := c.Fake(Event(9), 1, 20, 20); err == nil {
		t.Error("Fake of an unknown event succeeded")
	}
	c.Close()
	c.Close()
	if _, err := c.PopupAt(1, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("PopupAt after Close = %v, want ErrClosed", err)
	}
}

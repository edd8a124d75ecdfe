//go:build linux && cgo

package xrandr

import (
	"errors"
	"testing"

	"github.com/lkbrowser/lkbrowser/internal/testing/xtest"
)

// A fresh Xvfb reports no rate; after SetRefresh it reports the rate asked
// for, again and again (the mode made the first time is found and reused),
// and the screen keeps its size.
func TestSetRefresh(t *testing.T) {
	x := xtest.Start(t, 641, 361, 24)
	hz, err := Refresh(x.Display, x.Cookie)
	if err != nil {
		t.Fatal(err)
	}
	if hz != 0 {
		t.Errorf("a fresh Xvfb refreshes at %v Hz, want 0 (no timings)", hz)
	}
	for _, want := range []int{30, 25, 30, 60, 1} {
		if err := SetRefresh(x.Display, x.Cookie, want); err != nil {
			t.Fatalf("SetRefresh(%d): %v", want, err)
		}
		got, err := Refresh(x.Display, x.Cookie)
		if err != nil {
			t.Fatal(err)
		}
		if got != float64(want) {
			t.Errorf("after SetRefresh(%d) the display refreshes at %v Hz", want, got)
		}
	}
}

// Bad rates and unreachable or unauthenticated displays are typed errors.
func TestErrors(t *testing.T) {
	x := xtest.Start(t, 320, 240, 24)
	for _, hz := range []int{0, -1, MaxRefresh + 1} {
		if err := SetRefresh(x.Display, x.Cookie, hz); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetRefresh(%d): %v, want ErrInvalid", hz, err)
		}
	}
	var e *Error
	if err := SetRefresh(x.Display, []byte("wrong cookie 16b"), 30); !errors.As(err, &e) || e.Code != CodeConnect {
		t.Errorf("wrong cookie: %v, want CodeConnect", err)
	}
	if _, err := Refresh(":65000", nil); !errors.As(err, &e) || e.Code != CodeConnect {
		t.Errorf("no such display: %v, want CodeConnect", err)
	}
	if got, err := Refresh(x.Display, x.Cookie); err != nil || got != 0 {
		t.Errorf("the failed calls changed the display: %v Hz, %v", got, err)
	}
}

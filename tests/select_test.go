package tests

import (
	"context"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// findColour returns the middle of the pixels of colour c in f, and how
// many there are.
func findColour(f *lkbrowser.Frame, c rgb) (x, y, n int) {
	for py := 0; py < f.Height; py++ {
		for px := 0; px < f.Width; px++ {
			if near(f, px, py, c, 2) {
				x, y, n = x+px, y+py, n+1
			}
		}
	}
	if n > 0 {
		x, y = x/n, y/n
	}
	return x, y, n
}

// TestClickChoosesSelectOption opens a <select>, finds its third option
// where the open list is drawn (the list is an X window of its own, outside
// the page's widget) and clicks it, through Click and through
// SendMouseMove + SendMouseClick.
func TestClickChoosesSelectOption(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("select.html"), Width: 640, Height: 480})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 200, 38, rgb{255, 255, 0}) // the closed select
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	blue, magenta := rgb{0, 0, 255}, rgb{255, 0, 255}
	for i, pick := range []struct {
		colour rgb
		value  string
		click  func(x, y int) error
	}{
		{blue, "three", func(x, y int) error { return p.Click(ctx, x, y) }},
		{magenta, "four", func(x, y int) error {
			ev := lkbrowser.MouseEvent{X: x, Y: y}
			for _, err := range []error{p.SendMouseMove(ctx, ev, false),
				p.SendMouseClick(ctx, ev, lkbrowser.MouseLeft, false, 1),
				p.SendMouseClick(ctx, ev, lkbrowser.MouseLeft, true, 1)} {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		if err := p.Click(ctx, 200, 38); err != nil { // opens the list
			t.Fatal(err)
		}
		var x, y, n int
		waitFrame(t, p, 5*time.Second, func(f *lkbrowser.Frame) bool {
			x, y, n = findColour(f, pick.colour)
			return n > 100
		}).Release()
		t.Logf("option %q drawn around %d,%d (%d px)", pick.value, x, y, n)
		if y <= 56 {
			t.Fatalf("option %q at y %d: not in the open list below the select", pick.value, y)
		}
		if err := pick.click(x, y); err != nil {
			t.Fatal(err)
		}
		eventually(t, p, `document.getElementById('pick').value`, pick.value)
		eventually(t, p, `window.changes.length`, float64(i+1))
		if got := testsupport.EvalAs[string](t, p, `window.changes.join(',')`); got != []string{"three", "three,four"}[i] {
			t.Errorf("change events %q", got)
		}
		// The list is closed: the option's colour is gone from the frames.
		waitFrame(t, p, 5*time.Second, func(f *lkbrowser.Frame) bool {
			_, _, n := findColour(f, pick.colour)
			return n < 20
		}).Release()
	}
	// Ordinary clicks on the page still go through the DevTools protocol.
	if err := p.Click(ctx, 500, 400); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.activeElement.id`, "")
}

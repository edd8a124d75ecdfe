package tests

import (
	"context"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

func TestCursorChangesCarryCSSNames(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("cursors.html"), Width: 640, Height: 480})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 10, 10, rgb{0xdd, 0xdd, 0xdd}) // the link's box
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Each step moves the mouse over one element and expects its cursor;
	// "default" in between makes every step a change.
	steps := []struct {
		x, y int
		want string
	}{
		{50, 30, "pointer"}, {600, 400, "default"},
		{170, 30, "text"}, {600, 400, "default"},
		{290, 30, "crosshair"}, {600, 400, "default"},
		{410, 30, "wait"}, {50, 110, "grab"}, {170, 110, "not-allowed"},
		{290, 110, "ew-resize"}, {410, 110, "none"}, {50, 190, "help"},
		{170, 190, "move"}, {290, 190, "progress"}, {410, 190, "grabbing"},
		{600, 400, "default"},
	}
	for _, s := range steps {
		if err := p.SendMouseMove(ctx, lkbrowser.MouseEvent{X: s.x, Y: s.y}, false); err != nil {
			t.Fatal(err)
		}
		// The first lookup may wait for the engine's one-time calibration.
		waitEvent(t, p, 20*time.Second, "cursor "+s.want, func(ev lkbrowser.Event) bool {
			c, ok := ev.(*lkbrowser.CursorChanged)
			return ok && c.Cursor == s.want
		})
		if got := p.Cursor(); got != s.want {
			t.Errorf("Cursor() = %q after moving to %d,%d, want %q", got, s.x, s.y, s.want)
		}
	}
}

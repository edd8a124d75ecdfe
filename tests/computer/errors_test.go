package computer

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/computer"
)

// TestComputerRefusedActions: coordinates off the display, an unknown
// kind and malformed fields are typed errors, and the page receives
// nothing of a refused action (not even its modifiers' keydowns).
func TestComputerRefusedActions(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	do(t, c, computer.Action{Kind: computer.MouseMove, Point: pt(10, 10)})
	clearEvents(t, p)
	for _, tc := range []struct {
		name string
		a    computer.Action
		off  bool
	}{
		{"click right of the display", computer.Action{Kind: computer.Click, Point: pt(640, 10), Keys: "shift"}, true},
		{"click above the display", computer.Action{Kind: computer.Click, Point: pt(10, -1)}, true},
		{"move below the display", computer.Action{Kind: computer.MouseMove, Point: pt(10, 360)}, true},
		{"drag ending off the display", computer.Action{Kind: computer.Drag, Path: []image.Point{{10, 10}, {700, 10}}}, true},
		{"scroll off the display", computer.Action{Kind: computer.Scroll, Point: pt(-5, 10), Direction: computer.Down}, true},
		{"zoom past the edge", computer.Action{Kind: computer.Zoom, Region: image.Rect(600, 300, 700, 400)}, true},
		{"unknown kind", computer.Action{Kind: "fly", Point: pt(10, 10)}, false},
		{"empty kind", computer.Action{}, false},
		{"unknown key", computer.Action{Kind: computer.Key, Keys: "ctrl+nosuchkey"}, false},
		{"two main keys", computer.Action{Kind: computer.Key, Keys: "a+b"}, false},
		{"non-modifier held", computer.Action{Kind: computer.Click, Point: pt(10, 10), Keys: "ctrl+a"}, false},
		{"quadruple click", computer.Action{Kind: computer.Click, Point: pt(10, 10), Count: 4}, false},
		{"unknown button", computer.Action{Kind: computer.Click, Point: pt(10, 10), Button: "fourth"}, false},
		{"scroll without direction", computer.Action{Kind: computer.Scroll, Point: pt(10, 10)}, false},
		{"scroll both ways", computer.Action{Kind: computer.Scroll, Point: pt(10, 10), Direction: computer.Up, DeltaY: 5}, false},
		{"move without a point", computer.Action{Kind: computer.MouseMove}, false},
		{"drag of one point", computer.Action{Kind: computer.Drag, Path: []image.Point{{10, 10}}}, false},
		{"empty text", computer.Action{Kind: computer.Type}, false},
		{"negative wait", computer.Action{Kind: computer.Wait, Duration: -time.Second}, false},
		{"bad format", computer.Action{Kind: computer.Screenshot, Format: "gif"}, false},
	} {
		res, err := c.Do(context.Background(), tc.a)
		var ae *computer.ActionError
		switch {
		case err == nil:
			t.Errorf("%s: accepted", tc.name)
			continue
		case !errors.As(err, &ae) || ae.Kind != tc.a.Kind:
			t.Errorf("%s: %v (%T), want an *ActionError of kind %q", tc.name, err, err, tc.a.Kind)
		case !errors.Is(err, computer.ErrInvalidAction):
			t.Errorf("%s: %v does not match ErrInvalidAction", tc.name, err)
		case errors.Is(err, computer.ErrOffDisplay) != tc.off:
			t.Errorf("%s: %v matches ErrOffDisplay: %v, want %v", tc.name, err, !tc.off, tc.off)
		}
		if res.Cursor != image.Pt(10, 10) || res.Image != nil {
			t.Errorf("%s: result %+v, want the pointer unmoved and no image", tc.name, res)
		}
		t.Logf("%s: %v", tc.name, err)
	}
	time.Sleep(200 * time.Millisecond) // anything sent would have arrived
	if evs := events(t, p); len(evs) != 0 {
		t.Errorf("the page received events of refused actions: %+v", evs)
	}
}

// TestComputerConcurrentActions: actions from several goroutines run one at
// a time, each whole.
func TestComputerConcurrentActions(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{})
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			_, err := c.Do(context.Background(), computer.Action{Kind: computer.Click, Point: pt(100+100*i, 200), Count: 2})
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// Each double click's events are together: down/up/click twice, dblclick.
	var seq []string
	for _, e := range events(t, p, "mousedown", "mouseup", "click", "dblclick") {
		seq = append(seq, e.T)
	}
	one := []string{"mousedown", "mouseup", "click", "mousedown", "mouseup", "click", "dblclick"}
	if len(seq) != 4*len(one) {
		t.Fatalf("page saw %d events, want %d: %v", len(seq), 4*len(one), seq)
	}
	for i := range 4 {
		if !equal(seq[i*len(one):(i+1)*len(one)], one) {
			t.Errorf("double click %d interleaved: %v", i, seq)
		}
	}
	if n := len(events(t, p, "dblclick")); n != 4 {
		t.Errorf("%d dblclicks, want 4", n)
	}
}

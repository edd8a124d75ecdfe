package computer

import (
	"errors"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

var testOpts, _ = Options{}.withDefaults()

func p(x, y int) *image.Point { q := image.Pt(x, y); return &q }

func TestPlanConverts(t *testing.T) {
	g := geometry{640, 360, 1280, 720}
	s, err := plan(Action{Kind: Click, Point: p(123, 45), Button: ButtonRight, Count: 2, Keys: "shift"}, g, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !s.hasPoint || s.disp != image.Pt(123, 45) || s.at != image.Pt(247, 91) || s.button != lkbrowser.MouseRight || s.count != 2 || len(s.mods) != 1 {
		t.Errorf("click planned as %+v", s)
	}
	s, _ = plan(Action{Kind: Click}, g, testOpts)
	if s.hasPoint || s.count != 1 || s.button != lkbrowser.MouseLeft {
		t.Errorf("bare click planned as %+v", s)
	}
	s, _ = plan(Action{Kind: Drag, Path: []image.Point{{0, 0}, {639, 359}}}, g, testOpts)
	if len(s.path) != 2 || s.path[0] != image.Pt(1, 1) || s.path[1] != image.Pt(1279, 719) || s.pathEnd != image.Pt(639, 359) {
		t.Errorf("drag planned as %+v", s)
	}
	s, _ = plan(Action{Kind: Zoom, Region: image.Rect(290, 140, 330, 180)}, g, testOpts)
	if s.region != image.Rect(580, 280, 660, 360) || s.format != PNG || s.quality != DefaultJPEGQuality {
		t.Errorf("zoom planned as %+v", s)
	}
	s, _ = plan(Action{Kind: Screenshot, Format: JPEG, Quality: 30}, g, testOpts)
	if s.format != JPEG || s.quality != 30 {
		t.Errorf("screenshot planned as %+v", s)
	}
	s, _ = plan(Action{Kind: HoldKey, Keys: "shift"}, g, testOpts)
	if s.dur != DefaultHoldDuration {
		t.Errorf("hold_key duration %v, want the default", s.dur)
	}
	s, _ = plan(Action{Kind: Wait}, g, testOpts)
	if s.dur != DefaultWaitDuration {
		t.Errorf("wait duration %v, want the default", s.dur)
	}
	s, _ = plan(Action{Kind: Key, Keys: "a"}, g, testOpts)
	if s.repeat != 1 {
		t.Errorf("key repeat %d, want 1", s.repeat)
	}
}

// Scroll deltas in lkbrowser's (CEF's) signs: positive up and left.
func TestPlanScroll(t *testing.T) {
	g := geometry{640, 360, 1280, 720}
	for _, tc := range []struct {
		a      Action
		dx, dy int
	}{
		{Action{Direction: Down}, 0, -360},
		{Action{Direction: Up, Amount: 1}, 0, 120},
		{Action{Direction: Left, Amount: 2}, 240, 0},
		{Action{Direction: Right, Amount: 5}, -600, 0},
		{Action{DeltaY: 100}, 0, -200},
		{Action{DeltaY: -25, DeltaX: 10}, -20, 50},
	} {
		tc.a.Kind = Scroll
		s, err := plan(tc.a, g, testOpts)
		if err != nil || s.wheelX != tc.dx || s.wheelY != tc.dy {
			t.Errorf("plan(%+v) = wheel %d,%d, %v; want %d,%d", tc.a, s.wheelX, s.wheelY, err, tc.dx, tc.dy)
		}
	}
}

func TestPlanRefuses(t *testing.T) {
	g := geometry{640, 360, 1280, 720}
	long := strings.Repeat("x", lkbrowser.MaxTypeText+1)
	for _, tc := range []struct {
		a     Action
		field string
		off   bool
	}{
		{Action{Kind: Click, Point: p(640, 0)}, "Point", true},
		{Action{Kind: Click, Point: p(0, 360)}, "Point", true},
		{Action{Kind: Click, Point: p(-1, 0)}, "Point", true},
		{Action{Kind: MouseDown, Point: p(0, -1)}, "Point", true},
		{Action{Kind: Scroll, Point: p(700, 0), Direction: Up}, "Point", true},
		{Action{Kind: Drag, Path: []image.Point{{0, 0}, {1, 1}, {640, 1}}}, "Path[2]", true},
		{Action{Kind: Zoom, Region: image.Rect(0, 0, 641, 10)}, "Region", true},
		{Action{Kind: Zoom, Region: image.Rect(-1, 0, 10, 10)}, "Region", true},
		{Action{Kind: Zoom, Region: image.Rect(10, 10, 10, 20)}, "Region", false},
		{Action{Kind: Zoom}, "Region", false},
		{Action{Kind: MouseMove}, "Point", false},
		{Action{Kind: Click, Count: 4}, "Count", false},
		{Action{Kind: Click, Count: -1}, "Count", false},
		{Action{Kind: Click, Button: "back"}, "Button", false},
		{Action{Kind: Click, Keys: "a"}, "Keys", false},
		{Action{Kind: Drag, Path: []image.Point{{0, 0}}}, "Path", false},
		{Action{Kind: Drag, Path: make([]image.Point, MaxPathPoints+1)}, "Path", false},
		{Action{Kind: Scroll}, "Direction", false},
		{Action{Kind: Scroll, Amount: 2}, "Direction", false},
		{Action{Kind: Scroll, Direction: "sideways"}, "Direction", false},
		{Action{Kind: Scroll, Direction: Up, Amount: MaxScroll + 1}, "Amount", false},
		{Action{Kind: Scroll, Direction: Up, Amount: -1}, "Amount", false},
		{Action{Kind: Scroll, Direction: Up, DeltaX: 1}, "DeltaX/DeltaY", false},
		{Action{Kind: Scroll, DeltaY: 1 << 20}, "DeltaX/DeltaY", false},
		{Action{Kind: Type}, "Text", false},
		{Action{Kind: Type, Text: "\xff"}, "Text", false},
		{Action{Kind: Type, Text: long}, "Text", false},
		{Action{Kind: Key}, "Keys", false},
		{Action{Kind: Key, Keys: "a", Repeat: MaxRepeat + 1}, "Repeat", false},
		{Action{Kind: Key, Keys: "a", Repeat: -2}, "Repeat", false},
		{Action{Kind: HoldKey, Keys: "a b"}, "Keys", false},
		{Action{Kind: HoldKey, Keys: "a", Duration: MaxDuration + 1}, "Duration", false},
		{Action{Kind: Wait, Duration: -1}, "Duration", false},
		{Action{Kind: Screenshot, Format: "webp"}, "Format", false},
		{Action{Kind: Screenshot, Format: JPEG, Quality: 101}, "Quality", false},
		{Action{Kind: "left_click"}, "Kind", false},
		{Action{}, "Kind", false},
	} {
		_, err := plan(tc.a, g, testOpts)
		var ae *ActionError
		if !errors.As(err, &ae) {
			t.Errorf("plan(%+v) = %v, want an *ActionError", tc.a, err)
			continue
		}
		if ae.Field != tc.field || ae.Kind != tc.a.Kind || !errors.Is(err, ErrInvalidAction) || errors.Is(err, ErrOffDisplay) != tc.off {
			t.Errorf("plan(%+v) = %v (field %q, off-display %v), want field %q, off-display %v", tc.a.Kind, err, ae.Field, errors.Is(err, ErrOffDisplay), tc.field, tc.off)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "computer: ") || strings.Contains(msg, "\n") || len(msg) > 300 {
			t.Errorf("error %q: want one line starting \"computer: \"", msg)
		}
	}
}

func TestActionErrorText(t *testing.T) {
	err := offDisplay(Click, "Point", "(%d,%d) is outside the %dx%d display", 700, 10, 640, 360)
	if got, want := err.Error(), "computer: click: Point (700,10) is outside the 640x360 display"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = refuse("some\nodd kind", "Kind", "is not an action")
	if got, want := err.Error(), "computer: action: Kind is not an action"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(ErrInvalidAction, ErrInvalidAction) || errors.Is(refuse(Key, "Keys", "x"), ErrOffDisplay) {
		t.Error("sentinels confused")
	}
}

func TestOptions(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil || o.Quiet != DefaultQuiet || o.SettleLimit != DefaultSettleLimit || o.JPEGQuality != 80 ||
		o.HoldDuration != DefaultHoldDuration || o.WaitDuration != DefaultWaitDuration || o.Logger == nil {
		t.Errorf("defaults %+v, %v", o, err)
	}
	for _, tc := range []struct {
		o     Options
		field string
	}{
		{Options{DisplayWidth: 640}, "DisplayWidth/DisplayHeight"},
		{Options{DisplayHeight: 480}, "DisplayWidth/DisplayHeight"},
		{Options{DisplayWidth: 8, DisplayHeight: 480}, "DisplayWidth"},
		{Options{DisplayWidth: 640, DisplayHeight: 5000}, "DisplayHeight"},
		{Options{DisplayWidth: -640, DisplayHeight: -480}, "DisplayWidth"},
		{Options{Quiet: -1}, "Quiet"},
		{Options{SettleLimit: -1}, "SettleLimit"},
		{Options{Quiet: 3 * time.Second}, "Quiet"},
		{Options{Quiet: time.Second, SettleLimit: 500 * time.Millisecond}, "Quiet"},
		{Options{JPEGQuality: 101}, "JPEGQuality"},
		{Options{JPEGQuality: -5}, "JPEGQuality"},
		{Options{HoldDuration: -1}, "HoldDuration"},
		{Options{WaitDuration: MaxDuration + 1}, "WaitDuration"},
	} {
		_, err := tc.o.withDefaults()
		var oe *OptionsError
		if !errors.As(err, &oe) || oe.Field != tc.field || !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("withDefaults(%+v) = %v, want an OptionsError on %s", tc.o, err, tc.field)
		} else if msg := err.Error(); !strings.HasPrefix(msg, "computer: invalid options: ") || strings.Contains(msg, "\n") {
			t.Errorf("error %q", msg)
		}
	}
	if _, err := New(nil, Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("New(nil) = %v, want ErrInvalidOptions", err)
	}
}

// A nil *Computer refuses rather than panics.
func TestNilComputer(t *testing.T) {
	var c *Computer
	if _, err := c.Do(t.Context(), Action{Kind: Screenshot}); err == nil {
		t.Error("Do on a nil Computer succeeded")
	}
	if w, h := c.Display(); w != 0 || h != 0 {
		t.Error("Display of a nil Computer")
	}
	if _, err := c.PagePoint(image.Pt(1, 1)); err == nil {
		t.Error("PagePoint on a nil Computer succeeded")
	}
	if _, err := c.Settle(t.Context()); err == nil {
		t.Error("Settle on a nil Computer succeeded")
	}
}

func TestDragSteps(t *testing.T) {
	steps := dragSteps([]image.Point{{0, 0}, {100, 0}, {100, 45}})
	// 100 px: 5 moves of 20; 45 px: 3 moves of 15.
	want := []image.Point{{20, 0}, {40, 0}, {60, 0}, {80, 0}, {100, 0}, {100, 15}, {100, 30}, {100, 45}}
	if len(steps) != len(want) {
		t.Fatalf("dragSteps = %v, want %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Errorf("step %d = %v, want %v", i, steps[i], want[i])
		}
	}
	// A long segment is bounded, and ends on its point.
	steps = dragSteps([]image.Point{{0, 0}, {2000, 0}})
	if len(steps) != dragMaxSteps || steps[len(steps)-1] != image.Pt(2000, 0) {
		t.Errorf("long drag: %d steps ending %v", len(steps), steps[len(steps)-1])
	}
	// Many points: the budget holds, every point is visited.
	path := make([]image.Point, 200)
	for i := range path {
		path[i] = image.Pt(i*3, i)
	}
	steps = dragSteps(path)
	if len(steps) != len(path)-1 || steps[len(steps)-1] != path[len(path)-1] {
		t.Errorf("200-point drag: %d steps", len(steps))
	}
	// A zero-length segment still moves once.
	if steps := dragSteps([]image.Point{{5, 5}, {5, 5}}); len(steps) != 1 || steps[0] != image.Pt(5, 5) {
		t.Errorf("zero-length drag: %v", steps)
	}
}

package computer

import (
	"image"
	"math"
	"testing"

	"github.com/lkbrowser/lkbrowser/computer"
)

// openPointer opens pointer.html at 1280x720 behind a 1024x576 display
// (1.25 page pixels per display pixel).
func openPointer(t *testing.T) (*computer.Computer, func() []event) {
	t.Helper()
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 1024, DisplayHeight: 576})
	return c, func() []event { return events(t, p) }
}

// TestComputerClickConvertsCoordinates clicks the button by its display
// coordinates on a display smaller than the page: the click lands where
// the display point is on the page, and the screenshot after it shows the
// button's new colour.
func TestComputerClickConvertsCoordinates(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 1024, DisplayHeight: 576})
	// The button spans page 800..1000 x 400..500: display 640..800 x 320..400.
	res := do(t, c, computer.Action{Kind: computer.Click, Point: pt(720, 360)})
	if res.Cursor != image.Pt(720, 360) {
		t.Errorf("Cursor %v after the click, want (720,360)", res.Cursor)
	}
	clicks := events(t, p, "click")
	if len(clicks) != 1 {
		t.Fatalf("page saw %d clicks, want 1: %+v", len(clicks), events(t, p))
	}
	// Display (720,360) is page (900.625, 450.625): pixel (900, 450).
	if clicks[0].X != 900 || clicks[0].Y != 450 || clicks[0].B != 0 || clicks[0].D != 1 {
		t.Errorf("click at %v,%v button %d detail %d; want 900,450 left, detail 1", clicks[0].X, clicks[0].Y, clicks[0].B, clicks[0].D)
	}
	if n := evalAs[int](t, p, `window.hits`); n != 1 {
		t.Errorf("button clicked %d times", n)
	}
	shot := decode(t, do(t, c, computer.Action{Kind: computer.Screenshot}).Image)
	if got := pixel(shot, 720, 360); !got.near(green, 8) {
		t.Errorf("screenshot right after the click shows %v on the button, want green", got)
	}
	// A click beside the button (display 630 is page 788) misses it.
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(630, 360)})
	if n := evalAs[int](t, p, `window.hits`); n != 1 {
		t.Errorf("a click left of the button hit it (%d hits)", n)
	}
}

// TestComputerClickButtons presses the right and middle buttons.
func TestComputerClickButtons(t *testing.T) {
	c, seen := openPointer(t)
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(100, 100), Button: computer.ButtonRight})
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(100, 100), Button: computer.ButtonMiddle})
	var got []string
	for _, e := range seen() {
		switch e.T {
		case "mousedown", "mouseup", "contextmenu", "auxclick":
			got = append(got, e.T+":"+string(rune('0'+e.B)))
		}
	}
	want := []string{"mousedown:2", "mouseup:2", "contextmenu:2", "auxclick:2", "mousedown:1", "mouseup:1", "auxclick:1"}
	if !equal(got, want) {
		// Chromium on Linux fires contextmenu on the press.
		alt := []string{"mousedown:2", "contextmenu:2", "mouseup:2", "auxclick:2", "mousedown:1", "mouseup:1", "auxclick:1"}
		if !equal(got, alt) {
			t.Errorf("page saw %v, want %v", got, want)
		}
	}
}

// TestComputerDoubleAndTripleClick: a double click is presses with click
// counts 1 then 2, so the page fires dblclick; a triple click counts 1, 2, 3.
func TestComputerDoubleAndTripleClick(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 1024, DisplayHeight: 576})
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(100, 100), Count: 2})
	if d := details(events(t, p, "click")); !equal(d, []int{1, 2}) {
		t.Errorf("double click: click details %v, want [1 2]", d)
	}
	if n := len(events(t, p, "dblclick")); n != 1 {
		t.Errorf("double click: %d dblclick events, want 1", n)
	}
	clearEvents(t, p)
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(300, 100), Count: 3})
	if d := details(events(t, p, "click")); !equal(d, []int{1, 2, 3}) {
		t.Errorf("triple click: click details %v, want [1 2 3]", d)
	}
	if d := details(events(t, p, "mousedown")); !equal(d, []int{1, 2, 3}) {
		t.Errorf("triple click: mousedown details %v, want [1 2 3]", d)
	}
	if n := len(events(t, p, "dblclick")); n != 1 {
		t.Errorf("triple click: %d dblclick events, want 1", n)
	}
}

// TestComputerClickWithModifiers holds modifiers around a click: the page
// sees their keydowns before the press, the flags on every mouse event and
// their keyups after the release.
func TestComputerClickWithModifiers(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{})
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(200, 200), Keys: "shift+ctrl"})
	var got []string
	for _, e := range events(t, p, "keydown", "keyup", "mousedown", "mouseup", "click") {
		s := e.T
		if e.Key != "" {
			s += ":" + e.Key
		}
		got = append(got, s)
		if e.T == "mousedown" || e.T == "mouseup" || e.T == "click" {
			if !e.Shift || !e.Ctrl || e.Alt || e.Meta {
				t.Errorf("%s with shift %v ctrl %v alt %v meta %v, want shift and ctrl only", e.T, e.Shift, e.Ctrl, e.Alt, e.Meta)
			}
		}
	}
	want := []string{"keydown:Shift", "keydown:Control", "mousedown", "mouseup", "click", "keyup:Control", "keyup:Shift"}
	if !equal(got, want) {
		t.Errorf("page saw %v, want %v", got, want)
	}
	// alt and super (the Meta key) too.
	clearEvents(t, p)
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(200, 200), Keys: "alt+super"})
	cl := events(t, p, "click")
	if len(cl) != 1 || cl[0].Shift || cl[0].Ctrl || !cl[0].Alt || !cl[0].Meta {
		t.Errorf("alt+super click: %+v, want alt and meta only", cl)
	}
}

// TestComputerMouseMoveAndCursorPosition: the page sees the move at the
// converted point and cursor_position reports the display point.
func TestComputerMouseMoveAndCursorPosition(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	do(t, c, computer.Action{Kind: computer.MouseMove, Point: pt(123, 45), Keys: "shift"})
	moves := events(t, p, "mousemove")
	if len(moves) == 0 {
		t.Fatal("page saw no mousemove")
	}
	last := moves[len(moves)-1]
	if last.X != 247 || last.Y != 91 || !last.Shift {
		t.Errorf("mousemove at %v,%v shift %v, want 247,91 (display 123,45 doubled, pixel centre) with shift", last.X, last.Y, last.Shift)
	}
	res := do(t, c, computer.Action{Kind: computer.CursorPosition})
	if res.Cursor != image.Pt(123, 45) {
		t.Errorf("cursor_position %v, want (123,45)", res.Cursor)
	}
	if res.Image != nil || res.Settled != (computer.Settle{}) {
		t.Errorf("cursor_position returned an image or waited: %+v", res)
	}
}

// TestComputerMouseDownUp presses at a point, moves with the button held
// (a drag the page sees with buttons=1) and releases where the pointer is.
func TestComputerMouseDownUp(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{})
	do(t, c, computer.Action{Kind: computer.MouseDown, Point: pt(100, 120)})
	do(t, c, computer.Action{Kind: computer.MouseMove, Point: pt(300, 320)})
	res := do(t, c, computer.Action{Kind: computer.MouseUp})
	if res.Cursor != image.Pt(300, 320) {
		t.Errorf("Cursor %v, want (300,320)", res.Cursor)
	}
	evs := events(t, p, "mousedown", "mousemove", "mouseup")
	if len(evs) < 3 {
		t.Fatalf("page saw %+v", evs)
	}
	down, up := find(evs, "mousedown"), find(evs, "mouseup")
	if down == nil || down.X != 100 || down.Y != 120 {
		t.Errorf("mousedown %+v, want at 100,120", down)
	}
	if up == nil || up.X != 300 || up.Y != 320 {
		t.Errorf("mouseup %+v, want at 300,320 (the pointer)", up)
	}
	held := false
	for _, e := range evs {
		if e.T == "mousemove" && e.X == 300 && e.Y == 320 && e.Bs == 1 {
			held = true
		}
	}
	if !held {
		t.Errorf("no mousemove to 300,320 with the left button held: %+v", evs)
	}
}

// TestComputerDrag drags along a three-point path with shift held: the
// press at the first point, moves through the corner with the button held,
// the release at the last point.
func TestComputerDrag(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	// Display (50,50) (250,50) (250,150) is page (101,101) (501,101) (501,301).
	res := do(t, c, computer.Action{Kind: computer.Drag, Keys: "shift",
		Path: []image.Point{{50, 50}, {250, 50}, {250, 150}}})
	if res.Cursor != image.Pt(250, 150) {
		t.Errorf("Cursor %v after the drag, want (250,150)", res.Cursor)
	}
	evs := events(t, p, "mousedown", "pointermove", "mouseup")
	down, up := find(evs, "mousedown"), find(evs, "mouseup")
	if down == nil || down.X != 101 || down.Y != 101 || !down.Shift {
		t.Fatalf("mousedown %+v, want at 101,101 with shift", down)
	}
	if up == nil || up.X != 501 || up.Y != 301 || !up.Shift {
		t.Fatalf("mouseup %+v, want at 501,301 with shift", up)
	}
	// Every position the page saw between press and release, coalesced
	// moves included.
	var path [][2]int
	pressed := false
	for _, e := range evs {
		switch e.T {
		case "mousedown":
			pressed = true
		case "mouseup":
			pressed = false
		case "pointermove":
			if pressed {
				if e.Bs != 1 || !e.Shift {
					t.Errorf("move during the drag with buttons %d shift %v", e.Bs, e.Shift)
				}
				path = append(path, e.Pts...)
			}
		}
	}
	if len(path) < 10 {
		t.Fatalf("only %d positions between press and release: %v", len(path), path)
	}
	corner := false
	for i, q := range path {
		if q == [2]int{501, 101} {
			corner = true
		}
		// Along the path: first the top edge, then the right one.
		if q[1] < 101 || q[1] > 301 || q[0] < 101 || q[0] > 501 || (q[1] > 101 && q[0] != 501) {
			t.Errorf("position %d %v is off the path", i, q)
		}
		if i > 0 && (q[0] < path[i-1][0] || q[1] < path[i-1][1]) {
			t.Errorf("position %d %v goes back from %v", i, q, path[i-1])
		}
	}
	if !corner {
		t.Errorf("the drag never passed the path's corner 501,101: %v", path)
	}
}

func details(evs []event) []int {
	var d []int
	for _, e := range evs {
		d = append(d, e.D)
	}
	return d
}

func find(evs []event, typ string) *event {
	for i := range evs {
		if evs[i].T == typ {
			return &evs[i]
		}
	}
	return nil
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// near reports whether a is within tol of b.
func nearf(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

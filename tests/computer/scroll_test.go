package computer

import (
	"testing"

	"github.com/lkbrowser/lkbrowser/computer"
)

// TestComputerScrollNotches scrolls by direction and amount at a point:
// 120 page pixels a notch, finished when Do returns.
func TestComputerScrollNotches(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	res := do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), Direction: computer.Down, Amount: 3})
	if y := evalAs[float64](t, p, `scrollY`); y != 360 {
		t.Errorf("scrollY %v right after scrolling down 3 notches, want 360", y)
	}
	if res.Cursor != *pt(300, 200) {
		t.Errorf("Cursor %v, want (300,200)", res.Cursor)
	}
	wheels := events(t, p, "wheel")
	if len(wheels) == 0 || wheels[0].X != 601 || wheels[0].Y != 401 || wheels[0].DY <= 0 {
		t.Fatalf("wheel events %+v, want down at 601,401", wheels)
	}
	do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), Direction: computer.Up})
	if y := evalAs[float64](t, p, `scrollY`); y != 0 {
		t.Errorf("scrollY %v after scrolling up 3 notches (the default), want 0", y)
	}
	do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), Direction: computer.Right, Amount: 2})
	if x := evalAs[float64](t, p, `scrollX`); x != 240 {
		t.Errorf("scrollX %v after scrolling right 2 notches, want 240", x)
	}
	do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), Direction: computer.Left, Amount: 1})
	if x := evalAs[float64](t, p, `scrollX`); x != 120 {
		t.Errorf("scrollX %v after scrolling left 1 notch, want 120", x)
	}
}

// TestComputerScrollPixels scrolls by DeltaX/DeltaY display pixels,
// converted to page pixels (the display is half the page).
func TestComputerScrollPixels(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), DeltaY: 100, DeltaX: 50})
	if y, x := evalAs[float64](t, p, `scrollY`), evalAs[float64](t, p, `scrollX`); y != 200 || x != 100 {
		t.Errorf("scroll %v,%v after DeltaX 50 DeltaY 100 display pixels, want 100,200 page pixels", x, y)
	}
	do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), DeltaY: -25})
	if y := evalAs[float64](t, p, `scrollY`); y != 150 {
		t.Errorf("scrollY %v after DeltaY -25, want 150", y)
	}
}

// TestComputerScrollWithModifiers: modifiers held during a scroll reach the
// page's wheel events.
func TestComputerScrollWithModifiers(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{})
	do(t, c, computer.Action{Kind: computer.Scroll, Point: pt(300, 200), Direction: computer.Down, Amount: 1, Keys: "shift"})
	wheels := events(t, p, "wheel")
	if len(wheels) == 0 || !wheels[0].Shift || wheels[0].Ctrl {
		t.Fatalf("wheel events %+v, want shiftKey only", wheels)
	}
	if ups := events(t, p, "keyup"); len(ups) != 1 || ups[0].Key != "Shift" {
		t.Errorf("keyups %+v, want Shift's after the scroll", ups)
	}
}

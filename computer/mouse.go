package computer

import (
	"context"
	"image"
	"math"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// Pacing of a drag: a mouse reports about once a frame, and pages that
// track drags (sliders, sortable lists, canvas tools) expect time to pass
// between the press and the moves.
const (
	dragHold     = 16 * time.Millisecond // after the press, before the first move
	dragStepWait = 8 * time.Millisecond  // between moves
	dragStepLen  = 20.0                  // page pixels between intermediate moves, at most
	dragMaxSteps = 16                    // intermediate moves per segment, at most
	dragBudget   = 64                    // intermediate moves per drag, at most
)

// target returns where a pointer action happens: its Point, or the pointer.
func (c *Computer) target(s step) (disp, at image.Point) {
	if s.hasPoint {
		return s.disp, s.at
	}
	return c.cursor, s.g.toPage(c.cursor)
}

// moveTo moves the pointer to page point at, display point disp.
func (c *Computer) moveTo(ctx context.Context, disp, at image.Point, bits lkbrowser.Modifiers) error {
	if err := c.page.SendMouseMove(ctx, lkbrowser.MouseEvent{X: at.X, Y: at.Y, Modifiers: bits}, false); err != nil {
		return err
	}
	c.cursor = disp
	return nil
}

// press sends one press and release of button at at with click count n,
// releasing the button even when the press's context ended.
func (c *Computer) press(ctx context.Context, at image.Point, button lkbrowser.MouseButton, n int, bits lkbrowser.Modifiers) error {
	ev := lkbrowser.MouseEvent{X: at.X, Y: at.Y, Modifiers: bits}
	err := c.page.SendMouseClick(ctx, ev, button, false, n)
	if uerr := c.buttonUp(ctx, ev, button, n); err == nil {
		err = uerr
	}
	return err
}

// buttonUp releases button, even after ctx ended.
func (c *Computer) buttonUp(ctx context.Context, ev lkbrowser.MouseEvent, button lkbrowser.MouseButton, n int) error {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	return c.page.SendMouseClick(cctx, ev, button, true, n)
}

// click moves to the target and clicks Count times, as a person's double
// or triple click arrives: presses with click counts 1, 2, 3 (so the page
// sees click, click, dblclick for a double click, and event.detail 1..3).
func (c *Computer) click(ctx context.Context, s step) error {
	disp, at := c.target(s)
	return c.withMods(ctx, s.mods, func(bits lkbrowser.Modifiers) error {
		if err := c.moveTo(ctx, disp, at, bits); err != nil {
			return err
		}
		for n := 1; n <= s.count; n++ {
			if err := c.press(ctx, at, s.button, n, bits); err != nil {
				return err
			}
		}
		return nil
	})
}

func (c *Computer) mouseMove(ctx context.Context, s step) error {
	return c.withMods(ctx, s.mods, func(bits lkbrowser.Modifiers) error {
		return c.moveTo(ctx, s.disp, s.at, bits)
	})
}

// mouseButton presses (MouseDown) or releases (MouseUp) the button at the
// target, moving there first if the action has a Point. A button pressed
// stays pressed across actions until a MouseUp: moves in between drag.
func (c *Computer) mouseButton(ctx context.Context, s step, up bool) error {
	disp, at := c.target(s)
	if s.hasPoint {
		if err := c.moveTo(ctx, disp, at, 0); err != nil {
			return err
		}
	}
	return c.page.SendMouseClick(ctx, lkbrowser.MouseEvent{X: at.X, Y: at.Y}, s.button, up, 1)
}

// drag presses the button at the path's first point, moves along the path
// with intermediate moves at most dragStepLen page pixels apart (fewer on
// long paths), and releases it at the last point; the button is released
// whatever happens.
func (c *Computer) drag(ctx context.Context, s step) error {
	start := s.path[0]
	return c.withMods(ctx, s.mods, func(bits lkbrowser.Modifiers) error {
		if err := c.page.SendMouseMove(ctx, lkbrowser.MouseEvent{X: start.X, Y: start.Y, Modifiers: bits}, false); err != nil {
			return err
		}
		down := lkbrowser.MouseEvent{X: start.X, Y: start.Y, Modifiers: bits}
		if err := c.page.SendMouseClick(ctx, down, s.button, false, 1); err != nil {
			_ = c.buttonUp(ctx, down, s.button, 1)
			return err
		}
		end := s.path[len(s.path)-1]
		err := sleep(ctx, dragHold)
		if err == nil {
			err = c.dragMoves(ctx, s.path, bits)
		}
		if uerr := c.buttonUp(ctx, lkbrowser.MouseEvent{X: end.X, Y: end.Y, Modifiers: bits}, s.button, 1); err == nil {
			err = uerr
		}
		c.cursor = s.pathEnd
		return err
	})
}

func (c *Computer) dragMoves(ctx context.Context, path []image.Point, bits lkbrowser.Modifiers) error {
	for _, p := range dragSteps(path) {
		if err := c.page.SendMouseMove(ctx, lkbrowser.MouseEvent{X: p.X, Y: p.Y, Modifiers: bits}, false); err != nil {
			return err
		}
		if err := sleep(ctx, dragStepWait); err != nil {
			return err
		}
	}
	return nil
}

// dragSteps returns the moves of a drag along path (page pixels) after the
// press at path[0]: for each segment, points at most dragStepLen apart
// (at most dragMaxSteps, and dragBudget over the whole path), ending on
// each of the path's points.
func dragSteps(path []image.Point) []image.Point {
	segs := len(path) - 1
	perSeg := max(1, min(dragMaxSteps, dragBudget/max(segs, 1)))
	var out []image.Point
	for i := 1; i < len(path); i++ {
		a, b := path[i-1], path[i]
		n := int(math.Ceil(math.Hypot(float64(b.X-a.X), float64(b.Y-a.Y)) / dragStepLen))
		n = max(1, min(n, perSeg))
		for j := 1; j <= n; j++ {
			t := float64(j) / float64(n)
			out = append(out, image.Pt(
				a.X+int(math.Round(t*float64(b.X-a.X))),
				a.Y+int(math.Round(t*float64(b.Y-a.Y)))))
		}
	}
	return out
}

// scroll moves the pointer to the target and turns the wheel there, the
// modifiers held (Shift+wheel, Ctrl+wheel reach the page's wheel handlers
// with shiftKey, ctrlKey).
func (c *Computer) scroll(ctx context.Context, s step) error {
	disp, at := c.target(s)
	return c.withMods(ctx, s.mods, func(bits lkbrowser.Modifiers) error {
		if err := c.moveTo(ctx, disp, at, bits); err != nil {
			return err
		}
		return c.page.SendMouseWheel(ctx, lkbrowser.MouseEvent{X: at.X, Y: at.Y, Modifiers: bits}, s.wheelX, s.wheelY)
	})
}

package agent

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
)

// navigationSettle is the Wait after a navigation: the computer then waits
// for the page to settle before the screenshot.
const navigationSettle = time.Millisecond

// execute performs one action (a computer action or a function tool's
// pseudo-action) and returns the tool result's content: a fresh screenshot
// after an action that may change the page, the image of Screenshot and
// Zoom, the position of CursorPosition.
func (a *Agent) execute(ctx context.Context, act computer.Action) ([]Block, error) {
	switch act.Kind {
	case ActionNavigate:
		if err := a.nav.Navigate(ctx, act.Text); err != nil {
			return nil, err
		}
		return a.settledShot(ctx)
	case ActionGoBack:
		if err := a.nav.GoBack(ctx); err != nil {
			return nil, err
		}
		return a.settledShot(ctx)
	case ActionGoForward:
		if err := a.nav.GoForward(ctx); err != nil {
			return nil, err
		}
		return a.settledShot(ctx)
	}
	if !a.looked && (act.Kind == computer.Screenshot || act.Kind == computer.Zoom) {
		if _, err := a.comp.Do(ctx, computer.Action{Kind: computer.Wait, Duration: navigationSettle}); err != nil {
			return nil, err
		}
	}
	a.looked = true
	res, err := a.comp.Do(ctx, act)
	if err != nil {
		return nil, err
	}
	a.cursor, a.cursorKnown = res.Cursor, true
	switch act.Kind {
	case computer.Screenshot, computer.Zoom:
		if res.Image == nil {
			return nil, fmt.Errorf("agent: %s returned no image", act.Kind)
		}
		return []Block{ImageBlock(toImage(res.Image))}, nil
	case computer.CursorPosition:
		return []Block{TextBlock(fmt.Sprintf("X=%d,Y=%d", res.Cursor.X, res.Cursor.Y))}, nil
	}
	return a.shot(ctx)
}

// settledShot waits for the page to settle after a navigation, then takes
// a screenshot.
func (a *Agent) settledShot(ctx context.Context) ([]Block, error) {
	if _, err := a.comp.Do(ctx, computer.Action{Kind: computer.Wait, Duration: navigationSettle}); err != nil {
		return nil, err
	}
	return a.shot(ctx)
}

// shot takes the screenshot that follows an action. The action succeeded
// whatever happens here, so a failed screenshot is reported as text.
func (a *Agent) shot(ctx context.Context) ([]Block, error) {
	res, err := a.comp.Do(ctx, computer.Action{Kind: computer.Screenshot})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a.log.Debug("agent: screenshot after action", "err", err)
		return []Block{TextBlock("done, but the screenshot after it failed: " + err.Error())}, nil
	}
	if res.Image == nil {
		return []Block{TextBlock("done, but the screenshot after it returned no image")}, nil
	}
	return []Block{ImageBlock(toImage(res.Image))}, nil
}

// pagePoint is where an action happens in page pixels, for the Observer:
// its Point, the start of a Drag, the pointer for the other pointer
// actions (a Click, Scroll, MouseDown or MouseUp without a Point); nil for
// actions without one.
func (a *Agent) pagePoint(act computer.Action, pw, ph int) *image.Point {
	var p image.Point
	switch {
	case act.Point != nil:
		p = *act.Point
	case act.Kind == computer.Drag && len(act.Path) > 0:
		p = act.Path[0]
	case pointerKind(act.Kind) && a.cursorKnown:
		p = a.cursor
	default:
		return nil
	}
	dw, dh := a.comp.Display()
	q := toPage(p, dw, dh, pw, ph)
	return &q
}

// toPage converts a display pixel to the page pixel under its centre.
func toPage(p image.Point, dw, dh, pw, ph int) image.Point {
	if dw <= 0 || dh <= 0 || pw <= 0 || ph <= 0 {
		return p
	}
	scale := func(v, d, s int) int {
		x := int(math.Floor((float64(v) + 0.5) * float64(s) / float64(d)))
		return min(max(x, 0), s-1)
	}
	return image.Point{X: scale(p.X, dw, pw), Y: scale(p.Y, dh, ph)}
}

// toImage converts a computer screenshot into a message image.
func toImage(img *computer.Image) *Image {
	mt := "image/png"
	if img.Format == computer.JPEG {
		mt = "image/jpeg"
	}
	return &Image{MediaType: mt, Data: img.Data, Width: img.Width, Height: img.Height}
}

// pageGone reports an action error after which the agent cannot go on:
// the page was closed. (A crashed renderer is not: navigate brings it back.)
func pageGone(err error) bool { return errors.Is(err, lkbrowser.ErrClosed) }

// pointerKind reports the actions that happen at the pointer when they
// have no Point.
func pointerKind(k computer.Kind) bool {
	switch k {
	case computer.Click, computer.Scroll, computer.MouseDown, computer.MouseUp:
		return true
	}
	return false
}

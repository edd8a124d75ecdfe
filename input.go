package lkbrowser

import (
	"context"
	"fmt"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"

	"github.com/lkbrowser/lkbrowser/internal/xpointer"
)

// MouseButton is a mouse button, numbered as in CEF.
type MouseButton int

// Mouse buttons.
const (
	MouseLeft   MouseButton = 0
	MouseMiddle MouseButton = 1
	MouseRight  MouseButton = 2
)

// MouseEvent is the position of a mouse event in page pixels and the
// modifiers held, like CEF's CefMouseEvent.
type MouseEvent struct {
	X, Y      int
	Modifiers Modifiers
}

// Key event types. A key typed by a person is KeyRawDown, then KeyChar
// with the character it produces, then KeyUp.
const (
	KeyRawDown KeyEventType = 0 // key pressed, before any character
	KeyDown    KeyEventType = 1 // key pressed, with its character
	KeyUp      KeyEventType = 2 // key released
	KeyChar    KeyEventType = 3 // the character a key produced
)

// Limits of input.
const (
	// MaxTypeText is the longest text TypeText accepts, in bytes.
	MaxTypeText = 1 << 20
	// typeKeysUpTo is the text length up to which TypeText sends key events
	// for US-keyboard characters; longer text is inserted directly.
	typeKeysUpTo = 1024
)

// checkPoint refuses coordinates far outside the page (more than one page
// size away); positions just outside are legitimate (drags, leaving).
func (p *Page) checkPoint(x, y int) error {
	w, h := p.size()
	if x < -w || x >= 2*w || y < -h || y >= 2*h {
		return invalidArg(ErrInvalidInput, "point", fmt.Sprintf("%d,%d", x, y),
			fmt.Sprintf("far outside the %dx%d page", w, h))
	}
	return nil
}

// dispatchMouse sends one mouse event, in order with the page's other input.
func (p *Page) dispatchMouse(ctx context.Context, params input.DispatchMouseEventParams) error {
	_, err := cdpCall(ctx, p, input.DispatchMouseEvent, params)
	return err
}

// Input goes to the page as Chromium receives it from a person, so it also
// follows Chromium's rules: after a navigation, input that arrives before
// the new document has first painted is ignored (wait for a frame, or for
// LoadFinished and a frame, before clicking).

// SendMouseMove moves the mouse to ev's position. With leave set it tells
// the page the mouse left it instead (mouseleave/mouseout), as CEF's
// SendMouseMoveEvent does.
func (p *Page) SendMouseMove(ctx context.Context, ev MouseEvent, leave bool) error {
	if err := p.usable(); err != nil {
		return err
	}
	if err := p.checkPoint(ev.X, ev.Y); err != nil {
		return err
	}
	p.e.cursors() // cursor names are learnt once the mouse moves
	p.input.Lock()
	defer p.input.Unlock()
	x, y := float64(ev.X), float64(ev.Y)
	p.cursor.x, p.cursor.y = ev.X, ev.Y
	if leave {
		// A move outside the viewport makes Blink fire mouseleave/mouseout.
		x, y = -1, -1
	} else if done, err := p.sendPopupPointer(xpointer.Motion, MouseLeft, ev.X, ev.Y); done || err != nil {
		return err
	}
	return p.dispatchMouse(ctx, input.DispatchMouseEventParams{
		Type: input.DispatchMouseEventTypeMouseMoved, X: x, Y: y, Modifiers: ev.Modifiers.cdp(),
		Buttons: p.buttons, Button: heldButton(p.buttons),
	})
}

// SendMouseClick presses (up false) or releases (up true) a mouse button at
// ev's position. clickCount is 1 for a single click, 2 for the second click
// of a double click (selects a word), 3 for a triple click (a line).
func (p *Page) SendMouseClick(ctx context.Context, ev MouseEvent, button MouseButton, up bool, clickCount int) error {
	if err := p.usable(); err != nil {
		return err
	}
	if err := p.checkPoint(ev.X, ev.Y); err != nil {
		return err
	}
	name, bit, ok := buttonInfo(button)
	if !ok {
		return invalidArg(ErrInvalidInput, "button", int(button), "must be 0 (left), 1 (middle) or 2 (right)")
	}
	if clickCount == 0 {
		clickCount = 1
	}
	if clickCount < 1 || clickCount > 3 {
		return invalidArg(ErrInvalidInput, "clickCount", clickCount, "must be 1..3")
	}
	p.e.cursors()
	p.input.Lock()
	defer p.input.Unlock()
	xev := xpointer.Press
	if up {
		xev = xpointer.Release
	}
	if done, err := p.sendPopupPointer(xev, button, ev.X, ev.Y); done || err != nil {
		return err
	}
	typ := input.DispatchMouseEventTypeMousePressed
	if up {
		typ = input.DispatchMouseEventTypeMouseReleased
		p.buttons &^= bit
	} else {
		p.buttons |= bit
	}
	return p.dispatchMouse(ctx, input.DispatchMouseEventParams{
		Type: typ, X: float64(ev.X), Y: float64(ev.Y), Modifiers: ev.Modifiers.cdp(),
		Button: name, Buttons: p.buttons, ClickCount: int64(clickCount),
	})
}

// Click is a convenience for a left click at x, y: press then release.
func (p *Page) Click(ctx context.Context, x, y int) error {
	ev := MouseEvent{X: x, Y: y}
	if err := p.SendMouseMove(ctx, ev, false); err != nil {
		return err
	}
	if err := p.SendMouseClick(ctx, ev, MouseLeft, false, 1); err != nil {
		return err
	}
	return p.SendMouseClick(ctx, ev, MouseLeft, true, 1)
}

// SendMouseWheel scrolls at ev's position by deltaX, deltaY pixels with
// CEF's signs: positive deltaY scrolls up (towards the top), negative
// scrolls down; one wheel notch is 120.
func (p *Page) SendMouseWheel(ctx context.Context, ev MouseEvent, deltaX, deltaY int) error {
	if err := p.usable(); err != nil {
		return err
	}
	if err := p.checkPoint(ev.X, ev.Y); err != nil {
		return err
	}
	p.input.Lock()
	defer p.input.Unlock()
	_, err := cdpCall(ctx, p, wheelEvent, wheelParams{
		Type: input.DispatchMouseEventTypeMouseWheel, X: float64(ev.X), Y: float64(ev.Y),
		Modifiers: ev.Modifiers.cdp(), DeltaX: float64(-deltaX), DeltaY: float64(-deltaY),
	})
	return err
}

// wheelParams are Input.dispatchMouseEvent's parameters for a wheel event.
// cdproto's own struct omits zero deltas, which Chromium refuses.
type wheelParams struct {
	Type      input.DispatchMouseEventType `json:"type"`
	X         float64                      `json:"x"`
	Y         float64                      `json:"y"`
	Modifiers int64                        `json:"modifiers"`
	DeltaX    float64                      `json:"deltaX"`
	DeltaY    float64                      `json:"deltaY"`
}

var wheelEvent = cdp.Command[wheelParams, cdp.Empty]{Method: "Input.dispatchMouseEvent"}

func buttonInfo(b MouseButton) (input.MouseButton, int64, bool) {
	switch b {
	case MouseLeft:
		return input.MouseButtonLeft, 1, true
	case MouseRight:
		return input.MouseButtonRight, 2, true
	case MouseMiddle:
		return input.MouseButtonMiddle, 4, true
	}
	return "", 0, false
}

// heldButton names one held button for a move event (Blink wants one).
func heldButton(buttons int64) input.MouseButton {
	switch {
	case buttons&1 != 0:
		return input.MouseButtonLeft
	case buttons&2 != 0:
		return input.MouseButtonRight
	case buttons&4 != 0:
		return input.MouseButtonMiddle
	}
	return input.MouseButtonNone
}

package lkbrowser

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"

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

// KeyEventType is the kind of a key event, numbered as in CEF.
type KeyEventType int

// Key event types. A key typed by a person is KeyRawDown, then KeyChar
// with the character it produces, then KeyUp.
const (
	KeyRawDown KeyEventType = 0 // key pressed, before any character
	KeyDown    KeyEventType = 1 // key pressed, with its character
	KeyUp      KeyEventType = 2 // key released
	KeyChar    KeyEventType = 3 // the character a key produced
)

// KeyEvent is a keyboard event with CEF's semantics (CefKeyEvent).
type KeyEvent struct {
	Type      KeyEventType
	Modifiers Modifiers
	// WindowsKeyCode is the Windows virtual key code, e.g. 13 for Enter.
	WindowsKeyCode int
	// NativeKeyCode is the X11 key code, e.g. 36 for Enter; 0 if unknown.
	NativeKeyCode int
	// Character is the character of KeyChar and KeyDown events.
	Character rune
}

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

// SendKeyEvent sends a key event with CEF's semantics. Shortcuts work
// (Ctrl+A selects all, Enter submits a form), since the DOM key and code are
// derived from the virtual key code.
func (p *Page) SendKeyEvent(ctx context.Context, ev KeyEvent) error {
	if err := p.usable(); err != nil {
		return err
	}
	params, err := keyParams(ev)
	if err != nil {
		return err
	}
	p.input.Lock()
	defer p.input.Unlock()
	_, err = cdpCall(ctx, p, input.DispatchKeyEvent, params)
	return err
}

// keyParams converts a CEF-style key event to the DevTools protocol's.
func keyParams(ev KeyEvent) (input.DispatchKeyEventParams, error) {
	params := input.DispatchKeyEventParams{
		Modifiers:             ev.Modifiers.cdp(),
		WindowsVirtualKeyCode: int64(ev.WindowsKeyCode),
		NativeVirtualKeyCode:  int64(ev.NativeKeyCode),
	}
	switch ev.Type {
	case KeyRawDown:
		params.Type = input.DispatchKeyEventTypeRawKeyDown
	case KeyDown:
		params.Type = input.DispatchKeyEventTypeKeyDown
	case KeyUp:
		params.Type = input.DispatchKeyEventTypeKeyUp
	case KeyChar:
		params.Type = input.DispatchKeyEventTypeChar
	default:
		return params, invalidArg(ErrInvalidInput, "Type", int(ev.Type), "must be 0..3 (raw key down, key down, key up, char)")
	}
	if ev.WindowsKeyCode < 0 || ev.WindowsKeyCode > 255 || ev.NativeKeyCode < 0 || ev.NativeKeyCode > 255 {
		return params, invalidArg(ErrInvalidInput, "key code", fmt.Sprintf("%d/%d", ev.WindowsKeyCode, ev.NativeKeyCode), "must be 0..255")
	}
	if ev.Character != 0 {
		if !utf8.ValidRune(ev.Character) {
			return params, invalidArg(ErrInvalidInput, "Character", ev.Character, "not a valid character")
		}
		if ev.Type == KeyChar || ev.Type == KeyDown {
			params.Text = string(ev.Character)
			params.UnmodifiedText = params.Text
		}
	}
	if k, ok := namedByVK[ev.WindowsKeyCode]; ok {
		params.Key, params.Code = k.key, k.code
		if params.NativeVirtualKeyCode == 0 {
			params.NativeVirtualKeyCode = int64(k.native)
		}
		if k.key == "Enter" && (ev.Type == KeyChar || ev.Type == KeyDown) {
			params.Text, params.UnmodifiedText = "\r", "\r"
		}
	} else if typed, ok := usTyped(ev.WindowsKeyCode, ev.Modifiers); ok {
		// The key's own character follows Shift and Caps Lock: a plain
		// character on a shifted key becomes the shifted one (Shift+"a"
		// types "A", Shift+"1" types "!"). Any other character given by the
		// caller (an input method's, or one already shifted) is kept.
		ch := ev.Character
		if ch == 0 || ch == usByVK[ev.WindowsKeyCode] {
			ch = typed
		}
		k := usLayout[usByVK[ev.WindowsKeyCode]]
		params.Code = k.code
		params.Key = string(ch)
		if ev.Type == KeyChar || (ev.Type == KeyDown && ev.Character != 0) {
			params.Text, params.UnmodifiedText = string(ch), string(ch)
		}
		if params.NativeVirtualKeyCode == 0 {
			params.NativeVirtualKeyCode = int64(k.native)
		}
	}
	if ev.Type == KeyChar && params.Key == "" && params.Text != "" {
		params.Key = params.Text
	}
	return params, nil
}

// PressKey presses and releases a key: a DOM key name such as "Enter",
// "Backspace", "ArrowLeft", "PageDown", "Escape", "Tab", "F5", or a single
// US-keyboard character such as "a". Modifiers are held during the press, so
// PressKey(ctx, "a", ModControl) selects all. Shift types a key's upper
// character and Caps Lock (ModCapsLock) upper-case letters, as on a US
// keyboard: PressKey(ctx, "a", ModShift) types "A", (ctx, "1", ModShift) "!".
// A character that needs Shift ("A", "!") is typed as given.
func (p *Page) PressKey(ctx context.Context, key string, mods Modifiers) error {
	var evs []KeyEvent
	if k, ok := namedKeys[key]; ok {
		evs = []KeyEvent{{Type: KeyRawDown, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods}}
		if key == "Enter" {
			evs = append(evs, KeyEvent{Type: KeyChar, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods, Character: '\r'})
		}
		evs = append(evs, KeyEvent{Type: KeyUp, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods})
	} else if r, size := utf8.DecodeRuneInString(key); size == len(key) && size > 0 {
		k, ok := usLayout[r]
		if !ok {
			return invalidArg(ErrInvalidInput, "key", key, "not a named key or US-keyboard character; use TypeText")
		}
		if k.shift {
			mods |= ModShift
		}
		// Every event names the character, so keydown, keypress and keyup
		// agree on the key (keyParams applies Shift and Caps Lock to it).
		evs = []KeyEvent{{Type: KeyRawDown, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods, Character: r}}
		if mods&(ModControl|ModAlt|ModCommand) == 0 {
			evs = append(evs, KeyEvent{Type: KeyChar, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods, Character: r})
		}
		evs = append(evs, KeyEvent{Type: KeyUp, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods, Character: r})
	} else {
		return invalidArg(ErrInvalidInput, "key", key, "not a named key or single character")
	}
	for _, ev := range evs {
		if err := p.SendKeyEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// TypeText types text into the focused element. Characters of a US keyboard
// are sent as key presses (so key handlers see them, "\n" presses Enter and
// "\t" Tab); any other text (accents, CJK, emoji) is inserted as an input
// method would. Text longer than 1 KiB is inserted in one go, without key
// events. Text longer than MaxTypeText (1 MiB) is refused whole with an
// error matching ErrInvalidInput; 1 MB of text takes about a second.
func (p *Page) TypeText(ctx context.Context, text string) error {
	if err := p.usable(); err != nil {
		return err
	}
	if len(text) > MaxTypeText {
		return invalidArg(ErrInvalidInput, "text", fmt.Sprintf("%d bytes", len(text)), "longer than 1 MiB")
	}
	if !utf8.ValidString(text) {
		return invalidArg(ErrInvalidInput, "text", text, "not valid UTF-8")
	}
	if len(text) > typeKeysUpTo {
		return p.insertText(ctx, text)
	}
	var pending strings.Builder // characters to insert as text
	flush := func() error {
		if pending.Len() == 0 {
			return nil
		}
		s := pending.String()
		pending.Reset()
		return p.insertText(ctx, s)
	}
	for _, r := range text {
		var err error
		switch {
		case r == '\n':
			if err = flush(); err == nil {
				err = p.PressKey(ctx, "Enter", 0)
			}
		case r == '\t':
			if err = flush(); err == nil {
				err = p.PressKey(ctx, "Tab", 0)
			}
		case usLayout[r].vk != 0:
			if err = flush(); err == nil {
				err = p.PressKey(ctx, string(r), 0)
			}
		default:
			pending.WriteRune(r)
		}
		if err != nil {
			return err
		}
	}
	return flush()
}

func (p *Page) insertText(ctx context.Context, s string) error {
	p.input.Lock()
	defer p.input.Unlock()
	_, err := cdpCall(ctx, p, input.InsertText, input.InsertTextParams{Text: s})
	return err
}

// SetFocus gives the page keyboard focus (true) or takes it away (false),
// like CEF's SetFocus: the window gets focus or blur events and a focused
// field shows its caret. Pages start focused.
func (p *Page) SetFocus(ctx context.Context, focus bool) error {
	p.input.Lock()
	defer p.input.Unlock()
	if err := p.usable(); err != nil {
		return err
	}
	if err := p.conn.SetInputFocus(focus); err != nil {
		return fmt.Errorf("lkbrowser: set focus: %w", err)
	}
	if focus {
		_, err := cdpCall(ctx, p, page.BringToFront, cdp.Empty{})
		return err
	}
	return nil
}

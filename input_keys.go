package lkbrowser

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
)

// KeyEventType is the kind of a key event, numbered as in CEF.
type KeyEventType int

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

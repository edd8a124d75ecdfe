package lkbrowser

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
)

func TestUnitModifiersCDP(t *testing.T) {
	tests := []struct {
		m    Modifiers
		want int64
	}{
		{0, 0},
		{ModShift, 8},
		{ModControl, 2},
		{ModAlt, 1},
		{ModCommand, 4},
		{ModShift | ModControl, 10},
		{ModAlt | ModControl | ModCommand | ModShift, 15},
		// Bits with no DevTools counterpart are dropped.
		{ModCapsLock | ModNumLock | ModLeftMouse | ModMiddleMouse | ModRightMouse | ModIsKeyPad | ModIsLeft | ModIsRight | ModAltGr | ModIsRepeat, 0},
		{ModCapsLock | ModShift | ModIsRepeat, 8},
	}
	for _, tt := range tests {
		if got := tt.m.cdp(); got != tt.want {
			t.Errorf("Modifiers(%#x).cdp() = %d, want %d", uint32(tt.m), got, tt.want)
		}
	}
	// The CEF bit values are part of the API (cef_event_flags_t).
	cef := map[Modifiers]Modifiers{ModShift: 1 << 1, ModControl: 1 << 2, ModAlt: 1 << 3, ModCommand: 1 << 7}
	for m, want := range cef {
		if m != want {
			t.Errorf("CEF modifier %#x, want %#x", uint32(m), uint32(want))
		}
	}
}

func TestUnitKeyParams(t *testing.T) {
	tests := []struct {
		name string
		ev   KeyEvent
		want input.DispatchKeyEventParams
	}{
		{
			name: "raw key down Enter",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 13},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Enter", Code: "Enter",
				WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 36},
		},
		{
			name: "char Enter types a carriage return",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 13, Character: '\r'},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "Enter", Code: "Enter",
				Text: "\r", UnmodifiedText: "\r", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 36},
		},
		{
			name: "key down Enter without a character still types it",
			ev:   KeyEvent{Type: KeyDown, WindowsKeyCode: 13},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
				Text: "\r", UnmodifiedText: "\r", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 36},
		},
		{
			name: "char a",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 65, Character: 'a'},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "a", Code: "KeyA",
				Text: "a", UnmodifiedText: "a", WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "raw key down a",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 65},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "a", Code: "KeyA",
				WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "key up A with Shift",
			ev:   KeyEvent{Type: KeyUp, WindowsKeyCode: 65, Modifiers: ModShift},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "A", Code: "KeyA",
				Modifiers: 8, WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "key up with a character types nothing",
			ev:   KeyEvent{Type: KeyUp, WindowsKeyCode: 65, Character: 'a'},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "a", Code: "KeyA",
				WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "ctrl+a raw key down (select all)",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 65, Modifiers: ModControl},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "a", Code: "KeyA",
				Modifiers: 2, WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "explicit native code is kept",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 13, NativeKeyCode: 104},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Enter", Code: "Enter",
				WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 104},
		},
		{
			name: "digit 1",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 49},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "1", Code: "Digit1",
				WindowsVirtualKeyCode: 49, NativeVirtualKeyCode: 10},
		},
		{
			name: "char with character given by caller wins",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 49, Character: '!', Modifiers: ModShift},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "!", Code: "Digit1",
				Text: "!", UnmodifiedText: "!", Modifiers: 8, WindowsVirtualKeyCode: 49, NativeVirtualKeyCode: 10},
		},
		{
			name: "char a with Shift types A",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 65, Character: 'a', Modifiers: ModShift},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "A", Code: "KeyA",
				Text: "A", UnmodifiedText: "A", Modifiers: 8, WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "char ; with Shift types :",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 186, Character: ';', Modifiers: ModShift},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: ":", Code: "Semicolon",
				Text: ":", UnmodifiedText: ":", Modifiers: 8, WindowsVirtualKeyCode: 186, NativeVirtualKeyCode: 47},
		},
		{
			name: "Caps Lock upper-cases letters, without a character given",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 66, Modifiers: ModCapsLock},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "B", Code: "KeyB",
				Text: "B", UnmodifiedText: "B", WindowsVirtualKeyCode: 66, NativeVirtualKeyCode: 56},
		},
		{
			name: "Caps Lock leaves digits",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 49, Modifiers: ModCapsLock},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "1", Code: "Digit1",
				WindowsVirtualKeyCode: 49, NativeVirtualKeyCode: 10},
		},
		{
			name: "Shift with Caps Lock gives the lower letter",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 65, Modifiers: ModShift | ModCapsLock},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "a", Code: "KeyA",
				Modifiers: 8, WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "an input method's character on a letter key is kept",
			ev:   KeyEvent{Type: KeyChar, WindowsKeyCode: 65, Character: 'é', Modifiers: ModShift},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "é", Code: "KeyA",
				Text: "é", UnmodifiedText: "é", Modifiers: 8, WindowsVirtualKeyCode: 65, NativeVirtualKeyCode: 38},
		},
		{
			name: "F5",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 116},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "F5", Code: "F5",
				WindowsVirtualKeyCode: 116, NativeVirtualKeyCode: 71},
		},
		{
			name: "char of a non-US character with an unknown key code",
			ev:   KeyEvent{Type: KeyChar, Character: 'é'},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeChar, Key: "é", Text: "é", UnmodifiedText: "é"},
		},
		{
			name: "all modifiers",
			ev:   KeyEvent{Type: KeyRawDown, WindowsKeyCode: 9, Modifiers: ModShift | ModControl | ModAlt | ModCommand},
			want: input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Tab", Code: "Tab",
				Modifiers: 15, WindowsVirtualKeyCode: 9, NativeVirtualKeyCode: 23},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keyParams(tt.ev)
			if err != nil {
				t.Fatalf("keyParams(%+v) = %v", tt.ev, err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("keyParams(%+v):\n got %+v\nwant %+v", tt.ev, got, tt.want)
			}
		})
	}
}

func TestUnitKeyParamsInvalid(t *testing.T) {
	tests := []struct {
		name string
		ev   KeyEvent
		arg  string
	}{
		{"type 7", KeyEvent{Type: 7, WindowsKeyCode: 65}, "Type"},
		{"type -1", KeyEvent{Type: -1}, "Type"},
		{"type 4", KeyEvent{Type: 4}, "Type"},
		{"key code 300", KeyEvent{Type: KeyRawDown, WindowsKeyCode: 300}, "key code"},
		{"key code 256", KeyEvent{Type: KeyRawDown, WindowsKeyCode: 256}, "key code"},
		{"key code -1", KeyEvent{Type: KeyRawDown, WindowsKeyCode: -1}, "key code"},
		{"native code 256", KeyEvent{Type: KeyRawDown, WindowsKeyCode: 65, NativeKeyCode: 256}, "key code"},
		{"native code -5", KeyEvent{Type: KeyUp, WindowsKeyCode: 65, NativeKeyCode: -5}, "key code"},
		{"surrogate rune", KeyEvent{Type: KeyChar, Character: 0xD800}, "Character"},
		{"rune beyond Unicode", KeyEvent{Type: KeyChar, Character: 0x110000}, "Character"},
		{"negative rune", KeyEvent{Type: KeyChar, Character: -1}, "Character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keyParams(tt.ev)
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("keyParams(%+v) = %v, want ErrInvalidInput", tt.ev, err)
			}
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) || ia.Arg != tt.arg {
				t.Errorf("error %v: want an *InvalidArgumentError about %q", err, tt.arg)
			}
		})
	}
	// The limits are inclusive.
	for _, ev := range []KeyEvent{{Type: KeyRawDown, WindowsKeyCode: 255, NativeKeyCode: 255}, {Type: KeyUp}, {Type: KeyChar, Character: 0x10FFFF}} {
		if _, err := keyParams(ev); err != nil {
			t.Errorf("keyParams(%+v) = %v, want nil", ev, err)
		}
	}
}

func TestUnitUSLayout(t *testing.T) {
	const shifted = `~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ`
	if len(usLayout) != 0x7e-0x20+1 {
		t.Errorf("usLayout has %d characters, want the %d printable ASCII ones", len(usLayout), 0x7e-0x20+1)
	}
	for c := rune(0x20); c <= 0x7e; c++ {
		k, ok := usLayout[c]
		if !ok {
			t.Errorf("%q is missing from usLayout", c)
			continue
		}
		if k.code == "" || k.vk <= 0 || k.vk > 255 || k.native <= 8 || k.native > 255 {
			t.Errorf("%q: incomplete key %+v", c, k)
		}
		if want := strings.ContainsRune(shifted, c); k.shift != want {
			t.Errorf("%q: shift = %v, want %v", c, k.shift, want)
		}
		// Every character's key types that character: PressKey relies on
		// the unshifted character of the same key existing.
		base, ok := usByVK[k.vk]
		if !ok {
			t.Errorf("%q: no unshifted character for VK %d", c, k.vk)
			continue
		}
		if b := usLayout[base]; b.shift || b.code != k.code || b.native != k.native {
			t.Errorf("%q and its unshifted %q disagree: %+v vs %+v", c, base, k, b)
		}
		if _, clash := namedByVK[k.vk]; clash {
			t.Errorf("%q: VK %d is also a named key, keyParams would send the named key", c, k.vk)
		}
	}
	for c := rune(0); c < 0x20; c++ {
		if _, ok := usLayout[c]; ok {
			t.Errorf("control character %q is in usLayout", c)
		}
	}
	// Distinct physical keys have distinct X11 key codes, and none is also
	// a named key's.
	namedNative := map[int]bool{}
	for _, k := range namedKeys {
		namedNative[k.native] = true
	}
	byNative := map[int]rune{}
	for c, k := range usLayout {
		if k.shift {
			continue
		}
		if o, dup := byNative[k.native]; dup {
			t.Errorf("%q and %q share X11 code %d", c, o, k.native)
		}
		byNative[k.native] = c
		if namedNative[k.native] {
			t.Errorf("%q has the X11 code %d of a named key", c, k.native)
		}
	}
	if _, ok := usLayout[0x7f]; ok {
		t.Error("DEL is in usLayout")
	}
	// Known keys of a US keyboard: DOM code, VK and X11 key code.
	known := []struct {
		c      rune
		code   string
		vk     int
		native int
	}{
		{' ', "Space", 32, 65},
		{'a', "KeyA", 65, 38}, {'A', "KeyA", 65, 38}, {'q', "KeyQ", 81, 24}, {'z', "KeyZ", 90, 52},
		{'m', "KeyM", 77, 58}, {'p', "KeyP", 80, 33}, {'l', "KeyL", 76, 46},
		{'1', "Digit1", 49, 10}, {'!', "Digit1", 49, 10}, {'0', "Digit0", 48, 19}, {')', "Digit0", 48, 19},
		{'-', "Minus", 189, 20}, {'=', "Equal", 187, 21}, {'[', "BracketLeft", 219, 34},
		{';', "Semicolon", 186, 47}, {'\'', "Quote", 222, 48}, {'`', "Backquote", 192, 49},
		{'\\', "Backslash", 220, 51}, {',', "Comma", 188, 59}, {'.', "Period", 190, 60},
		{'/', "Slash", 191, 61}, {'?', "Slash", 191, 61},
	}
	for _, k := range known {
		got := usLayout[k.c]
		if got.code != k.code || got.vk != k.vk || got.native != k.native {
			t.Errorf("%q = %+v, want code %s vk %d native %d", k.c, got, k.code, k.vk, k.native)
		}
	}
}

func TestUnitNamedKeys(t *testing.T) {
	// X11 key codes of the reference plugin's _keys.py.
	want := map[string]struct{ vk, native int }{
		"Backspace": {8, 22}, "Tab": {9, 23}, "Enter": {13, 36}, "Escape": {27, 9},
		"ArrowLeft": {37, 113}, "ArrowUp": {38, 111}, "ArrowRight": {39, 114}, "ArrowDown": {40, 116},
		"Delete": {46, 119}, "PageUp": {33, 112}, "PageDown": {34, 117}, "End": {35, 115}, "Home": {36, 110},
	}
	for name, w := range want {
		k, ok := namedKeys[name]
		if !ok {
			t.Errorf("%s is not a named key", name)
			continue
		}
		if k.native != w.native || k.vk != w.vk || k.key != name {
			t.Errorf("%s = %+v, want vk %d native %d", name, k, w.vk, w.native)
		}
		// keyParams finds the key from its VK alone, as CEF events give it.
		p, err := keyParams(KeyEvent{Type: KeyRawDown, WindowsKeyCode: w.vk})
		if err != nil || p.Key != name || p.NativeVirtualKeyCode != int64(w.native) {
			t.Errorf("keyParams(VK %d) = key %q native %d, %v; want %s %d", w.vk, p.Key, p.NativeVirtualKeyCode, err, name, w.native)
		}
	}
	// Every named key is reachable by VK, VKs and X11 codes are unique.
	vks, natives := map[int]string{}, map[int]string{}
	for name, k := range namedKeys {
		if k.key != name || k.code == "" {
			t.Errorf("%s: %+v", name, k)
		}
		if o, dup := vks[k.vk]; dup {
			t.Errorf("%s and %s share VK %d", name, o, k.vk)
		}
		if o, dup := natives[k.native]; dup {
			t.Errorf("%s and %s share X11 code %d", name, o, k.native)
		}
		vks[k.vk], natives[k.native] = name, name
		if namedByVK[k.vk].key != name {
			t.Errorf("namedByVK[%d] = %q, want %s", k.vk, namedByVK[k.vk].key, name)
		}
	}
}

// TestUnitKeyParamsShiftedSymbol: a key event that carries only the virtual
// key code (as PressKey's key down and key up do) should name the character
// Shift produces on a US keyboard, as a real keyboard does: Shift+1 is "!".
func TestUnitKeyParamsShiftedSymbol(t *testing.T) {
	for c, k := range usLayout {
		if !k.shift {
			continue
		}
		for _, typ := range []KeyEventType{KeyRawDown, KeyUp} {
			p, err := keyParams(KeyEvent{Type: typ, WindowsKeyCode: k.vk, Modifiers: ModShift})
			if err != nil || p.Key != string(c) {
				t.Errorf("type %d, VK %d with Shift: key %q, %v; want %q", typ, k.vk, p.Key, err, string(c))
			}
		}
	}
}

package computer

import (
	"strings"

	"github.com/lkbrowser/lkbrowser"
)

// key is one key as this package presses it: the Windows virtual key code
// lkbrowser's SendKeyEvent takes (the codes of lkbrowser's key table, from
// which it derives the DOM key and code), the character it types, and for
// a modifier its bit.
type key struct {
	name   string              // for messages: the DOM key name, or the character
	vk     int                 // Windows virtual key code; 0 for a character no US key types
	native int                 // X11 key code when it differs from the key's usual one, else 0
	char   rune                // the character typed, 0 for none
	shift  bool                // the character needs Shift ('A', '+', '!')
	mod    lkbrowser.Modifiers // the modifier bit of Shift, Control, Alt and Meta; 0 for others
}

// Windows virtual key codes of the modifiers (lkbrowser's namedKeys).
const (
	vkShift   = 16
	vkControl = 17
	vkAlt     = 18
	vkMeta    = 91
)

var (
	keyShift   = key{name: "Shift", vk: vkShift, mod: lkbrowser.ModShift}
	keyControl = key{name: "Control", vk: vkControl, mod: lkbrowser.ModControl}
	keyAlt     = key{name: "Alt", vk: vkAlt, mod: lkbrowser.ModAlt}
	keyMeta    = key{name: "Meta", vk: vkMeta, mod: lkbrowser.ModCommand}
	keyEnter   = key{name: "Enter", vk: 13, char: '\r'}
	keyTab     = key{name: "Tab", vk: 9}
)

// namedKeySyms maps xdotool key names (X keysym names, as computer-use
// models write them), lower-cased, and a few common aliases to keys.
// Character keys are also reachable by their single character (see
// charKey); "a".."z", "0".."9" have no entry here.
var namedKeySyms = map[string]key{
	// Modifiers. "meta", "super", "cmd" and "win" all mean the Meta key
	// (event.metaKey), which is what models mean by them.
	"shift": keyShift, "shift_l": keyShift, "shift_r": keyShift,
	"ctrl": keyControl, "control": keyControl, "control_l": keyControl, "control_r": keyControl,
	"ctrl_l": keyControl, "ctrl_r": keyControl,
	"alt": keyAlt, "alt_l": keyAlt, "alt_r": keyAlt, "option": keyAlt,
	"super": keyMeta, "super_l": keyMeta, "super_r": keyMeta, "meta": keyMeta, "meta_l": keyMeta,
	"meta_r": keyMeta, "cmd": keyMeta, "command": keyMeta, "win": keyMeta, "windows": keyMeta,

	// Editing and navigation.
	"return": keyEnter, "enter": keyEnter, "kp_enter": {name: "Enter", vk: 13, native: 104, char: '\r'},
	"tab": keyTab, "kp_tab": keyTab, "iso_left_tab": {name: "Tab", vk: 9, shift: true},
	"backspace": {name: "Backspace", vk: 8},
	"escape":    {name: "Escape", vk: 27}, "esc": {name: "Escape", vk: 27},
	"delete": {name: "Delete", vk: 46}, "del": {name: "Delete", vk: 46}, "kp_delete": {name: "Delete", vk: 46},
	"insert": {name: "Insert", vk: 45}, "ins": {name: "Insert", vk: 45}, "kp_insert": {name: "Insert", vk: 45},
	"home": {name: "Home", vk: 36}, "kp_home": {name: "Home", vk: 36},
	"end": {name: "End", vk: 35}, "kp_end": {name: "End", vk: 35},
	"page_up": {name: "PageUp", vk: 33}, "prior": {name: "PageUp", vk: 33}, "pageup": {name: "PageUp", vk: 33},
	"kp_page_up": {name: "PageUp", vk: 33}, "kp_prior": {name: "PageUp", vk: 33},
	"page_down": {name: "PageDown", vk: 34}, "next": {name: "PageDown", vk: 34}, "pagedown": {name: "PageDown", vk: 34},
	"kp_page_down": {name: "PageDown", vk: 34}, "kp_next": {name: "PageDown", vk: 34},
	"left": {name: "ArrowLeft", vk: 37}, "arrowleft": {name: "ArrowLeft", vk: 37}, "kp_left": {name: "ArrowLeft", vk: 37},
	"up": {name: "ArrowUp", vk: 38}, "arrowup": {name: "ArrowUp", vk: 38}, "kp_up": {name: "ArrowUp", vk: 38},
	"right": {name: "ArrowRight", vk: 39}, "arrowright": {name: "ArrowRight", vk: 39}, "kp_right": {name: "ArrowRight", vk: 39},
	"down": {name: "ArrowDown", vk: 40}, "arrowdown": {name: "ArrowDown", vk: 40}, "kp_down": {name: "ArrowDown", vk: 40},
	"pause": {name: "Pause", vk: 19}, "caps_lock": {name: "CapsLock", vk: 20}, "capslock": {name: "CapsLock", vk: 20},
	"f1": {name: "F1", vk: 112}, "f2": {name: "F2", vk: 113}, "f3": {name: "F3", vk: 114}, "f4": {name: "F4", vk: 115},
	"f5": {name: "F5", vk: 116}, "f6": {name: "F6", vk: 117}, "f7": {name: "F7", vk: 118}, "f8": {name: "F8", vk: 119},
	"f9": {name: "F9", vk: 120}, "f10": {name: "F10", vk: 121}, "f11": {name: "F11", vk: 122}, "f12": {name: "F12", vk: 123},

	// Characters by keysym name.
	"space": charKey(' '), "kp_space": charKey(' '),
	"exclam": charKey('!'), "quotedbl": charKey('"'), "numbersign": charKey('#'),
	"dollar": charKey('$'), "percent": charKey('%'), "ampersand": charKey('&'),
	"apostrophe": charKey('\''), "quoteright": charKey('\''),
	"parenleft": charKey('('), "parenright": charKey(')'), "asterisk": charKey('*'),
	"plus": charKey('+'), "comma": charKey(','), "minus": charKey('-'), "period": charKey('.'),
	"slash": charKey('/'), "colon": charKey(':'), "semicolon": charKey(';'), "less": charKey('<'),
	"equal": charKey('='), "greater": charKey('>'), "question": charKey('?'), "at": charKey('@'),
	"bracketleft": charKey('['), "backslash": charKey('\\'), "bracketright": charKey(']'),
	"asciicircum": charKey('^'), "underscore": charKey('_'), "grave": charKey('`'),
	"quoteleft": charKey('`'), "braceleft": charKey('{'), "bar": charKey('|'),
	"braceright": charKey('}'), "asciitilde": charKey('~'),
	// The keypad types the characters of the main keys (the page sees the
	// main keys' codes, e.g. "Digit1" for KP_1).
	"kp_0": charKey('0'), "kp_1": charKey('1'), "kp_2": charKey('2'), "kp_3": charKey('3'),
	"kp_4": charKey('4'), "kp_5": charKey('5'), "kp_6": charKey('6'), "kp_7": charKey('7'),
	"kp_8": charKey('8'), "kp_9": charKey('9'), "kp_add": charKey('+'), "kp_subtract": charKey('-'),
	"kp_multiply": charKey('*'), "kp_divide": charKey('/'), "kp_decimal": charKey('.'),
	"kp_separator": charKey(','), "kp_equal": charKey('='),
}

// usKeys maps the characters of a US keyboard to their key's virtual key
// code, and whether Shift is needed (lkbrowser's US layout).
var usKeys = func() map[rune]key {
	m := map[rune]key{' ': {name: " ", vk: 32, char: ' '}}
	add := func(plain, shifted rune, vk int) {
		m[plain] = key{name: string(plain), vk: vk, char: plain}
		m[shifted] = key{name: string(shifted), vk: vk, char: shifted, shift: true}
	}
	for c := 'a'; c <= 'z'; c++ {
		add(c, c-'a'+'A', int(c-'a'+'A'))
	}
	for i, c := range "1234567890" {
		add(c, rune("!@#$%^&*()"[i]), int(c))
	}
	for _, p := range []struct {
		plain, shifted rune
		vk             int
	}{
		{'-', '_', 189}, {'=', '+', 187}, {'[', '{', 219}, {']', '}', 221}, {';', ':', 186},
		{'\'', '"', 222}, {'`', '~', 192}, {'\\', '|', 220}, {',', '<', 188}, {'.', '>', 190}, {'/', '?', 191},
	} {
		add(p.plain, p.shifted, p.vk)
	}
	return m
}()

// charKey returns the key of a single character: its US key, or for any
// other character a key with no code, which can only be typed (inserted as
// an input method would), not pressed with modifiers.
func charKey(r rune) key {
	if k, ok := usKeys[r]; ok {
		return k
	}
	return key{name: string(r), char: r}
}

// lookupKey finds a key by xdotool name: names are case-insensitive, a
// single character stands for itself (so "A" is Shift+a, as in xdotool).
func lookupKey(name string) (key, bool) {
	if r := []rune(name); len(r) == 1 {
		return charKey(r[0]), true
	}
	k, ok := namedKeySyms[strings.ToLower(name)]
	return k, ok
}

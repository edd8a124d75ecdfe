package lkbrowser

// Modifiers is a set of CEF event flags (cef_event_flags_t), the bits the
// reference's send_key_event and mouse calls take.
type Modifiers uint32

// Modifier bits, as in CEF.
const (
	ModCapsLock    Modifiers = 1 << 0
	ModShift       Modifiers = 1 << 1
	ModControl     Modifiers = 1 << 2
	ModAlt         Modifiers = 1 << 3
	ModLeftMouse   Modifiers = 1 << 4
	ModMiddleMouse Modifiers = 1 << 5
	ModRightMouse  Modifiers = 1 << 6
	ModCommand     Modifiers = 1 << 7 // Meta / Super / Command
	ModNumLock     Modifiers = 1 << 8
	ModIsKeyPad    Modifiers = 1 << 9
	ModIsLeft      Modifiers = 1 << 10
	ModIsRight     Modifiers = 1 << 11
	ModAltGr       Modifiers = 1 << 12
	ModIsRepeat    Modifiers = 1 << 13
)

// cdp returns the DevTools protocol's modifier bits (Alt=1, Ctrl=2, Meta=4,
// Shift=8).
func (m Modifiers) cdp() int64 {
	var b int64
	if m&ModAlt != 0 {
		b |= 1
	}
	if m&ModControl != 0 {
		b |= 2
	}
	if m&ModCommand != 0 {
		b |= 4
	}
	if m&ModShift != 0 {
		b |= 8
	}
	return b
}

// keyInfo describes a physical key: its DOM key and code names, Windows
// virtual key code and X11 key code (the native code on Linux).
type keyInfo struct {
	key, code string
	vk        int
	native    int
}

// namedKeys are the non-character keys, by DOM key name. The X11 key codes
// are those of a standard PC keyboard (the reference plugin's _keys.py).
var namedKeys = map[string]keyInfo{
	"Backspace":  {"Backspace", "Backspace", 8, 22},
	"Tab":        {"Tab", "Tab", 9, 23},
	"Enter":      {"Enter", "Enter", 13, 36},
	"Shift":      {"Shift", "ShiftLeft", 16, 50},
	"Control":    {"Control", "ControlLeft", 17, 37},
	"Alt":        {"Alt", "AltLeft", 18, 64},
	"Pause":      {"Pause", "Pause", 19, 127},
	"CapsLock":   {"CapsLock", "CapsLock", 20, 66},
	"Escape":     {"Escape", "Escape", 27, 9},
	"PageUp":     {"PageUp", "PageUp", 33, 112},
	"PageDown":   {"PageDown", "PageDown", 34, 117},
	"End":        {"End", "End", 35, 115},
	"Home":       {"Home", "Home", 36, 110},
	"ArrowLeft":  {"ArrowLeft", "ArrowLeft", 37, 113},
	"ArrowUp":    {"ArrowUp", "ArrowUp", 38, 111},
	"ArrowRight": {"ArrowRight", "ArrowRight", 39, 114},
	"ArrowDown":  {"ArrowDown", "ArrowDown", 40, 116},
	"Insert":     {"Insert", "Insert", 45, 118},
	"Delete":     {"Delete", "Delete", 46, 119},
	"Meta":       {"Meta", "MetaLeft", 91, 133},
	"F1":         {"F1", "F1", 112, 67},
	"F2":         {"F2", "F2", 113, 68},
	"F3":         {"F3", "F3", 114, 69},
	"F4":         {"F4", "F4", 115, 70},
	"F5":         {"F5", "F5", 116, 71},
	"F6":         {"F6", "F6", 117, 72},
	"F7":         {"F7", "F7", 118, 73},
	"F8":         {"F8", "F8", 119, 74},
	"F9":         {"F9", "F9", 120, 75},
	"F10":        {"F10", "F10", 121, 76},
	"F11":        {"F11", "F11", 122, 95},
	"F12":        {"F12", "F12", 123, 96},
}

// namedByVK indexes namedKeys by Windows virtual key code.
var namedByVK = func() map[int]keyInfo {
	m := make(map[int]keyInfo, len(namedKeys))
	for _, k := range namedKeys {
		m[k.vk] = k
	}
	return m
}()

// usLayout maps the printable ASCII characters of a US keyboard to their
// key: code name, virtual key code, X11 key code, and whether Shift is needed.
type usKey struct {
	code   string
	vk     int
	native int
	shift  bool
}

var usLayout = func() map[rune]usKey {
	m := map[rune]usKey{' ': {"Space", 32, 65, false}}
	rows := []struct {
		chars, shifted string
		native         int // X11 key code of the first key
	}{
		{"1234567890", "!@#$%^&*()", 10},
		{"qwertyuiop", "QWERTYUIOP", 24},
		{"asdfghjkl", "ASDFGHJKL", 38},
		{"zxcvbnm", "ZXCVBNM", 52},
	}
	for _, r := range rows {
		for i, c := range r.chars {
			var code string
			var vk int
			if c >= '0' && c <= '9' {
				code, vk = "Digit"+string(c), int(c)
			} else {
				code, vk = "Key"+string(c-32), int(c-32)
			}
			m[c] = usKey{code, vk, r.native + i, false}
			m[rune(r.shifted[i])] = usKey{code, vk, r.native + i, true}
		}
	}
	for _, p := range []struct {
		plain, shifted rune
		code           string
		vk, native     int
	}{
		{'-', '_', "Minus", 189, 20}, {'=', '+', "Equal", 187, 21},
		{'[', '{', "BracketLeft", 219, 34}, {']', '}', "BracketRight", 221, 35},
		{';', ':', "Semicolon", 186, 47}, {'\'', '"', "Quote", 222, 48},
		{'`', '~', "Backquote", 192, 49}, {'\\', '|', "Backslash", 220, 51},
		{',', '<', "Comma", 188, 59}, {'.', '>', "Period", 190, 60}, {'/', '?', "Slash", 191, 61},
	} {
		m[p.plain] = usKey{p.code, p.vk, p.native, false}
		m[p.shifted] = usKey{p.code, p.vk, p.native, true}
	}
	return m
}()

// usByVK and usShiftedByVK find the character a virtual key code types
// without and with Shift, for the DOM key names of CEF-style key events that
// carry only the code.
var usByVK, usShiftedByVK = func() (plain, shifted map[int]rune) {
	plain, shifted = map[int]rune{}, map[int]rune{}
	for c, k := range usLayout {
		if k.shift {
			shifted[k.vk] = c
		} else {
			plain[k.vk] = c
		}
	}
	return plain, shifted
}()

// usTyped returns the character that the US key with virtual key code vk
// types under mods, as a keyboard does: Shift selects the upper character of
// every key, Caps Lock inverts Shift for letters only.
func usTyped(vk int, mods Modifiers) (rune, bool) {
	plain, ok := usByVK[vk]
	if !ok {
		return 0, false
	}
	shift := mods&ModShift != 0
	if plain >= 'a' && plain <= 'z' && mods&ModCapsLock != 0 {
		shift = !shift
	}
	if shift {
		return usShiftedByVK[vk], true
	}
	return plain, true
}

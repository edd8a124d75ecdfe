package xview

// KeysymRune returns the character a keysym types, as XLookupString would,
// or 0 for keys that type nothing (modifiers, arrows, function keys, dead
// keys):
//   - Latin-1 keysyms (0x20..0x7e, 0xa0..0xff) are their own code point;
//   - keysyms 0x01000100..0x0110ffff are Unicode: keysym - 0x01000000;
//   - the keypad's characters (KP_0..KP_9, KP_Add, ...) and EuroSign;
//   - the control keys: BackSpace '\b', Tab and ISO_Left_Tab '\t', Return
//     and KP_Enter '\r', Escape 0x1b, Delete 0x7f.
//
// The legacy keysyms of other scripts (Cyrillic, Greek, ... below 0x2000)
// are not translated.
func KeysymRune(ks uint32) rune {
	switch {
	case ks >= 0x20 && ks <= 0x7e, ks >= 0xa0 && ks <= 0xff:
		return rune(ks)
	case ks >= 0x01000100 && ks <= 0x0110ffff:
		r := rune(ks - 0x01000000)
		if r >= 0xd800 && r <= 0xdfff { // surrogates are not characters
			return 0
		}
		return r
	case ks >= 0xffb0 && ks <= 0xffb9: // KP_0..KP_9
		return rune('0' + ks - 0xffb0)
	}
	switch ks {
	case 0xff08: // BackSpace
		return '\b'
	case 0xff09, 0xfe20, 0xff89: // Tab, ISO_Left_Tab, KP_Tab
		return '\t'
	case 0xff0d, 0xff8d: // Return, KP_Enter
		return '\r'
	case 0xff1b: // Escape
		return 0x1b
	case 0xffff: // Delete (not KP_Delete: with Num Lock off it only deletes)
		return 0x7f
	case 0xff80: // KP_Space
		return ' '
	case 0xffaa: // KP_Multiply
		return '*'
	case 0xffab: // KP_Add
		return '+'
	case 0xffac: // KP_Separator
		return ','
	case 0xffad: // KP_Subtract
		return '-'
	case 0xffae: // KP_Decimal
		return '.'
	case 0xffaf: // KP_Divide
		return '/'
	case 0xffbd: // KP_Equal
		return '='
	case 0x20ac: // EuroSign
		return '€'
	}
	return 0
}

// keyNames are the DOM key names of the non-character keysyms.
var keyNames = map[uint32]string{
	0xff08: "Backspace",
	0xff09: "Tab", 0xfe20: "Tab", 0xff89: "Tab",
	0xff0d: "Enter", 0xff8d: "Enter",
	0xff13: "Pause",
	0xff14: "ScrollLock",
	0xff1b: "Escape",
	0xff50: "Home", 0xff95: "Home",
	0xff51: "ArrowLeft", 0xff96: "ArrowLeft",
	0xff52: "ArrowUp", 0xff97: "ArrowUp",
	0xff53: "ArrowRight", 0xff98: "ArrowRight",
	0xff54: "ArrowDown", 0xff99: "ArrowDown",
	0xff55: "PageUp", 0xff9a: "PageUp",
	0xff56: "PageDown", 0xff9b: "PageDown",
	0xff57: "End", 0xff9c: "End",
	0xff61: "PrintScreen",
	0xff63: "Insert", 0xff9e: "Insert",
	0xff67: "ContextMenu",
	0xff7f: "NumLock",
	0xffff: "Delete", 0xff9f: "Delete",
	0xffe1: "Shift", 0xffe2: "Shift",
	0xffe3: "Control", 0xffe4: "Control",
	0xffe5: "CapsLock",
	0xffe7: "Meta", 0xffe8: "Meta", 0xffeb: "Meta", 0xffec: "Meta",
	0xffe9: "Alt", 0xffea: "Alt",
	0xfe03: "AltGraph",
}

// KeysymName returns the DOM key name of a non-character key: "Enter",
// "Backspace", "Tab", "Escape", "Delete", "Insert", "Home", "End", "PageUp",
// "PageDown", "ArrowLeft" (and Up, Right, Down), "F1".."F24", "Shift",
// "Control", "Alt", "Meta", "CapsLock", "NumLock", ... ; keypad keys without
// Num Lock have the names of their main-keyboard twins. It returns "" for
// keys that type characters (see KeysymRune) and for unknown keysyms.
func KeysymName(ks uint32) string {
	if ks >= 0xffbe && ks <= 0xffd5 { // F1..F24
		n := ks - 0xffbe + 1
		if n < 10 {
			return "F" + string(rune('0'+n))
		}
		return "F" + string(rune('0'+n/10)) + string(rune('0'+n%10))
	}
	return keyNames[ks]
}

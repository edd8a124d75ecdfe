package xview

import "testing"

func TestKeysymRune(t *testing.T) {
	for ks, want := range map[uint32]rune{
		0x61: 'a', 0x41: 'A', 0x20: ' ', 0x7e: '~', 0xe9: 'é', 0xa0: 0xa0, 0xff: 'ÿ',
		0x010020ac: '€', 0x01004f60: '你', 0x0101f600: '😀', 0x0100d800: 0,
		0xffb5: '5', 0xffab: '+', 0xffaf: '/', 0xff8d: '\r', 0xff0d: '\r',
		0xff08: '\b', 0xff09: '\t', 0xfe20: '\t', 0xff1b: 0x1b, 0xffff: 0x7f,
		0xff51: 0, 0xffe1: 0, 0xffbe: 0, 0xfe51: 0 /* dead_acute */, 0x7f: 0, 0x9f: 0,
		0x20ac: '€', 0: 0,
	} {
		if got := KeysymRune(ks); got != want {
			t.Errorf("KeysymRune(%#x) = %q, want %q", ks, got, want)
		}
	}
}

func TestKeysymName(t *testing.T) {
	for ks, want := range map[uint32]string{
		0xff08: "Backspace", 0xff09: "Tab", 0xff0d: "Enter", 0xff8d: "Enter",
		0xff1b: "Escape", 0xffff: "Delete", 0xff9f: "Delete", 0xff63: "Insert",
		0xff50: "Home", 0xff57: "End", 0xff55: "PageUp", 0xff56: "PageDown",
		0xff51: "ArrowLeft", 0xff52: "ArrowUp", 0xff53: "ArrowRight", 0xff54: "ArrowDown",
		0xffbe: "F1", 0xffc6: "F9", 0xffc7: "F10", 0xffc9: "F12", 0xffd5: "F24",
		0xffe1: "Shift", 0xffe4: "Control", 0xffe9: "Alt", 0xffeb: "Meta", 0xffe5: "CapsLock",
		0x61: "", 0xffb5: "", 0: "",
	} {
		if got := KeysymName(ks); got != want {
			t.Errorf("KeysymName(%#x) = %q, want %q", ks, got, want)
		}
	}
}

func TestEventTypeString(t *testing.T) {
	if s := KeyPress.String(); s != "key-press" {
		t.Errorf("KeyPress = %q", s)
	}
	if s := EventType(99).String(); s != "EventType(99)" {
		t.Errorf("EventType(99) = %q", s)
	}
}

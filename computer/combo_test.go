package computer

import (
	"errors"
	"strings"
	"testing"

	"github.com/lkbrowser/lkbrowser"
)

// describe renders combos as "mods|main(vk,char,shift)" for comparison.
func describe(cs []combo) string {
	var parts []string
	for _, c := range cs {
		var s []string
		for _, m := range c.mods {
			s = append(s, m.name)
		}
		d := strings.Join(s, "+") + "|"
		if c.main != nil {
			d += c.main.name
			if c.main.shift {
				d += "(shift)"
			}
			if c.main.vk == 0 {
				d += "(typed)"
			}
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, " ")
}

func TestParseKeys(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Return", "|Enter"},
		{"return", "|Enter"},
		{"RETURN", "|Enter"},
		{"Enter", "|Enter"},
		{"KP_Enter", "|Enter"},
		{"Tab", "|Tab"},
		{"Escape", "|Escape"},
		{"BackSpace", "|Backspace"},
		{"Delete", "|Delete"},
		{"Home", "|Home"},
		{"End", "|End"},
		{"Page_Up", "|PageUp"},
		{"Page_Down", "|PageDown"},
		{"Prior", "|PageUp"},
		{"Next", "|PageDown"},
		{"Up", "|ArrowUp"},
		{"Down", "|ArrowDown"},
		{"Left", "|ArrowLeft"},
		{"Right", "|ArrowRight"},
		{"F1", "|F1"},
		{"f12", "|F12"},
		{"space", "| "},
		{"minus", "|-"},
		{"plus", "|+(shift)"},
		{"period", "|."},
		{"comma", "|,"},
		{"slash", "|/"},
		{"a", "|a"},
		{"A", "|A(shift)"},
		{"7", "|7"},
		{"ctrl+a", "Control|a"},
		{"control+a", "Control|a"},
		{"ctrl+A", "Control|a"}, // the shortcut, not ctrl+shift+a
		{"ctrl+shift+t", "Control+Shift|t"},
		{"ctrl+shift+T", "Control+Shift|t"},
		{"alt+Tab", "Alt|Tab"},
		{"super", "Meta|"},
		{"meta+c", "Meta|c"},
		{"cmd+c", "Meta|c"},
		{"win+e", "Meta|e"},
		{"shift", "Shift|"},
		{"ctrl+shift", "Control+Shift|"},
		{"ctrl+ctrl+a", "Control|a"},
		{"ctrl++", "Control|+(shift)"},
		{"+", "|+(shift)"},
		{"ctrl + a", "Control|a"},
		{"ctrl+a BackSpace", "Control|a |Backspace"},
		{"  Tab   Tab ", "|Tab |Tab"},
		{"é", "|é(typed)"},
		{"shift+Tab", "Shift|Tab"},
	} {
		got, err := parseKeys(Key, tc.in)
		if err != nil {
			t.Errorf("parseKeys(%q): %v", tc.in, err)
			continue
		}
		if d := describe(got); d != tc.want {
			t.Errorf("parseKeys(%q) = %q, want %q", tc.in, d, tc.want)
		}
	}
}

func TestParseKeysKeyCodes(t *testing.T) {
	for _, tc := range []struct {
		in         string
		vk, native int
		char       rune
	}{
		{"Return", 13, 0, '\r'},
		{"KP_Enter", 13, 104, '\r'},
		{"BackSpace", 8, 0, 0},
		{"Page_Down", 34, 0, 0},
		{"F5", 116, 0, 0},
		{"a", 'A', 0, 'a'},
		{"Z", 'Z', 0, 'Z'},
		{"0", '0', 0, '0'},
		{"exclam", '1', 0, '!'},
		{"minus", 189, 0, '-'},
		{"slash", 191, 0, '/'},
		{"space", 32, 0, ' '},
	} {
		cs, err := parseKeys(Key, tc.in)
		if err != nil || len(cs) != 1 || cs[0].main == nil {
			t.Fatalf("parseKeys(%q) = %v, %v", tc.in, cs, err)
		}
		if m := cs[0].main; m.vk != tc.vk || m.native != tc.native || m.char != tc.char {
			t.Errorf("%q: vk %d native %d char %q, want %d %d %q", tc.in, m.vk, m.native, m.char, tc.vk, tc.native, tc.char)
		}
	}
	cs, _ := parseKeys(Key, "ctrl+shift+alt+super+x")
	if b := cs[0].bits(); b != lkbrowser.ModControl|lkbrowser.ModShift|lkbrowser.ModAlt|lkbrowser.ModCommand {
		t.Errorf("bits %b", b)
	}
}

func TestParseKeysRefused(t *testing.T) {
	for _, in := range []string{
		"", "   ", "nosuchkey", "ctrl+nosuchkey", "a+b", "ctrl+a+b", "ctrl+", "+ctrl", "ctrl++a", "ctrl+é",
		strings.Repeat("a ", MaxCombos+1), strings.Repeat("x", MaxKeysLength+1), "F13",
	} {
		_, err := parseKeys(Key, in)
		var ae *ActionError
		if !errors.As(err, &ae) || !errors.Is(err, ErrInvalidAction) || errors.Is(err, ErrOffDisplay) || ae.Field != "Keys" || ae.Kind != Key {
			t.Errorf("parseKeys(%q) = %v, want an invalid Keys ActionError", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("parseKeys(%q): error of several lines: %q", in, err)
		}
	}
}

func TestParseModifiers(t *testing.T) {
	mods, err := parseModifiers(Click, "shift+ctrl")
	if err != nil || len(mods) != 2 || mods[0].mod != lkbrowser.ModShift || mods[1].mod != lkbrowser.ModControl {
		t.Errorf("parseModifiers(shift+ctrl) = %v, %v", mods, err)
	}
	if mods, err := parseModifiers(Click, ""); err != nil || mods != nil {
		t.Errorf("parseModifiers(\"\") = %v, %v", mods, err)
	}
	for _, in := range []string{"a", "ctrl+a", "shift ctrl", "Return"} {
		if _, err := parseModifiers(Click, in); !errors.Is(err, ErrInvalidAction) {
			t.Errorf("parseModifiers(%q) = %v, want refused", in, err)
		}
	}
}

// Every named key has a key code lkbrowser knows, or is a modifier.
func TestKeySymsTable(t *testing.T) {
	for name, k := range namedKeySyms {
		if name != strings.ToLower(name) {
			t.Errorf("%q: table names must be lower case", name)
		}
		if k.vk == 0 {
			t.Errorf("%q has no key code", name)
		}
		if k.char != 0 && k.char != '\r' {
			if u, ok := usKeys[k.char]; !ok || u.vk != k.vk || u.shift != k.shift {
				t.Errorf("%q: %+v disagrees with the US layout %+v", name, k, u)
			}
		}
	}
}

package tests

import (
	"testing"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// TestShiftAndCapsLockTypeUpperCharacters presses keys with Shift and Caps
// Lock, through PressKey and through CEF-style SendKeyEvent, and checks what
// the page saw: the keydown's key and the text the <input> got.
func TestShiftAndCapsLockTypeUpperCharacters(t *testing.T) {
	p, ctx := loadInputPage(t)
	if err := p.Click(ctx, 100, 165); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.activeElement.id`, "field")
	testsupport.EvalAs[bool](t, p, `window.downs = []; document.getElementById('field').addEventListener('keydown', e => window.downs.push(e.key)); true`)
	const shift, caps = lkbrowser.ModShift, lkbrowser.ModCapsLock
	check := func(name, want string) {
		t.Helper()
		eventually(t, p, `document.getElementById('field').value`, want)
		if got := testsupport.EvalAs[string](t, p, `window.downs.join(' ')`); got != want {
			t.Errorf("%s: keydown key %q, want %q", name, got, want)
		}
		testsupport.EvalAs[bool](t, p, `document.getElementById('field').value = ''; window.downs = []; true`)
	}
	for _, c := range []struct {
		key  string
		mods lkbrowser.Modifiers
		want string
	}{
		{"a", shift, "A"}, {"z", shift, "Z"}, {"1", shift, "!"}, {"0", shift, ")"},
		{";", shift, ":"}, {"/", shift, "?"}, {"'", shift, `"`}, {"-", shift, "_"},
		{"a", caps, "A"}, {"1", caps, "1"}, {";", caps, ";"}, {"a", shift | caps, "a"},
		{"A", 0, "A"}, {"!", 0, "!"}, {"a", 0, "a"},
	} {
		if err := p.PressKey(ctx, c.key, c.mods); err != nil {
			t.Fatal(err)
		}
		check("PressKey "+c.key, c.want)
	}
	// A viewer speaking the reference's protocol, the char event with the
	// key's plain character or none.
	for _, c := range []struct {
		vk   int
		ch   rune
		mods lkbrowser.Modifiers
		want string
	}{
		{65, 'a', shift, "A"}, {66, 'B', shift, "B"}, {49, '1', shift, "!"}, {186, ';', shift, ":"},
		{67, 'c', caps, "C"}, {50, '2', caps, "2"}, {68, 0, caps, "D"}, {191, 0, shift, "?"},
	} {
		sendCEFKey(ctx, t, p, c.vk, c.ch, c.mods)
		check("SendKeyEvent "+string(rune(c.vk)), c.want)
	}
}

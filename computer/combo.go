package computer

import (
	"regexp"
	"strings"

	"github.com/lkbrowser/lkbrowser"
)

// Limits of Action.Keys.
const (
	// MaxKeysLength is the longest Keys accepted, in bytes.
	MaxKeysLength = 256
	// MaxCombos is the most combos one Keys may chain ("ctrl+a Delete" is
	// two).
	MaxCombos = 16
)

// combo is one key combination, pressed as a person presses it: the
// modifiers down in order, the main key (if any) pressed and released,
// the modifiers up in reverse order.
type combo struct {
	mods []key
	main *key // nil for a combo of modifiers only ("shift")
}

// bits returns the modifier bits the combo holds.
func (c combo) bits() lkbrowser.Modifiers {
	var m lkbrowser.Modifiers
	for _, k := range c.mods {
		m |= k.mod
	}
	return m
}

// spacedPlus is a "+" written with spaces around it ("ctrl + a").
var spacedPlus = regexp.MustCompile(`\s*\+\s*`)

// parseKeys parses Keys as xdotool's key command does: combos separated by
// white space, pressed one after another ("ctrl+a Delete"), each of key
// names joined by "+" ("ctrl+shift+t", "ctrl++" for Ctrl with the plus
// key).
func parseKeys(k Kind, s string) ([]combo, error) {
	if len(s) > MaxKeysLength {
		return nil, refuse(k, "Keys", "is %d bytes, longer than %d", len(s), MaxKeysLength)
	}
	fields := strings.Fields(spacedPlus.ReplaceAllString(s, "+"))
	if len(fields) == 0 {
		return nil, refuse(k, "Keys", "is empty: name a key, e.g. \"Return\" or \"ctrl+a\"")
	}
	if len(fields) > MaxCombos {
		return nil, refuse(k, "Keys", "chains %d combos, more than %d", len(fields), MaxCombos)
	}
	combos := make([]combo, 0, len(fields))
	for _, f := range fields {
		c, err := parseCombo(k, f)
		if err != nil {
			return nil, err
		}
		combos = append(combos, c)
	}
	return combos, nil
}

// parseCombo parses one combo without white space. Every key but the last
// must be a modifier. Rules:
//   - names are case-insensitive ("return", "RETURN"); a single character
//     is itself, so "A" alone types A (Shift+a, as xdotool does);
//   - a letter pressed with Ctrl, Alt or Meta is the letter's key whatever
//     its case ("ctrl+A" is ctrl+a, not ctrl+shift+a): models mean the
//     shortcut;
//   - a character no US key types ("é") can only be typed alone.
func parseCombo(k Kind, s string) (combo, error) {
	var names []string
	switch {
	case s == "+":
		names = []string{"+"}
	case strings.HasSuffix(s, "++"):
		names = append(strings.Split(s[:len(s)-2], "+"), "+")
	default:
		names = strings.Split(s, "+")
	}
	var c combo
	for i, name := range names {
		if name == "" {
			return combo{}, refuse(k, "Keys", "%s has an empty key name", quote(s))
		}
		key, ok := lookupKey(name)
		if !ok {
			return combo{}, refuse(k, "Keys", "%s: unknown key name %s (use xdotool names: Return, Tab, Escape, BackSpace, Page_Down, Up, F5, ctrl, shift, alt, super, a, 1, ...)", quote(s), quote(name))
		}
		switch {
		case key.mod != 0:
			// A modifier, also last: "ctrl+shift" presses modifiers only.
			if !c.has(key) {
				c.mods = append(c.mods, key)
			}
		case i < len(names)-1:
			return combo{}, refuse(k, "Keys", "%s: %s is not a modifier; only the last key of a combo may be another key", quote(s), quote(name))
		default:
			c.main = &key
		}
	}
	if c.main != nil {
		m := c.main
		if m.vk == 0 && len(c.mods) > 0 {
			return combo{}, refuse(k, "Keys", "%s: %s is on no US key, so it can only be typed alone (or use type)", quote(s), quote(m.name))
		}
		if m.shift && m.char >= 'A' && m.char <= 'Z' && c.bits()&(lkbrowser.ModControl|lkbrowser.ModAlt|lkbrowser.ModCommand) != 0 {
			lower := charKey(m.char - 'A' + 'a')
			c.main = &lower
		}
	}
	return c, nil
}

// has reports whether c already holds modifier k.
func (c combo) has(k key) bool {
	for _, m := range c.mods {
		if m.vk == k.vk {
			return true
		}
	}
	return false
}

// parseModifiers parses the Keys of a pointer action: modifiers only
// ("shift", "ctrl+alt"), held during the action; "" holds none.
func parseModifiers(k Kind, s string) ([]key, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	combos, err := parseKeys(k, s)
	if err != nil {
		return nil, err
	}
	if len(combos) != 1 || combos[0].main != nil {
		return nil, refuse(k, "Keys", "%s: a %s holds modifiers only (shift, ctrl, alt, super joined by +)", quote(s), k)
	}
	return combos[0].mods, nil
}

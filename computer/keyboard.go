package computer

import (
	"context"
	"errors"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// cleanupTimeout bounds the release of keys and buttons an action pressed,
// which happens even when the action's context has ended: a page must not
// be left with a key or button held.
const cleanupTimeout = 2 * time.Second

func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// shortcutMods are the modifiers with which a key types no character.
const shortcutMods = lkbrowser.ModControl | lkbrowser.ModAlt | lkbrowser.ModCommand

// pressMods presses modifiers in order, as a person does (Shift's keydown
// already reports shiftKey), and returns the bits held and how many were
// pressed (on error, fewer than len(mods): release those).
func (c *Computer) pressMods(ctx context.Context, mods []key) (lkbrowser.Modifiers, int, error) {
	var bits lkbrowser.Modifiers
	for i, m := range mods {
		bits |= m.mod
		if err := c.page.SendKeyEvent(ctx, lkbrowser.KeyEvent{Type: lkbrowser.KeyRawDown, WindowsKeyCode: m.vk, Modifiers: bits}); err != nil {
			return bits &^ m.mod, i, err
		}
	}
	return bits, len(mods), nil
}

// releaseMods releases the first n of mods in reverse order, even after ctx
// ended; each keyup no longer reports its own modifier.
func (c *Computer) releaseMods(ctx context.Context, mods []key, n int) error {
	if n == 0 {
		return nil
	}
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	var bits lkbrowser.Modifiers
	for _, m := range mods[:n] {
		bits |= m.mod
	}
	var errs []error
	for i := n - 1; i >= 0; i-- {
		bits &^= mods[i].mod
		if err := c.page.SendKeyEvent(cctx, lkbrowser.KeyEvent{Type: lkbrowser.KeyUp, WindowsKeyCode: mods[i].vk, Modifiers: bits}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// withMods runs f with mods held, releasing them after f whatever happens.
func (c *Computer) withMods(ctx context.Context, mods []key, f func(bits lkbrowser.Modifiers) error) error {
	bits, n, err := c.pressMods(ctx, mods)
	if err == nil {
		err = f(bits)
	}
	if rerr := c.releaseMods(ctx, mods, n); err == nil {
		err = rerr
	}
	return err
}

// keyEvent is a key event of k under mods: a character key names its
// character in every event, so keydown, keypress and keyup agree (as
// lkbrowser's PressKey does), and needs Shift when its character does.
func keyEvent(typ lkbrowser.KeyEventType, k key, mods lkbrowser.Modifiers) lkbrowser.KeyEvent {
	if k.shift {
		mods |= lkbrowser.ModShift
	}
	ev := lkbrowser.KeyEvent{Type: typ, WindowsKeyCode: k.vk, NativeKeyCode: k.native, Modifiers: mods}
	if k.char != 0 && k.char != '\r' {
		ev.Character = k.char
	}
	return ev
}

// keyDown presses k: its keydown, then the character it types unless a
// shortcut modifier is held (Enter types "\r", other named keys nothing).
func (c *Computer) keyDown(ctx context.Context, k key, mods lkbrowser.Modifiers) error {
	if err := c.page.SendKeyEvent(ctx, keyEvent(lkbrowser.KeyRawDown, k, mods)); err != nil {
		return err
	}
	if k.char == 0 || mods&shortcutMods != 0 {
		return nil
	}
	ev := keyEvent(lkbrowser.KeyChar, k, mods)
	ev.Character = k.char
	return c.page.SendKeyEvent(ctx, ev)
}

// keyUp releases k, even after ctx ended.
func (c *Computer) keyUp(ctx context.Context, k key, mods lkbrowser.Modifiers) error {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	return c.page.SendKeyEvent(cctx, keyEvent(lkbrowser.KeyUp, k, mods))
}

// pressCombo presses one combo: modifiers down, the main key pressed and
// released, modifiers up. A character no US key types is typed (inserted)
// instead; parseCombo allows it only alone.
func (c *Computer) pressCombo(ctx context.Context, cb combo) error {
	return c.withMods(ctx, cb.mods, func(bits lkbrowser.Modifiers) error {
		if cb.main == nil {
			return nil
		}
		if cb.main.vk == 0 {
			return c.page.TypeText(ctx, string(cb.main.char))
		}
		err := c.keyDown(ctx, *cb.main, bits)
		if uerr := c.keyUp(ctx, *cb.main, bits); err == nil {
			err = uerr
		}
		return err
	})
}

// pressKeys presses the combos in turn, the whole sequence repeat times.
func (c *Computer) pressKeys(ctx context.Context, combos []combo, repeat int) error {
	for range repeat {
		for _, cb := range combos {
			if err := c.pressCombo(ctx, cb); err != nil {
				return err
			}
		}
	}
	return nil
}

// holdKeys presses a combo's keys, holds them for d (one keydown each: no
// auto-repeat) and releases them in reverse order, also when ctx ends
// during the hold.
func (c *Computer) holdKeys(ctx context.Context, cb combo, d time.Duration) error {
	return c.withMods(ctx, cb.mods, func(bits lkbrowser.Modifiers) error {
		if cb.main == nil {
			return sleep(ctx, d)
		}
		if cb.main.vk == 0 { // typed, not a key: nothing to hold
			if err := c.page.TypeText(ctx, string(cb.main.char)); err != nil {
				return err
			}
			return sleep(ctx, d)
		}
		err := c.keyDown(ctx, *cb.main, bits)
		if err == nil {
			err = sleep(ctx, d)
		}
		if uerr := c.keyUp(ctx, *cb.main, bits); err == nil {
			err = uerr
		}
		return err
	})
}

package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/lkbrowser/lkbrowser/internal/clicks"
	"github.com/lkbrowser/lkbrowser/internal/xview"
)

// Dev mode (Options.DevMode): every page keeps its private Xvfb, so capture,
// frames and everything else behave exactly as without dev mode, and in
// addition gets a viewer window on the user's display ($DISPLAY) that
// mirrors the page live and forwards the window's mouse, wheel, keyboard and
// focus to the page through the page's public input methods, as the
// reference's dev_mode window did. The viewer never touches the page's
// Frames or Events channels, which belong to the user.

// Timing of the viewer.
const (
	devTitleEvery   = time.Second     // how often the title is brought up to date
	devRefreshEvery = time.Second     // the picture is redrawn at least this often
	devCallTimeout  = 5 * time.Second // bound of each call on the page
)

// devView is a page's viewer window and its two goroutines: the mirror
// (snapshots to the window) and the event loop (window input to the page).
type devView struct {
	p      *Page
	win    *xview.Window
	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc

	repaint  chan struct{} // Expose asks the mirror to redraw (buffered 1)
	lost     atomic.Bool   // the mirror found the window's connection broken
	done     chan struct{} // closed once both goroutines ended and the window closed
	stopOnce sync.Once

	// Event-loop state.
	clicks clicks.Counter // the click count rule, fed with the X server's times
	counts [4]int         // click count of the press of each button 1..3
	keyVK  map[int]int    // Windows key code sent for each X key code held
}

// startDevView opens the page's viewer window. Without a usable display it
// logs a warning and the page goes on without one: dev mode never makes
// NewPage fail.
func (p *Page) startDevView() {
	w, h := p.size()
	win, err := xview.Open(devTitle(p.id, ""), w, h)
	if err != nil {
		p.e.log.Warn("dev mode: no viewer window for the page", "page", p.id, "err", err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &devView{
		p: p, win: win, ctx: ctx, cancel: cancel,
		repaint: make(chan struct{}, 1), done: make(chan struct{}),
		keyVK: map[int]int{},
	}
	p.dev = d
	p.e.log.Info("dev mode: viewer window opened", "page", p.id, "window", win.ID())
	go d.run()
}

// stopDevView closes the page's viewer window, if it has one, and waits for
// its goroutines. It is idempotent.
func (p *Page) stopDevView() {
	if p.dev != nil {
		p.dev.stop()
	}
}

func devTitle(id int, title string) string {
	if title == "" {
		return fmt.Sprintf("lkbrowser page %d", id)
	}
	return fmt.Sprintf("%s - lkbrowser page %d", title, id)
}

// stop ends the viewer. Closing the window interrupts the event loop's Wait
// and, should the user's X server hang, cuts a Put in progress short, so a
// stuck viewer never holds up Page.Close.
func (d *devView) stop() {
	d.stopOnce.Do(func() {
		d.cancel()
		_ = d.win.Close()
		<-d.done
	})
}

// run is the event loop; it starts the mirror and, when either ends (stop,
// the user closed the window, the display went away), ends the other and
// closes the window.
func (d *devView) run() {
	defer close(d.done)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { d.mirror(quit) })
	d.events()
	close(quit)
	wg.Wait()
	_ = d.win.Close()
}

// events forwards the window's input to the page until stop, a close
// request or a broken connection.
func (d *devView) events() {
	log := d.p.e.log
	var evs []xview.Event
	for {
		var err error
		evs, err = d.win.Wait(-1, evs)
		if d.ctx.Err() != nil {
			return
		}
		if err != nil || d.lost.Load() {
			log.Warn("dev mode: viewer window lost", "page", d.p.id, "err", err)
			return
		}
		for i, ev := range evs {
			// Of consecutive moves only the last one matters.
			if ev.Type == xview.Motion && i+1 < len(evs) && evs[i+1].Type == xview.Motion {
				continue
			}
			if ev.Type == xview.CloseRequested {
				log.Info("dev mode: viewer window closed by the user; the page goes on", "page", d.p.id)
				return
			}
			if err := d.forward(ev); err != nil && d.ctx.Err() == nil && d.p.usable() == nil {
				log.Debug("dev mode: input not forwarded", "page", d.p.id, "event", ev.Type, "err", err)
			}
		}
	}
}

// mirror shows the page in the window: whenever the page captured a new
// frame (checked every frame interval), on Expose, and at least once a
// second, it takes a snapshot and draws it. It also keeps the title up to
// date.
func (d *devView) mirror(quit <-chan struct{}) {
	p := d.p
	tick := time.NewTicker(time.Second / time.Duration(p.opts.FrameRate))
	defer tick.Stop()
	seen := ^uint64(0)
	var shown, titled time.Time
	title := ""
	for {
		force := false
		select {
		case <-quit:
			return
		case <-d.repaint:
			force = true
		case <-tick.C:
		}
		now := time.Now()
		if n := p.Stats().FramesCaptured; n != seen || force || now.Sub(shown) >= devRefreshEvery {
			seen, shown = n, now
			if err := d.show(); err != nil {
				if errors.Is(err, xview.ErrConnectionLost) || errors.Is(err, xview.ErrClosed) {
					d.lost.Store(true)
					d.win.Wake() // the event loop ends the viewer
					return
				}
				p.e.log.Debug("dev mode: cannot show the page", "page", p.id, "err", err)
			}
		}
		if now.Sub(titled) >= devTitleEvery {
			titled = now
			p.tab.mu.Lock()
			t := p.tab.title
			p.tab.mu.Unlock()
			if t != title {
				title = t
				_ = d.win.SetTitle(devTitle(p.id, t))
			}
		}
	}
}

// show draws a snapshot of the page. Failures of the page (closing,
// crashed) are not errors of the window: it keeps its last picture.
func (d *devView) show() error {
	ctx, cancel := context.WithTimeout(d.ctx, devCallTimeout)
	f, err := d.p.Snapshot(ctx)
	cancel()
	if err != nil {
		return nil
	}
	defer f.Release()
	return d.win.Put(f.Pix, f.Stride, f.Width, f.Height)
}

// forward sends one window event to the page.
func (d *devView) forward(ev xview.Event) error {
	p := d.p
	ctx, cancel := context.WithTimeout(d.ctx, devCallTimeout)
	defer cancel()
	mods := devModifiers(ev.State)
	me := MouseEvent{X: ev.X, Y: ev.Y, Modifiers: mods}
	me.X, me.Y = d.clamp(ev.X, ev.Y)
	switch ev.Type {
	case xview.Motion, xview.Enter:
		return p.SendMouseMove(ctx, me, false)
	case xview.Leave:
		return p.SendMouseMove(ctx, me, true)
	case xview.ButtonPress, xview.ButtonRelease:
		up := ev.Type == xview.ButtonRelease
		switch ev.Button {
		case 1, 2, 3:
			button := [...]MouseButton{1: MouseLeft, 2: MouseMiddle, 3: MouseRight}[ev.Button]
			if !up {
				d.counts[ev.Button] = d.clickCount(ev)
			}
			return p.SendMouseClick(ctx, me, button, up, max(d.counts[ev.Button], 1))
		case 4, 5, 6, 7: // wheel notches come as press and release: one notch
			if up {
				return nil
			}
			dx, dy := 0, 0
			switch ev.Button {
			case 4: // up: positive in CEF's signs
				dy = 120
			case 5:
				dy = -120
			case 6: // left
				dx = 120
			case 7:
				dx = -120
			}
			return p.SendMouseWheel(ctx, me, dx, dy)
		}
		return nil // buttons 8, 9 (back, forward) have no CEF counterpart
	case xview.KeyPress:
		vk := devKeyCode(ev)
		d.keyVK[ev.Keycode] = vk
		mods |= devModifierKey(ev.Key)
		if err := p.SendKeyEvent(ctx, KeyEvent{Type: KeyRawDown, Modifiers: mods, WindowsKeyCode: vk, NativeKeyCode: ev.Keycode}); err != nil {
			return err
		}
		if c := devChar(ev); c != 0 && mods&(ModControl|ModAlt|ModCommand) == 0 {
			return p.SendKeyEvent(ctx, KeyEvent{Type: KeyChar, Modifiers: mods, WindowsKeyCode: vk, NativeKeyCode: ev.Keycode, Character: c})
		}
		return nil
	case xview.KeyRelease:
		vk, ok := d.keyVK[ev.Keycode]
		if !ok {
			vk = devKeyCode(ev)
		}
		delete(d.keyVK, ev.Keycode)
		mods &^= devModifierKey(ev.Key)
		return p.SendKeyEvent(ctx, KeyEvent{Type: KeyUp, Modifiers: mods, WindowsKeyCode: vk, NativeKeyCode: ev.Keycode})
	case xview.FocusIn, xview.FocusOut:
		return p.SetFocus(ctx, ev.Type == xview.FocusIn)
	case xview.Expose:
		select {
		case d.repaint <- struct{}{}:
		default:
		}
	}
	return nil
}

// clamp keeps a pointer position (which may lie outside the window while a
// button is held) within the range the page's input methods accept.
func (d *devView) clamp(x, y int) (int, int) {
	w, h := d.p.size()
	return min(max(x, -w), 2*w-1), min(max(y, -h), 2*h-1)
}

// clickCount counts a press as the next click of a multi-click (the
// shared rule of package clicks), on the X server's millisecond clock.
func (d *devView) clickCount(ev xview.Event) int {
	return d.clicks.Down(ev.X, ev.Y, ev.Button, time.UnixMilli(int64(ev.Time)))
}

// devModifiers converts an X modifier and button state to CEF's flags.
func devModifiers(state uint16) Modifiers {
	var m Modifiers
	for _, b := range []struct {
		x   uint16
		mod Modifiers
	}{
		{xview.StateShift, ModShift}, {xview.StateLock, ModCapsLock},
		{xview.StateControl, ModControl}, {xview.StateMod1, ModAlt},
		{xview.StateMod2, ModNumLock}, {xview.StateMod4, ModCommand},
		{xview.StateMod5, ModAltGr}, {xview.StateButton1, ModLeftMouse},
		{xview.StateButton2, ModMiddleMouse}, {xview.StateButton3, ModRightMouse},
	} {
		if state&b.x != 0 {
			m |= b.mod
		}
	}
	return m
}

// devModifierKey returns the flag of a modifier key itself: X reports the
// state before the event, while a page expects shiftKey on Shift's keydown.
func devModifierKey(key string) Modifiers {
	switch key {
	case "Shift":
		return ModShift
	case "Control":
		return ModControl
	case "Alt":
		return ModAlt
	case "Meta":
		return ModCommand
	}
	return 0
}

// devExtraKeys are the Windows key codes of named keys that keys.go's
// namedKeys lacks.
var devExtraKeys = map[string]int{
	"ScrollLock": 145, "NumLock": 144, "ContextMenu": 93, "PrintScreen": 44,
	"F13": 124, "F14": 125, "F15": 126, "F16": 127, "F17": 128, "F18": 129,
	"F19": 130, "F20": 131, "F21": 132, "F22": 133, "F23": 134, "F24": 135,
}

// devKeyCode returns the Windows virtual key code of a key event: from the
// DOM name of a named key (keys.go's namedKeys), or from the character of a
// US-keyboard key (usLayout), or 0 for other characters (they still type,
// through KeyChar).
func devKeyCode(ev xview.Event) int {
	if ev.Key != "" {
		if k, ok := namedKeys[ev.Key]; ok {
			return k.vk
		}
		return devExtraKeys[ev.Key]
	}
	if k, ok := usLayout[ev.Rune]; ok {
		return k.vk
	}
	if k, ok := usLayout[unicode.ToLower(ev.Rune)]; ok {
		return k.vk
	}
	return 0
}

// devChar returns the character a key event types (for KeyChar), or 0:
// printable characters, and '\r' for Enter; the other control keys act
// through their key codes.
func devChar(ev xview.Event) rune {
	switch {
	case ev.Key == "Enter":
		return '\r'
	case ev.Key != "", ev.Rune < 0x20, ev.Rune == 0x7f:
		return 0
	}
	return ev.Rune
}

package tests

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// eventually polls expr until it equals want.
func eventually[T comparable](t *testing.T, p *lkbrowser.Page, expr string, want T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := testsupport.EvalAs[T](t, p, expr)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", expr, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func loadInputPage(t *testing.T) (*lkbrowser.Page, context.Context) {
	t.Helper()
	p := openPage(t, lkbrowser.PageOptions{URL: url("input.html"), Width: 640, Height: 480})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 30, 30, rgb{255, 0, 0}) // the button
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return p, ctx
}

// waitPainted waits until the page shows colour c at x, y: Chromium ignores
// input until a new document has painted, so tests look before they click,
// as a person would.
func waitPainted(t *testing.T, p *lkbrowser.Page, x, y int, c rgb) {
	t.Helper()
	waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, x, y, c, 2) }).Release()
}

func TestClickChangesButtonColour(t *testing.T) {
	p, ctx := loadInputPage(t) // the button (30, 30 is away from its label) is red
	if err := p.Click(ctx, 100, 50); err != nil {
		t.Fatal(err)
	}
	green := func(f *lkbrowser.Frame) bool { return near(f, 30, 30, rgb{0, 255, 0}, 2) }
	waitFrame(t, p, 5*time.Second, green).Release()
}

func TestDoubleClickSelectsWord(t *testing.T) {
	p, ctx := loadInputPage(t)
	// "beta" starts after "alpha " (about 75 px at 20 px DejaVu Sans).
	x, y := int(testsupport.EvalAs[float64](t, p, `(() => { const r = document.createRange(); const n = document.getElementById('words').firstChild; r.setStart(n, 6); r.setEnd(n, 10); const b = r.getBoundingClientRect(); return b.left + b.width/2; })()`)), 110
	ev := lkbrowser.MouseEvent{X: x, Y: y}
	if err := p.SendMouseMove(ctx, ev, false); err != nil {
		t.Fatal(err)
	}
	for i, up := range []bool{false, true, false, true} {
		if err := p.SendMouseClick(ctx, ev, lkbrowser.MouseLeft, up, i/2+1); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, p, `window.getSelection().toString()`, "beta")
	// A triple click selects the whole line.
	for _, up := range []bool{false, true} {
		if err := p.SendMouseClick(ctx, ev, lkbrowser.MouseLeft, up, 3); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, p, `window.getSelection().toString().trim()`, "alpha beta gamma")
}

func TestWheelScrolls(t *testing.T) {
	p, ctx := loadInputPage(t)
	// Three notches down (CEF sign: negative is down).
	if err := p.SendMouseWheel(ctx, lkbrowser.MouseEvent{X: 300, Y: 300}, 0, -3*120); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `window.scrollY`, 360.0)
	if err := p.SendMouseWheel(ctx, lkbrowser.MouseEvent{X: 300, Y: 300}, 0, 120); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `window.scrollY`, 240.0)
}

func TestDragMovesSlider(t *testing.T) {
	p, ctx := loadInputPage(t)
	// The slider spans x 20..320 at y about 230; its thumb starts at the left.
	y := int(testsupport.EvalAs[float64](t, p, `(() => { const b = document.getElementById('slider').getBoundingClientRect(); return b.top + b.height/2; })()`))
	start := lkbrowser.MouseEvent{X: 27, Y: y}
	if err := p.SendMouseMove(ctx, start, false); err != nil {
		t.Fatal(err)
	}
	if err := p.SendMouseClick(ctx, start, lkbrowser.MouseLeft, false, 1); err != nil {
		t.Fatal(err)
	}
	for x := 40; x <= 320; x += 40 {
		if err := p.SendMouseMove(ctx, lkbrowser.MouseEvent{X: x, Y: y, Modifiers: lkbrowser.ModLeftMouse}, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.SendMouseClick(ctx, lkbrowser.MouseEvent{X: 320, Y: y}, lkbrowser.MouseLeft, true, 1); err != nil {
		t.Fatal(err)
	}
	if v := testsupport.EvalAs[string](t, p, `document.getElementById('slider').value`); v != "100" {
		t.Errorf("slider value %s after dragging to its right end, want 100", v)
	}
}

func TestTypeTextAndShortcuts(t *testing.T) {
	p, ctx := loadInputPage(t)
	if err := p.Click(ctx, 100, 165); err != nil { // into the field
		t.Fatal(err)
	}
	eventually(t, p, `document.activeElement.id`, "field")
	const text = "héllo wörld ✓ 你好"
	if err := p.TypeText(ctx, text); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.getElementById('field').value`, text)
	// Ctrl+A then Backspace empties the field.
	if err := p.PressKey(ctx, "a", lkbrowser.ModControl); err != nil {
		t.Fatal(err)
	}
	if err := p.PressKey(ctx, "Backspace", 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.getElementById('field').value`, "")
	// Arrows and Home/End move the caret; Enter submits the form.
	if err := p.TypeText(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Home", "ArrowRight", "Delete", "End"} {
		if err := p.PressKey(ctx, k, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.TypeText(ctx, "!\n"); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `window.submitted || ""`, "ac!")
}

func TestCEFStyleKeyEvents(t *testing.T) {
	p, ctx := loadInputPage(t)
	if err := p.Click(ctx, 100, 165); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.activeElement.id`, "field")
	// What a viewer speaking the reference's protocol sends for "Hi".
	for _, c := range []struct {
		vk   int
		ch   rune
		mods lkbrowser.Modifiers
	}{{72, 'H', lkbrowser.ModShift}, {73, 'i', 0}} {
		sendCEFKey(ctx, t, p, c.vk, c.ch, c.mods)
	}
	eventually(t, p, `document.getElementById('field').value`, "Hi")
}

// sendCEFKey presses a key as a viewer speaking the reference's protocol
// does: raw key down, char (with character ch, 0 for none), key up.
func sendCEFKey(ctx context.Context, t *testing.T, p *lkbrowser.Page, vk int, ch rune, mods lkbrowser.Modifiers) {
	t.Helper()
	for _, ev := range []lkbrowser.KeyEvent{
		{Type: lkbrowser.KeyRawDown, WindowsKeyCode: vk, Modifiers: mods},
		{Type: lkbrowser.KeyChar, WindowsKeyCode: vk, Character: ch, Modifiers: mods},
		{Type: lkbrowser.KeyUp, WindowsKeyCode: vk, Modifiers: mods},
	} {
		if err := p.SendKeyEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMouseLeaveAndFocus(t *testing.T) {
	p, ctx := loadInputPage(t)
	if err := p.SendMouseMove(ctx, lkbrowser.MouseEvent{X: 300, Y: 300}, false); err != nil {
		t.Fatal(err)
	}
	if err := p.SendMouseMove(ctx, lkbrowser.MouseEvent{X: 300, Y: 300}, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `window.log.includes('leave')`, true)
	if err := p.SetFocus(ctx, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.hasFocus()`, true)
	if err := p.SetFocus(ctx, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, p, `document.hasFocus()`, false)
}

func TestBadInputIsRefused(t *testing.T) {
	p, ctx := loadInputPage(t)
	for name, err := range map[string]error{
		"far point":    p.SendMouseMove(ctx, lkbrowser.MouseEvent{X: 100000, Y: 5}, false),
		"button":       p.SendMouseClick(ctx, lkbrowser.MouseEvent{X: 5, Y: 5}, 7, false, 1),
		"click count":  p.SendMouseClick(ctx, lkbrowser.MouseEvent{X: 5, Y: 5}, lkbrowser.MouseLeft, false, 9),
		"key type":     p.SendKeyEvent(ctx, lkbrowser.KeyEvent{Type: 9}),
		"key name":     p.PressKey(ctx, "NoSuchKey", 0),
		"huge text":    p.TypeText(ctx, strings.Repeat("x", lkbrowser.MaxTypeText+1)),
		"invalid utf8": p.TypeText(ctx, "\xff"),
	} {
		var ia *lkbrowser.InvalidArgumentError
		if !errors.Is(err, lkbrowser.ErrInvalidInput) || !errors.As(err, &ia) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		}
	}
	// The page still works.
	if err := p.Click(ctx, 100, 50); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Click(ctx, 100, 50); !errors.Is(err, lkbrowser.ErrClosed) {
		t.Errorf("Click on a closed page: %v, want ErrClosed", err)
	}
}

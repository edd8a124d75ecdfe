package computer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
)

// openKeys opens keys.html with the field focused by a click.
func openKeys(t *testing.T) (*lkbrowser.Page, *computer.Computer) {
	t.Helper()
	p := openPage(t, "keys.html", 1280, 720, 620, 20, blue)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(100, 20)}) // page 201,41: the field
	if id := evalAs[string](t, p, `document.activeElement.id`); id != "field" {
		t.Fatalf("focus on %q after clicking the field", id)
	}
	clearEvents(t, p)
	return p, c
}

func fieldValue(t *testing.T, p *lkbrowser.Page) string {
	t.Helper()
	return evalAs[string](t, p, `document.getElementById('field').value`)
}

// TestComputerTypeUnicode types text with accents, CJK and emoji: the
// field holds exactly it, and the US characters were key presses.
func TestComputerTypeUnicode(t *testing.T) {
	p, c := openKeys(t)
	const text = "Héllo wörld ✓ 你好 🎉 A+b"
	do(t, c, computer.Action{Kind: computer.Type, Text: text})
	if got := fieldValue(t, p); got != text {
		t.Errorf("field holds %q, want %q", got, text)
	}
	downs := strings.Join(evalAs[[]string](t, p, `downs()`), " ")
	if !strings.Contains(downs, "H") || !strings.Contains(downs, "+") {
		t.Errorf("keydowns %q: the US characters were not typed as keys", downs)
	}
}

// TestComputerKeySelectAllReplaces: ctrl+a then typing replaces the text;
// Return submits the form.
func TestComputerKeySelectAllReplaces(t *testing.T) {
	p, c := openKeys(t)
	do(t, c, computer.Action{Kind: computer.Type, Text: "old text"})
	do(t, c, computer.Action{Kind: computer.Key, Keys: "ctrl+a"})
	do(t, c, computer.Action{Kind: computer.Type, Text: "new"})
	if got := fieldValue(t, p); got != "new" {
		t.Errorf("field holds %q after ctrl+a and typing, want \"new\"", got)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "Return"})
	if got := evalAs[[]string](t, p, `submits`); !equal(got, []string{"new"}) {
		t.Errorf("submits %q after Return, want [new]", got)
	}
	// KP_Enter, in any case, submits too.
	do(t, c, computer.Action{Kind: computer.Key, Keys: "kp_enter"})
	if got := evalAs[[]string](t, p, `submits`); !equal(got, []string{"new", "new"}) {
		t.Errorf("submits %q after KP_Enter", got)
	}
}

// TestComputerKeyCombos checks the events of combos: modifiers down in
// order and up in reverse, names case-insensitive, "ctrl+A" is ctrl+a,
// chained combos and Repeat.
func TestComputerKeyCombos(t *testing.T) {
	p, c := openKeys(t)
	do(t, c, computer.Action{Kind: computer.Key, Keys: "CTRL+Shift+y"})
	var got []string
	for _, e := range events(t, p) {
		got = append(got, e.T+":"+e.Key)
		if e.Key == "Y" && (!e.Ctrl || !e.Shift) {
			t.Errorf("%s Y without ctrl+shift: %+v", e.T, e)
		}
	}
	want := []string{"keydown:Control", "keydown:Shift", "keydown:Y", "keyup:Y", "keyup:Shift", "keyup:Control"}
	if !equal(got, want) {
		t.Errorf("ctrl+shift+y: page saw %v, want %v", got, want)
	}

	do(t, c, computer.Action{Kind: computer.Type, Text: "abcdef"})
	do(t, c, computer.Action{Kind: computer.Key, Keys: "BackSpace", Repeat: 3})
	if v := fieldValue(t, p); v != "abc" {
		t.Errorf("after BackSpace x3: %q, want abc", v)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "Home shift+End"}) // select all, by keys
	do(t, c, computer.Action{Kind: computer.Type, Text: "x"})
	if v := fieldValue(t, p); v != "x" {
		t.Errorf("after Home shift+End and typing x: %q, want x", v)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "ctrl+A Delete"})
	if v := fieldValue(t, p); v != "" {
		t.Errorf("after ctrl+A Delete: %q, want empty", v)
	}
	clearEvents(t, p)
	do(t, c, computer.Action{Kind: computer.Key, Keys: "plus minus period comma slash space A 7"})
	if v := fieldValue(t, p); v != "+-.,/ A7" {
		t.Errorf("keysym names typed %q, want \"+-.,/ A7\"", v)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "Left Left BackSpace"})
	if v := fieldValue(t, p); v != "+-.,/A7" {
		t.Errorf("after Left Left BackSpace: %q, want \"+-.,/A7\"", v)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "Escape Tab"})
	if id := evalAs[string](t, p, `document.activeElement.id`); id != "next" {
		t.Errorf("focus on %q after Tab, want the button after the field", id)
	}
}

// TestComputerPageDownScrolls: Page_Down (and its alias Next) scroll the
// page, and the scroll has ended when Do returns.
func TestComputerPageDownScrolls(t *testing.T) {
	p := openPage(t, "keys.html", 1280, 720, 620, 20, blue)
	c := newComputer(t, p, computer.Options{})
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(900, 400)}) // the page, not the field
	do(t, c, computer.Action{Kind: computer.Key, Keys: "Page_Down"})
	y1 := evalAs[float64](t, p, `scrollY`)
	if y1 < 400 {
		t.Fatalf("scrollY %v after Page_Down on a 720 px page, want most of a page", y1)
	}
	time.Sleep(300 * time.Millisecond)
	if y := evalAs[float64](t, p, `scrollY`); y != y1 {
		t.Errorf("scrollY went on from %v to %v after Do returned: it returned before the scroll ended", y1, y)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "Next"})
	if y2 := evalAs[float64](t, p, `scrollY`); y2 < 2*y1-1 {
		t.Errorf("scrollY %v after a second page down (Next), want %v", y2, 2*y1)
	}
	do(t, c, computer.Action{Kind: computer.Key, Keys: "ctrl+Home"})
	if y := evalAs[float64](t, p, `scrollY`); y != 0 {
		t.Errorf("scrollY %v after ctrl+Home", y)
	}
}

// TestComputerHoldKey holds shift for 400 ms: one keydown (no repeat),
// the keyup 400 ms later; a held letter types once.
func TestComputerHoldKey(t *testing.T) {
	p, c := openKeys(t)
	start := time.Now()
	do(t, c, computer.Action{Kind: computer.HoldKey, Keys: "shift", Duration: 400 * time.Millisecond})
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("hold_key returned after %v, before its 400 ms", d)
	}
	evs := events(t, p)
	if len(evs) != 2 || evs[0].T != "keydown" || evs[0].Key != "Shift" || evs[1].T != "keyup" || evs[1].Key != "Shift" {
		t.Fatalf("page saw %+v, want one Shift keydown and its keyup", evs)
	}
	if held := evs[1].At - evs[0].At; held < 380 || held > 700 {
		t.Errorf("Shift held %.0f ms, want about 400", held)
	}
	clearEvents(t, p)
	do(t, c, computer.Action{Kind: computer.HoldKey, Keys: "a", Duration: 300 * time.Millisecond})
	evs = events(t, p)
	if len(evs) != 2 || evs[1].At-evs[0].At < 280 {
		t.Errorf("holding a: %+v, want keydown and keyup 300 ms apart", evs)
	}
	if v := fieldValue(t, p); v != "a" {
		t.Errorf("holding a typed %q, want \"a\"", v)
	}
}

// TestComputerHoldKeyCancelled: a hold cut short by its context still
// releases the key.
func TestComputerHoldKeyCancelled(t *testing.T) {
	p, c := openKeys(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, computer.Action{Kind: computer.HoldKey, Keys: "ctrl", Duration: 10 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a cancelled hold took %v", d)
	}
	evs := events(t, p)
	if len(evs) != 2 || evs[0].T != "keydown" || evs[1].T != "keyup" || evs[1].Key != "Control" {
		t.Errorf("page saw %+v, want Control's keydown and keyup", evs)
	}
}

package computer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// openTransition opens transition.html at 1280x720, its own display.
func openTransition(t testing.TB) (*computer.Computer, func(x, y int) rgb) {
	t.Helper()
	p := openPage(t, "transition.html", 1280, 720, 200, 150, red)
	c := newComputer(t, p, computer.Options{})
	shot := func(x, y int) rgb {
		t.Helper()
		return pixel(decode(t, do(t, c, computer.Action{Kind: computer.Screenshot}).Image), x, y)
	}
	return c, shot
}

// TestComputerSettleStatic: a click that changes nothing, and one that
// changes the page at once, return soon after the quiet interval, still,
// and the screenshot after the second shows the change.
func TestComputerSettleStatic(t *testing.T) {
	c, shot := openTransition(t)
	start := time.Now()
	res := do(t, c, computer.Action{Kind: computer.Click, Point: pt(200, 500)}) // #still
	if d := time.Since(start); !res.Settled.Still || d > 500*time.Millisecond || res.Settled.Waited < computer.DefaultQuiet {
		t.Errorf("click on a static area: took %v, settled %+v; want still within 500 ms, after at least the quiet %v", d, res.Settled, computer.DefaultQuiet)
	}
	start = time.Now()
	res = do(t, c, computer.Action{Kind: computer.Click, Point: pt(600, 100)}) // #instant
	if d := time.Since(start); !res.Settled.Still || d > 500*time.Millisecond || res.Settled.Changes == 0 {
		t.Errorf("click changing the page at once: took %v, settled %+v; want still within 500 ms, the change seen", d, res.Settled)
	}
	if got := shot(600, 100); !got.near(blue, 3) {
		t.Errorf("screenshot after the click shows %v, want blue", got)
	}
}

// TestComputerSettleTransition: a click that starts a 300 ms transition
// returns after the transition ended, and the screenshot shows its end.
func TestComputerSettleTransition(t *testing.T) {
	c, shot := openTransition(t)
	for i, want := range []rgb{blue, red} {
		res := do(t, c, computer.Action{Kind: computer.Click, Point: pt(200, 150)})
		if !res.Settled.Still || res.Settled.Waited < 300*time.Millisecond || res.Settled.Changes < 4 {
			t.Errorf("click %d: settled %+v; want still after the 300 ms transition, with its frames", i, res.Settled)
		}
		if res.Settled.Waited > computer.DefaultSettleLimit-100*time.Millisecond {
			t.Errorf("click %d: waited %v, about the settle limit", i, res.Settled.Waited)
		}
		if got := shot(200, 150); !got.near(want, 3) {
			t.Errorf("click %d: screenshot right after it shows %v, want the transition's end %v", i, got, want)
		}
	}
}

// TestComputerSettleDelayedTransition: a transition that starts 250 ms
// after the click (longer than the quiet interval, without a frame
// meanwhile, as a renderer starved of CPU would leave it) is waited for.
func TestComputerSettleDelayedTransition(t *testing.T) {
	c, shot := openTransition(t)
	res := do(t, c, computer.Action{Kind: computer.Click, Point: pt(900, 100)})
	if !res.Settled.Still || res.Settled.Waited < 450*time.Millisecond {
		t.Errorf("settled %+v; want still after the 250 ms delay and the 200 ms transition", res.Settled)
	}
	if got := shot(900, 100); !got.near(blue, 3) {
		t.Errorf("screenshot right after the click shows %v, want the transition's end, blue", got)
	}
}

// TestComputerSettleNavigation: a click on a link to a page that answers
// after 700 ms returns once the new page has loaded and shows, although the
// old one stood still meanwhile.
func TestComputerSettleNavigation(t *testing.T) {
	c, shot := openTransition(t)
	res := do(t, c, computer.Action{Kind: computer.Click, Point: pt(900, 450)}) // the link
	if !res.Settled.Still || res.Settled.Waited < 700*time.Millisecond {
		t.Errorf("settled %+v; want still after the 700 ms navigation", res.Settled)
	}
	if got := shot(10, 10); !got.near(green, 3) {
		t.Errorf("screenshot right after clicking the link shows %v, want the new page's green", got)
	}
}

// TestComputerSettleLimit: on a page that never stops changing, an action
// returns at SettleLimit, not still.
func TestComputerSettleLimit(t *testing.T) {
	p := testsupport.OpenPage(t, engine, lkbrowser.PageOptions{URL: url("anim.html"), Width: 320, Height: 240})
	waitAnimating(t, p)
	c := newComputer(t, p, computer.Options{SettleLimit: 400 * time.Millisecond})
	start := time.Now()
	res := do(t, c, computer.Action{Kind: computer.MouseMove, Point: pt(10, 10)})
	if d := time.Since(start); res.Settled.Still || d < 400*time.Millisecond || d > 900*time.Millisecond || res.Settled.Changes < 5 {
		t.Errorf("move on an animated page: took %v, settled %+v; want cut at 400 ms, not still, many changes", d, res.Settled)
	}
}

// TestComputerWait waits its duration, then settles; a cancelled wait
// returns the context's error at once.
func TestComputerWait(t *testing.T) {
	c, _ := openTransition(t)
	start := time.Now()
	res := do(t, c, computer.Action{Kind: computer.Wait, Duration: 300 * time.Millisecond})
	if d := time.Since(start); d < 300*time.Millisecond || d > 900*time.Millisecond || !res.Settled.Still {
		t.Errorf("wait 300 ms took %v, settled %+v", d, res.Settled)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := c.Do(ctx, computer.Action{Kind: computer.Wait, Duration: 5 * time.Second}); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("cancelled wait: %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled wait took %v", d)
	}
}

// waitAnimating waits until anim.html runs: its colour changes between two
// snapshots (its blue is always 128).
func waitAnimating(t testing.TB, p *lkbrowser.Page) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var prev rgb
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f, err := p.Snapshot(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		got := framePixel(f, 5, 5)
		f.Release()
		if got.b == 128 && prev.b == 128 && got != prev {
			return
		}
		prev = got
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("anim.html is not animating")
}

// TestComputerSettleAfterNavigate: Settle, after Page.Navigate, returns
// once the new page has loaded and shows.
func TestComputerSettleAfterNavigate(t *testing.T) {
	p := openPage(t, "transition.html", 1280, 720, 200, 150, red)
	c := newComputer(t, p, computer.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Navigate(ctx, url("slow?ms=300")); err != nil {
		t.Fatal(err)
	}
	st, err := c.Settle(ctx)
	if err != nil || !st.Still {
		t.Fatalf("Settle = %+v, %v", st, err)
	}
	img := decode(t, do(t, c, computer.Action{Kind: computer.Screenshot}).Image)
	if got := pixel(img, 10, 10); !got.near(green, 3) {
		t.Errorf("screenshot after Navigate and Settle shows %v, want the new page's green", got)
	}
}

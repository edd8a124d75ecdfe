package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// longURL is an http URL of about 100 KB, over lkbrowser.MaxURLLength.
var longURL = "http://127.0.0.1/" + strings.Repeat("a", 100<<10)

// badURLs are refused by NewPage and Navigate with ErrInvalidURL.
var badURLs = map[string]string{
	"relative":      "relative/path",
	"no scheme":     "example.com",
	"ftp":           "ftp://example.com/",
	"chrome":        "chrome://settings",
	"javascript":    "javascript:alert(1)",
	"view-source":   "view-source:http://127.0.0.1/",
	"http no host":  "http://",
	"100 KB":        longURL,
	"control chars": "http://127.0.0.1/\r\nX: y",
}

// checkRefused fails the test unless err is an *InvalidArgumentError
// matching sentinel whose text stays short (a 100 KB argument is not
// echoed).
func checkRefused(t *testing.T, what string, err, sentinel error) {
	t.Helper()
	var ia *lkbrowser.InvalidArgumentError
	switch {
	case !errors.Is(err, sentinel) || !errors.As(err, &ia):
		t.Errorf("%s: %v, want an *InvalidArgumentError matching %v", what, err, sentinel)
	case len(err.Error()) > 300:
		t.Errorf("%s: error of %d bytes: %.100s...", what, len(err.Error()), err)
	}
}

// snapshotMatches checks that the page's current picture passes ok.
func snapshotMatches(t *testing.T, p *lkbrowser.Page, what string, ok func(*lkbrowser.Frame) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatalf("%s: Snapshot: %v", what, err)
	}
	defer f.Release()
	if !ok(f) {
		t.Fatalf("%s: the page no longer shows what it showed", what)
	}
}

// NewPage refuses bad URLs, sizes and frame rates with typed errors and
// starts nothing; zero sizes and frame rate (and an empty URL) mean the
// defaults.
func TestNewPageRefusesBadOptions(t *testing.T) {
	kids := childProcesses()
	pages := len(engine.Pages())
	cases := map[string]struct {
		opts     lkbrowser.PageOptions
		sentinel error
	}{
		"width -1":         {lkbrowser.PageOptions{Width: -1, Height: 240}, lkbrowser.ErrInvalidSize},
		"height -720":      {lkbrowser.PageOptions{Width: 320, Height: -720}, lkbrowser.ErrInvalidSize},
		"width 100000":     {lkbrowser.PageOptions{Width: 100000, Height: 240}, lkbrowser.ErrInvalidSize},
		"height 100000":    {lkbrowser.PageOptions{Width: 320, Height: 100000}, lkbrowser.ErrInvalidSize},
		"width 15":         {lkbrowser.PageOptions{Width: 15, Height: 240}, lkbrowser.ErrInvalidSize},
		"max below size":   {lkbrowser.PageOptions{Width: 640, Height: 480, MaxWidth: 320}, lkbrowser.ErrInvalidSize},
		"max 100000":       {lkbrowser.PageOptions{Width: 640, Height: 480, MaxHeight: 100000}, lkbrowser.ErrInvalidSize},
		"frame rate -1":    {lkbrowser.PageOptions{FrameRate: -1}, lkbrowser.ErrInvalidFrameRate},
		"frame rate 61":    {lkbrowser.PageOptions{FrameRate: 61}, lkbrowser.ErrInvalidFrameRate},
		"frame rate 1000":  {lkbrowser.PageOptions{FrameRate: 1000}, lkbrowser.ErrInvalidFrameRate},
		"devtools port -5": {lkbrowser.PageOptions{DevTools: true, DevToolsPort: -5}, lkbrowser.ErrInvalidPort},
	}
	for name, u := range badURLs {
		cases["URL "+name] = struct {
			opts     lkbrowser.PageOptions
			sentinel error
		}{lkbrowser.PageOptions{URL: u}, lkbrowser.ErrInvalidURL}
	}
	for name, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		p, err := engine.NewPage(ctx, c.opts)
		cancel()
		if p != nil {
			p.Close()
			t.Errorf("%s: NewPage opened a page", name)
			continue
		}
		checkRefused(t, name, err, c.sentinel)
	}
	if n := len(engine.Pages()); n != pages {
		t.Errorf("%d pages open after the refusals, want %d", n, pages)
	}
	if now := childProcesses(); len(now) > len(kids) {
		t.Errorf("processes started by refused NewPage calls: %v (before: %v)", now, kids)
	}

	// Zero means the default: 1280x720 at 30 frames a second, about:blank.
	p := openPage(t, lkbrowser.PageOptions{})
	if p.Width() != 1280 || p.Height() != 720 || p.FrameRate() != 30 {
		t.Errorf("zero options gave %dx%d at %d fps, want 1280x720 at 30", p.Width(), p.Height(), p.FrameRate())
	}
	if got := testsupport.EvalAs[string](t, p, "location.href"); got != "about:blank" {
		t.Errorf("an empty URL loaded %q, want about:blank", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Navigate(ctx, url("colors.html")); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
}

// Navigate refuses bad URLs and Resize bad sizes with typed errors; the
// page stays where it was, at its size, showing what it showed.
func TestNavigateAndResizeRefuseBadArguments(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for name, u := range badURLs {
		checkRefused(t, "Navigate "+name, p.Navigate(ctx, u), lkbrowser.ErrInvalidURL)
	}
	checkRefused(t, "Navigate empty", p.Navigate(ctx, ""), lkbrowser.ErrInvalidURL)
	if got := testsupport.EvalAs[string](t, p, "location.href"); got != url("colors.html") || p.URL() != url("colors.html") {
		t.Errorf("the page is at %s (URL() %s) after refused navigations", got, p.URL())
	}

	for _, s := range [][2]int{{0, 0}, {-1, 100}, {100, -1}, {100000, 100}, {320, 100000}, {15, 100}, {640, 480}} {
		checkRefused(t, fmt.Sprintf("Resize %dx%d", s[0], s[1]), p.Resize(ctx, s[0], s[1]), lkbrowser.ErrInvalidSize)
	}
	if p.Width() != 320 || p.Height() != 240 {
		t.Errorf("size %dx%d after refused resizes, want 320x240", p.Width(), p.Height())
	}
	snapshotMatches(t, p, "after the refusals", func(f *lkbrowser.Frame) bool {
		return f.Width == 320 && f.Height == 240 && colorsMatch(f)
	})
}

// Eval of a huge result (a 50 MB string) returns ErrResultTooLarge, in
// bounded time, and the page answers at once afterwards; a 4 MB result
// comes back whole. TypeText of 1 MB is typed into a field whole (in about
// a second); more than MaxTypeText is refused. The page still takes
// input afterwards.
func TestHugeResultsAndText(t *testing.T) {
	p, ctx := loadInputPage(t)

	start := time.Now()
	ectx, cancel := context.WithTimeout(ctx, 60*time.Second)
	_, err := p.Eval(ectx, "'x'.repeat(50 << 20)")
	cancel()
	took := time.Since(start)
	if !errors.Is(err, lkbrowser.ErrResultTooLarge) {
		t.Fatalf("Eval of a 50 MB string: %v, want ErrResultTooLarge", err)
	}
	t.Logf("50 MB result refused in %v: %v", took.Round(time.Millisecond), err)
	start = time.Now()
	if got := testsupport.EvalAs[int](t, p, "6*7"); got != 42 {
		t.Fatalf("6*7 = %d", got)
	}
	t.Logf("next Eval answered in %v", time.Since(start).Round(time.Millisecond))
	raw, err := p.Eval(ctx, "'y'.repeat(4 << 20)")
	var s string
	if err != nil || json.Unmarshal(raw, &s) != nil || len(s) != 4<<20 || strings.Trim(s, "y") != "" {
		t.Fatalf("Eval of a 4 MB string: %d bytes, %v", len(raw), err)
	}

	testsupport.EvalAs[bool](t, p, "document.getElementById('field').focus(), true")
	text := strings.Repeat("0123456789", 100_000) // 1 MB
	start = time.Now()
	if err := p.TypeText(ctx, text); err != nil {
		t.Fatalf("TypeText of 1 MB: %v", err)
	}
	t.Logf("1 MB typed in %v", time.Since(start).Round(time.Millisecond))
	if n := testsupport.EvalAs[int](t, p, "document.getElementById('field').value.length"); n != len(text) {
		t.Errorf("the field holds %d characters, want %d", n, len(text))
	}
	if got := testsupport.EvalAs[bool](t, p, "document.getElementById('field').value === '0123456789'.repeat(100000)"); !got {
		t.Error("the field's text differs from what was typed")
	}
	err = p.TypeText(ctx, strings.Repeat("z", lkbrowser.MaxTypeText+1))
	checkRefused(t, "TypeText over MaxTypeText", err, lkbrowser.ErrInvalidInput)
	if n := testsupport.EvalAs[int](t, p, "document.getElementById('field').value.length"); n != len(text) {
		t.Errorf("a refused TypeText changed the field: %d characters", n)
	}

	// The page still takes input and paints. (Keys, not the mouse: the
	// first mouse event of the package's engine starts its cursor
	// calibration, which the benchmark after this file must not share the
	// machine with.)
	if err := p.TypeText(ctx, "!"); err != nil {
		t.Fatal(err)
	}
	if got := testsupport.EvalAs[bool](t, p, "document.getElementById('field').value.endsWith('9!')"); !got {
		t.Error("a character typed after the refusals did not arrive")
	}
	waitPainted(t, p, 30, 30, rgb{255, 0, 0})
}

// Every call on a closed page returns ErrClosed; Close again returns what
// the first Close did; the channels are closed.
func TestCallsOnAClosedPage(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("input.html"), Width: 320, Height: 240})
	waitPainted(t, p, 30, 30, rgb{255, 0, 0})
	first := p.Close()
	if first != nil {
		t.Fatalf("Close: %v", first)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	at := lkbrowser.MouseEvent{X: 10, Y: 10}
	snap := func() error { _, err := p.Snapshot(ctx); return err }
	eval := func() error { _, err := p.Eval(ctx, "1"); return err }
	for name, err := range map[string]error{
		"Navigate":       p.Navigate(ctx, url("colors.html")),
		"Reload":         p.Reload(ctx),
		"GoBack":         p.GoBack(ctx),
		"GoForward":      p.GoForward(ctx),
		"Eval":           eval(),
		"Snapshot":       snap(),
		"Resize":         p.Resize(ctx, 100, 100),
		"SendMouseMove":  p.SendMouseMove(ctx, at, false),
		"SendMouseClick": p.SendMouseClick(ctx, at, lkbrowser.MouseLeft, false, 1),
		"SendMouseWheel": p.SendMouseWheel(ctx, at, 0, -120),
		"SendKeyEvent":   p.SendKeyEvent(ctx, lkbrowser.KeyEvent{Type: lkbrowser.KeyRawDown, WindowsKeyCode: 65}),
		"PressKey":       p.PressKey(ctx, "Enter", 0),
		"TypeText":       p.TypeText(ctx, "hello"),
		"TypeText 1 MB":  p.TypeText(ctx, strings.Repeat("x", 1_000_000)),
		"Click":          p.Click(ctx, 10, 10),
		"SetFocus":       p.SetFocus(ctx, true),
		"SetAudioMuted":  p.SetAudioMuted(ctx, true),
	} {
		if !errors.Is(err, lkbrowser.ErrClosed) {
			t.Errorf("%s on a closed page: %v, want ErrClosed", name, err)
		}
	}
	if err := p.Close(); err != first {
		t.Errorf("second Close: %v, first %v", err, first)
	}
	if _, open := <-p.Frames(); open {
		t.Error("Frames still open")
	}
	var evs []string
	for ev := range p.Events() {
		evs = append(evs, describe(ev))
	}
	if len(evs) == 0 || evs[len(evs)-1] != "Closed" {
		t.Errorf("events after Close: %v, want Closed last", evs)
	}
	if slices.Contains(engine.Pages(), p) {
		t.Error("the closed page is still listed")
	}
	if _, err := os.Stat("/proc/" + fmt.Sprint(p.Processes().Browser)); err == nil {
		t.Errorf("the browser process %d still runs", p.Processes().Browser)
	}
}

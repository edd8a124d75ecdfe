package tests

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
	"github.com/lkbrowser/lkbrowser/internal/testing/xtest"
	"github.com/lkbrowser/lkbrowser/internal/xcap"
)

// devDisplay is an Xvfb standing in for the user's desktop in dev-mode
// tests. It has no window manager, so viewer windows appear at 0,0 and the
// keyboard follows the pointer (PointerRoot focus).
type devDisplay struct{ *xtest.Xvfb }

// startDevDisplay starts the "user's" display and points DISPLAY and
// XAUTHORITY at it for the test.
func startDevDisplay(t *testing.T) *devDisplay {
	t.Helper()
	for _, prog := range []string{"xdotool", "xwininfo"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s not on PATH (scripts/setup.sh installs it)", prog)
		}
	}
	d := &devDisplay{xtest.Start(t, 800, 600, 24)}
	t.Setenv("DISPLAY", d.Display)
	t.Setenv("XAUTHORITY", d.Auth)
	return d
}

// run runs an X client (xdotool, xwininfo) on the display.
func (d *devDisplay) run(t *testing.T, prog string, args ...string) string {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Env = append(os.Environ(), d.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", prog, args, err, out)
	}
	return string(out)
}

// windows lists the top-level windows of lkbrowser's viewers.
func (d *devDisplay) windows(t *testing.T) []string {
	t.Helper()
	var ws []string
	for _, line := range strings.Split(d.run(t, "xwininfo", "-root", "-children"), "\n") {
		if strings.Contains(line, "lkbrowser") {
			ws = append(ws, strings.TrimSpace(line))
		}
	}
	return ws
}

// screenMatches polls the display's screen until ok accepts it.
func (d *devDisplay) screenMatches(t *testing.T, timeout time.Duration, what string, ok func(pix []byte, stride int) bool) {
	t.Helper()
	c, err := xcap.Open(d.Display, d.Cookie)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, err := c.NewBuffer()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	deadline := time.Now().Add(timeout)
	for {
		if err := c.Grab(b, 0, b.Height()); err != nil {
			t.Fatal(err)
		}
		if ok(b.Pix(), b.Stride()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the user's display does not show %s within %v", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenNear reports whether the screen pixel at x, y is within 2 of c.
func screenNear(pix []byte, stride, x, y int, c rgb) bool {
	i := y*stride + x*4
	d := func(a, b uint8) bool { return int(a)-int(b) <= 2 && int(b)-int(a) <= 2 }
	return d(pix[i+2], c.r) && d(pix[i+1], c.g) && d(pix[i], c.b)
}

// devEngine makes an engine in dev mode whose logs (Info and up) go to the
// returned buffer; it is closed when the test ends.
func devEngine(t *testing.T) (*lkbrowser.Engine, *testsupport.SyncBuffer) {
	t.Helper()
	logs := &testsupport.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e, err := lkbrowser.NewEngine(context.Background(), lkbrowser.Options{
		DevMode: true, Logger: log, TempDir: t.TempDir(), CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("engine Close: %v", err)
		}
		if t.Failed() {
			t.Logf("engine log:\n%s", logs)
		}
	})
	return e, logs
}

func devPage(t *testing.T, e *lkbrowser.Engine, opts lkbrowser.PageOptions) *lkbrowser.Page {
	t.Helper()
	p := testsupport.OpenPage(t, e, opts)
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	return p
}

func TestDevModeMirrorsAndForwards(t *testing.T) {
	d := startDevDisplay(t)
	e, logs := devEngine(t)

	// The page is mirrored into a window at 0,0 of the user's display.
	p := devPage(t, e, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	d.screenMatches(t, 10*time.Second, "the colour blocks", func(pix []byte, stride int) bool {
		for _, b := range colorBlocks {
			if !screenNear(pix, stride, b.x, b.y, b.c) {
				return false
			}
		}
		return true
	})
	if ws := d.windows(t); len(ws) != 1 {
		t.Fatalf("viewer windows: %q, want one", ws)
	}
	// The page's own frames still arrive.
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
	// The title follows the document's.
	deadline := time.Now().Add(5 * time.Second)
	for ws := d.windows(t); !strings.Contains(ws[0], `"colors - lkbrowser page `); ws = d.windows(t) {
		if time.Now().After(deadline) {
			t.Fatalf("viewer window %q does not carry the page's title", ws[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Closing the page closes its window.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if ws := d.windows(t); len(ws) != 0 {
		t.Fatalf("viewer windows after the page closed: %q", ws)
	}

	// Real input on the user's display reaches the page.
	p = devPage(t, e, lkbrowser.PageOptions{URL: url("input.html"), Width: 640, Height: 480})
	red, green := rgb{255, 0, 0}, rgb{0, 255, 0}
	d.screenMatches(t, 10*time.Second, "the red button", func(pix []byte, stride int) bool {
		return screenNear(pix, stride, 30, 30, red)
	})
	d.run(t, "xdotool", "mousemove", "100", "50", "click", "1")
	eventually(t, p, `document.getElementById('btn').className`, "clicked")
	// ... and its effect shows in the window.
	d.screenMatches(t, 5*time.Second, "the green button", func(pix []byte, stride int) bool {
		return screenNear(pix, stride, 30, 30, green)
	})
	// The keyboard follows the pointer: there is no window manager.
	d.run(t, "xdotool", "mousemove", "100", "165", "click", "1")
	eventually(t, p, `document.activeElement.id`, "field")
	d.run(t, "xdotool", "type", "--delay", "20", "abc")
	eventually(t, p, `document.getElementById('field').value`, "abc")
	d.run(t, "xdotool", "key", "shift+d", "BackSpace", "Return")
	eventually(t, p, `window.submitted || ""`, "abc")
	// A double click selects a word.
	x := int(testsupport.EvalAs[float64](t, p, `(() => { const r = document.createRange(); const n = document.getElementById('words').firstChild; r.setStart(n, 6); r.setEnd(n, 10); const b = r.getBoundingClientRect(); return b.left + b.width/2; })()`))
	d.run(t, "xdotool", "mousemove", strconv.Itoa(x), "110", "click", "--repeat", "2", "--delay", "80", "1")
	eventually(t, p, `window.getSelection().toString()`, "beta")
	// The wheel scrolls: one notch down is 120 pixels.
	d.run(t, "xdotool", "mousemove", "300", "300", "click", "5")
	eventually(t, p, `window.scrollY`, 120.0)

	// Closing the engine closes every window.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if ws := d.windows(t); len(ws) != 0 {
		t.Fatalf("viewer windows after engine Close: %q", ws)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "dev mode") {
			t.Errorf("dev mode warned: %s", line)
		}
	}
}

func TestDevModeWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	e, logs := devEngine(t)
	p := devPage(t, e, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
	if !strings.Contains(logs.String(), "dev mode: no viewer window") {
		t.Errorf("no warning about the missing viewer window; log:\n%s", logs)
	}
}

// waitLog waits until the engine logged a line containing all of want.
func waitLog(t *testing.T, logs *testsupport.SyncBuffer, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(logs.String(), "\n") {
			n := 0
			for _, w := range want {
				if strings.Contains(line, w) {
					n++
				}
			}
			if n == len(want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q; log:\n%s", want, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDevModeViewerEndsPageGoesOn(t *testing.T) {
	d := startDevDisplay(t)
	e, logs := devEngine(t)
	p1 := devPage(t, e, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	p2 := devPage(t, e, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	ws := d.windows(t)
	if len(ws) != 2 {
		t.Fatalf("viewer windows: %q, want two", ws)
	}
	// Another client destroys page 1's window, as closing it would: only
	// the viewer ends.
	var id uint64
	for _, w := range ws {
		if strings.Contains(w, fmt.Sprintf(" page %d", p1.ID())) {
			id, _ = strconv.ParseUint(strings.TrimPrefix(strings.Fields(w)[0], "0x"), 16, 32)
		}
	}
	c, err := xcap.Open(d.Display, d.Cookie)
	if err != nil {
		t.Fatal(err)
	}
	err = c.DestroyWindow(xcap.Window(id))
	c.Close()
	if err != nil {
		t.Fatalf("destroy window %#x of %q: %v", id, ws, err)
	}
	waitLog(t, logs, "viewer window closed by the user", fmt.Sprintf("page=%d", p1.ID()))
	// The user's X server goes away: page 2's viewer ends.
	d.Kill()
	waitLog(t, logs, "dev mode: viewer window lost", fmt.Sprintf("page=%d", p2.ID()))
	// Both pages go on.
	for _, p := range []*lkbrowser.Page{p1, p2} {
		if err := p.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFrame(t, p, 10*time.Second, colorsMatch).Release()
		eventually(t, p, `document.title`, "colors")
	}
}

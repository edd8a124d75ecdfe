//go:build linux && cgo

package xview

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/xtest"
	"github.com/lkbrowser/lkbrowser/internal/xcap"
)

// userDisplay is an Xvfb standing in for the user's display.
type userDisplay = xtest.Xvfb

// startDisplay starts a w x h Xvfb of the given depth and points DISPLAY and
// XAUTHORITY at it for the test.
func startDisplay(t *testing.T, w, h, depth int) *userDisplay {
	t.Helper()
	d := xtest.Start(t, w, h, depth)
	t.Setenv("DISPLAY", d.Display)
	t.Setenv("XAUTHORITY", d.Auth)
	return d
}

func openT(t *testing.T, title string, w, h int) *Window {
	t.Helper()
	win, err := Open(title, w, h)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { win.Close() })
	return win
}

// grab returns the user display's root pixels (BGRX) and stride.
func grab(t *testing.T, d *userDisplay) ([]byte, int) {
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
	_, h := c.Size()
	if err := c.Grab(b, 0, h); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), b.Pix()...), b.Stride()
}

// xdotool runs xdotool on the user display.
func xdotool(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool not on PATH")
	}
	out, err := exec.Command("xdotool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
}

// collect waits for events until ok accepts the list or the time runs out.
func collect(t *testing.T, win *Window, limit time.Duration, ok func([]Event) bool) []Event {
	t.Helper()
	deadline := time.Now().Add(limit)
	var all, evs []Event
	for !ok(all) {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("events so far: %+v", all)
		}
		var err error
		if evs, err = win.Wait(left, evs); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		all = append(all, evs...)
	}
	return all
}

func TestOpenWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	if _, err := Open("x", 10, 10); !errors.Is(err, ErrNoDisplay) {
		t.Fatalf("Open without DISPLAY: %v, want ErrNoDisplay", err)
	}
	t.Setenv("DISPLAY", ":9999")
	if _, err := Open("x", 10, 10); !errors.Is(err, ErrConnect) {
		t.Fatalf("Open on a display that does not exist: %v, want ErrConnect", err)
	}
}

func TestOpenRefusesOtherFormats(t *testing.T) {
	startDisplay(t, 64, 64, 16)
	if _, err := Open("x", 10, 10); !errors.Is(err, ErrFormat) {
		t.Fatalf("Open on a 16-bit display: %v, want ErrFormat", err)
	}
}

func TestOpenRefusesBadSize(t *testing.T) {
	startDisplay(t, 64, 64, 24)
	for _, s := range [][2]int{{0, 10}, {10, 0}, {MaxSize + 1, 10}} {
		var xe *Error
		if _, err := Open("x", s[0], s[1]); !errors.As(err, &xe) || xe.Code != CodeArg {
			t.Errorf("Open(%dx%d): %v, want CodeArg", s[0], s[1], err)
		}
	}
}

func TestWindowProperties(t *testing.T) {
	startDisplay(t, 320, 240, 24)
	win := openT(t, "hello wörld", 100, 50)
	if _, err := exec.LookPath("xprop"); err != nil {
		t.Skip("xprop not on PATH")
	}
	if err := win.SetTitle("page ✓"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xprop", "-id", strconv.Itoa(int(win.ID())),
		"WM_CLASS", "_NET_WM_NAME", "WM_PROTOCOLS", "WM_NORMAL_HINTS").CombinedOutput()
	if err != nil {
		t.Fatalf("xprop: %v\n%s", err, out)
	}
	for _, want := range []string{`WM_CLASS(STRING) = "lkbrowser", "lkbrowser"`,
		`_NET_WM_NAME(UTF8_STRING) = "page ✓"`, "WM_DELETE_WINDOW", "minimum size: 100 by 50"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("xprop output lacks %q:\n%s", want, out)
		}
	}
}

func TestPutShowsImage(t *testing.T) {
	d := startDisplay(t, 1200, 900, 24)
	win := openT(t, "put", 100, 50)
	// A padded image (stride > width*4) whose pixels encode their position.
	img := func(w, h, stride int) []byte {
		pix := make([]byte, (h-1)*stride+w*4)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*stride + x*4
				pix[i], pix[i+1], pix[i+2], pix[i+3] = byte(x), byte(y), byte(x^y), 0xee
			}
		}
		return pix
	}
	check := func(w, h int) {
		t.Helper()
		root, stride := grab(t, d)
		for _, p := range [][2]int{{0, 0}, {w - 1, 0}, {0, h - 1}, {w - 1, h - 1}, {w / 2, h / 3}, {w / 3, h - 2}} {
			x, y := p[0], p[1]
			i := y*stride + x*4
			if b, g, r := root[i], root[i+1], root[i+2]; b != byte(x) || g != byte(y) || r != byte(x^y) {
				t.Errorf("%dx%d: pixel %d,%d is %d,%d,%d, want %d,%d,%d", w, h, x, y, b, g, r, byte(x), byte(y), byte(x^y))
			}
		}
	}
	if err := win.Put(img(100, 50, 100*4+12), 100*4+12, 100, 50); err != nil {
		t.Fatal(err)
	}
	check(100, 50)
	// Larger than one band (1 MiB), packed: the window grows.
	if err := win.Put(img(1000, 800, 4000), 4000, 1000, 800); err != nil {
		t.Fatal(err)
	}
	if w, h := win.Size(); w != 1000 || h != 800 {
		t.Errorf("Size after Put = %dx%d, want 1000x800", w, h)
	}
	check(1000, 800)
	// A Configure event reports the new size.
	collect(t, win, 5*time.Second, func(evs []Event) bool {
		for _, ev := range evs {
			if ev.Type == Configure && ev.Width == 1000 && ev.Height == 800 {
				return true
			}
		}
		return false
	})
	// Bad arguments.
	for _, a := range [][4]int{{10, 40, 10, 10}, {0, 40, 10, 0}, {4 * 10, 40, 10, 20}} {
		var xe *Error
		if err := win.Put(make([]byte, a[0]), a[1], a[2], a[3]); !errors.As(err, &xe) || xe.Code != CodeArg {
			t.Errorf("Put(%v): %v, want CodeArg", a, err)
		}
	}
}

func TestInputEvents(t *testing.T) {
	startDisplay(t, 320, 240, 24)
	win := openT(t, "input", 200, 100)
	// The window is mapped at 0,0 (no window manager); Open waited for it.
	xdotool(t, "mousemove", "10", "20")
	xdotool(t, "mousemove", "30", "40", "click", "1", "click", "4", "click", "7")
	// With PointerRoot focus (no window manager) keys go to the window
	// under the pointer.
	xdotool(t, "key", "a", "shift+b", "Return", "F5", "ctrl+c", "KP_Enter")
	evs := collect(t, win, 10*time.Second, func(evs []Event) bool {
		n := 0
		for _, ev := range evs {
			if ev.Type == KeyRelease {
				n++
			}
		}
		return n >= 8 // a, shift, b, shift, Return, F5, ctrl, c, ... KP_Enter
	})
	var got []string
	for _, ev := range evs {
		switch ev.Type {
		case Motion:
			got = append(got, fmt.Sprintf("motion %d,%d", ev.X, ev.Y))
		case Enter, Leave:
			got = append(got, ev.Type.String())
		case ButtonPress, ButtonRelease:
			got = append(got, fmt.Sprintf("%s %d at %d,%d", ev.Type, ev.Button, ev.X, ev.Y))
		case KeyPress:
			got = append(got, fmt.Sprintf("key %q %q kc%d st%d", ev.Rune, ev.Key, ev.Keycode, ev.State&(StateShift|StateControl)))
		}
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{
		"motion 10,20", "motion 30,40",
		"button-press 1 at 30,40", "button-release 1 at 30,40",
		"button-press 4 at 30,40", "button-press 7 at 30,40",
		`key 'a' "" kc38 st0`, `key '\x00' "Shift" kc50 st0`, `key 'B' "" kc56 st1`,
		`key '\r' "Enter" kc36 st0`, `key '\x00' "F5" kc71 st0`, `key 'c' "" kc54 st4`,
		`key '\r' "Enter" kc104 st0`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q in events:\n%s", want, joined)
		}
	}
	for _, ev := range evs {
		if ev.Type == ButtonPress && ev.Time == 0 {
			t.Errorf("button event without a timestamp: %+v", ev)
		}
	}
}

func TestWakeAndClose(t *testing.T) {
	startDisplay(t, 320, 240, 24)
	win := openT(t, "wake", 50, 50)
	collect(t, win, 5*time.Second, func(evs []Event) bool { return len(evs) > 0 }) // Expose
	done := make(chan error, 1)
	go func() {
		evs, err := win.Wait(-1, nil)
		if err == nil && len(evs) > 0 {
			err = fmt.Errorf("unexpected events %+v", evs)
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	win.Wake()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not interrupt Wait")
	}
	// Close interrupts a Wait in progress.
	go func() {
		_, err := win.Wait(-1, nil)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := win.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, ErrClosed) {
			t.Fatalf("Wait during Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt Wait")
	}
	if err := win.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	win.Wake()
	if _, err := win.Wait(0, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait after Close: %v", err)
	}
	if err := win.Put(make([]byte, 16), 8, 2, 2); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	if err := win.SetTitle("x"); !errors.Is(err, ErrClosed) {
		t.Errorf("SetTitle after Close: %v", err)
	}
}

func TestDestroyedWindowIsCloseRequest(t *testing.T) {
	d := startDisplay(t, 320, 240, 24)
	win := openT(t, "destroy", 50, 50)
	c, err := xcap.Open(d.Display, d.Cookie)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.DestroyWindow(xcap.Window(win.ID())); err != nil {
		t.Fatal(err)
	}
	collect(t, win, 5*time.Second, func(evs []Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Type == CloseRequested
	})
}

func TestServerGoneIsConnectionLost(t *testing.T) {
	d := startDisplay(t, 320, 240, 24)
	win := openT(t, "lost", 50, 50)
	done := make(chan error, 1)
	go func() {
		var evs []Event
		for {
			var err error
			if evs, err = win.Wait(-1, evs); err != nil {
				done <- err
				return
			}
		}
	}()
	d.Kill()
	select {
	case err := <-done:
		if !errors.Is(err, ErrConnectionLost) {
			t.Fatalf("Wait after the server died: %v, want ErrConnectionLost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not notice the server died")
	}
	if err := win.Put(make([]byte, 16), 8, 2, 2); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("Put after the server died: %v, want ErrConnectionLost", err)
	}
	if err := win.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseCutsPutOnHungServer(t *testing.T) {
	d := startDisplay(t, 1200, 900, 24)
	win := openT(t, "hung", 100, 100)
	if err := d.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer d.Cmd.Process.Signal(syscall.SIGCONT)
	put := make(chan error, 1)
	go func() {
		pix := make([]byte, 1000*800*4)
		put <- win.Put(pix, 1000*4, 1000, 800) // blocks: the server is stopped
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := win.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > closeGrace+2*time.Second {
		t.Errorf("Close took %v", d)
	}
	select {
	case err := <-put:
		if !errors.Is(err, ErrConnectionLost) && !errors.Is(err, ErrClosed) {
			t.Errorf("Put on a hung server cut by Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Put still blocked after Close")
	}
}

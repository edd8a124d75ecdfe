//go:build linux && cgo

package xcap

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/xtest"
)

// xvfb is a private test X server.
type xvfb = xtest.Xvfb

// startXvfb starts a 24-bit Xvfb of w x h with a fresh cookie; see xtest.Start.
func startXvfb(tb testing.TB, w, h int) *xvfb { return xtest.Start(tb, w, h, 24) }

func openT(tb testing.TB, x *xvfb) *Conn {
	tb.Helper()
	c, err := Open(x.Display, x.Cookie)
	if err != nil {
		tb.Fatalf("Open(%s): %v", x.Display, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func newBufferT(tb testing.TB, c *Conn) *Buffer {
	tb.Helper()
	b, err := c.NewBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Free() })
	return b
}

// waitFor calls Wait until it reports one of want or the time runs out.
func waitFor(t *testing.T, c *Conn, want Events, limit time.Duration) Events {
	t.Helper()
	deadline := time.Now().Add(limit)
	var all Events
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("no %v within %v (saw %v)", want, limit, all)
		}
		ev, err := c.Wait(left)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		all |= ev
		if ev&want != 0 {
			return all
		}
	}
}

// drain discards pending events and damage, so a test starts clean.
func drain(t *testing.T, c *Conn) {
	t.Helper()
	if _, err := c.Wait(0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TakeDamage(nil); err != nil {
		t.Fatal(err)
	}
}

// pixel returns the B, G, R bytes at (x, y).
func pixel(b *Buffer, x, y int) [3]byte {
	p := b.Pix()[y*b.Stride()+x*4:]
	return [3]byte{p[0], p[1], p[2]}
}

func bgr(rgb uint32) [3]byte { return [3]byte{byte(rgb), byte(rgb >> 8), byte(rgb >> 16)} }

// checkCovers checks that rects cover want and their bounding box is at most
// 4 times its area.
func checkCovers(t *testing.T, rects []Rect, want Rect) {
	t.Helper()
	if len(rects) == 0 {
		t.Fatalf("no damage rects, want cover of %+v", want)
	}
	in := func(x, y int32) bool {
		for _, r := range rects {
			if x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H {
				return true
			}
		}
		return false
	}
	for y := want.Y; y < want.Y+want.H; y++ {
		for x := want.X; x < want.X+want.W; x++ {
			if !in(x, y) {
				t.Fatalf("damage %+v does not cover (%d,%d) of %+v", rects, x, y, want)
			}
		}
	}
	x0, y0, x1, y1 := rects[0].X, rects[0].Y, rects[0].X+rects[0].W, rects[0].Y+rects[0].H
	for _, r := range rects[1:] {
		x0, y0 = min(x0, r.X), min(y0, r.Y)
		x1, y1 = max(x1, r.X+r.W), max(y1, r.Y+r.H)
	}
	if area := (x1 - x0) * (y1 - y0); area > 4*want.W*want.H {
		t.Fatalf("damage %+v too large (bbox area %d) for %+v", rects, area, want)
	}
}

func grabRects(t *testing.T, c *Conn, b *Buffer, rects []Rect) {
	t.Helper()
	for _, r := range rects {
		if err := c.Grab(b, int(r.Y), int(r.Y+r.H)); err != nil {
			t.Fatalf("Grab: %v", err)
		}
	}
}

func TestAuthority(t *testing.T) {
	x := startXvfb(t, 320, 240)

	c, err := Open(x.Display, x.Cookie)
	if err != nil {
		t.Fatalf("right cookie: %v", err)
	}
	if w, h := c.Size(); w != 320 || h != 240 {
		t.Errorf("Size = %dx%d, want 320x240", w, h)
	}
	if w, h, err := c.RefreshSize(); err != nil || w != 320 || h != 240 {
		t.Errorf("RefreshSize = %dx%d, %v", w, h, err)
	}
	if c.Fd() < 0 {
		t.Errorf("Fd = %d", c.Fd())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Wait(0); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait after Close: %v, want ErrClosed", err)
	}

	wrong := append([]byte(nil), x.Cookie...)
	wrong[0] ^= 0xff
	for name, cookie := range map[string][]byte{"wrong": wrong, "nil": nil} {
		c, err := Open(x.Display, cookie)
		if err == nil {
			c.Close()
			t.Fatalf("%s cookie: Open succeeded", name)
		}
		var xe *Error
		if !errors.As(err, &xe) || xe.Code != CodeConnect || !errors.Is(err, ErrConnect) {
			t.Fatalf("%s cookie: err = %#v, want *Error with CodeConnect", name, err)
		}
		t.Logf("%s cookie: %v", name, err)
	}

	if _, err := Open(":9999", x.Cookie); !errors.Is(err, ErrConnect) {
		t.Errorf("Open of a missing display: %v, want ErrConnect", err)
	}
}

// TestInitialDamage: creating the damage object reports the whole root, so
// the first TakeDamage after Open yields a full frame.
func TestInitialDamage(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	waitFor(t, c, EventDamage, 2*time.Second)
	rects, err := c.TakeDamage(nil)
	if err != nil || len(rects) != 1 || rects[0] != (Rect{0, 0, 320, 240}) {
		t.Fatalf("first TakeDamage = %+v, %v; want the whole root", rects, err)
	}
}

// TestDamageGrab draws on the root, from the watching connection itself (the
// DamageNotify then already sits in XCB's queue when FillRect returns, which
// is what Wait must check before poll) and from another client (the event
// arrives on the socket while Wait polls).
func TestDamageGrab(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	other := openT(t, x)
	b := newBufferT(t, c)
	rects := make([]Rect, 0, 8)

	for _, tc := range []struct {
		name   string
		drawer *Conn
		rgb    uint32
	}{{"same connection", c, 0xff0000}, {"other client", other, 0x00ff00}} {
		t.Run(tc.name, func(t *testing.T) {
			drain(t, c)
			want := Rect{100, 50, 40, 30}
			if err := tc.drawer.FillRect(100, 50, 40, 30, tc.rgb); err != nil {
				t.Fatal(err)
			}
			waitFor(t, c, EventDamage, 2*time.Second)
			var err error
			if rects, err = c.TakeDamage(rects); err != nil {
				t.Fatal(err)
			}
			t.Logf("damage: %+v", rects)
			checkCovers(t, rects, want)
			grabRects(t, c, b, rects)
			if got := pixel(b, 110, 60); got != bgr(tc.rgb) {
				t.Errorf("pixel (110,60) = BGR %v, want %v", got, bgr(tc.rgb))
			}
			if got := pixel(b, 10, 10); got == bgr(tc.rgb) {
				t.Errorf("pixel (10,10) = BGR %v, the fill colour", got)
			}
			if got := pixel(b, 140, 60); got == bgr(tc.rgb) {
				t.Errorf("pixel (140,60), just right of the rect, has the fill colour")
			}

			// Nothing drawn: no damage.
			ev, err := c.Wait(200 * time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if ev&EventDamage != 0 {
				t.Errorf("Wait without drawing returned %v", ev)
			}
			if rects, err = c.TakeDamage(rects); err != nil || len(rects) != 0 {
				t.Errorf("TakeDamage without drawing = %+v, %v", rects, err)
			}
		})
	}
}

// TestDamageChildWindows checks that damage on the root reports drawing into
// top-level windows and their children (as Chromium draws into its own
// window, not onto the root), drawn by another client.
func TestDamageChildWindows(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	app := openT(t, x) // plays the browser
	b := newBufferT(t, c)
	drain(t, c)
	var rects []Rect

	// Mapping a window with a background paints it: damage.
	top, err := app.CreateWindow(0, 50, 40, 200, 150, 0x0000ff)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, EventDamage, 2*time.Second)
	if rects, err = c.TakeDamage(rects); err != nil {
		t.Fatal(err)
	}
	t.Logf("map top-level: %+v", rects)
	checkCovers(t, rects, Rect{50, 40, 200, 150})
	grabRects(t, c, b, rects)
	if got := pixel(b, 60, 50); got != bgr(0x0000ff) {
		t.Errorf("top-level background pixel = %v, want blue", got)
	}

	steps := []struct {
		name string
		do   func() (Window, error)
		want Rect // in root coordinates
		rgb  uint32
	}{
		{"fill in top-level", func() (Window, error) {
			return top, app.FillWindowRect(top, 10, 10, 20, 20, 0x00ff00)
		}, Rect{60, 50, 20, 20}, 0x00ff00},
		{"map child", func() (Window, error) {
			return app.CreateWindow(top, 100, 50, 60, 60, 0xffff00)
		}, Rect{150, 90, 60, 60}, 0xffff00},
	}
	var child Window
	for _, s := range steps {
		w, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if w != top {
			child = w
		}
		waitFor(t, c, EventDamage, 2*time.Second)
		if rects, err = c.TakeDamage(rects); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v", s.name, rects)
		checkCovers(t, rects, s.want)
		grabRects(t, c, b, rects)
		if got := pixel(b, int(s.want.X)+5, int(s.want.Y)+5); got != bgr(s.rgb) {
			t.Errorf("%s: pixel = %v, want %v", s.name, got, bgr(s.rgb))
		}
	}

	// Fill in the grandchild window: root coords (150+5, 90+7).
	if err := app.FillWindowRect(child, 5, 7, 10, 10, 0xff00ff); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, EventDamage, 2*time.Second)
	if rects, err = c.TakeDamage(rects); err != nil {
		t.Fatal(err)
	}
	t.Logf("fill in grandchild: %+v", rects)
	checkCovers(t, rects, Rect{155, 97, 10, 10})
	grabRects(t, c, b, rects)
	if got := pixel(b, 160, 100); got != bgr(0xff00ff) {
		t.Errorf("grandchild pixel = %v, want magenta", got)
	}

	// Destroying the top-level exposes the root: damage again.
	if err := app.DestroyWindow(top); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, EventDamage, 2*time.Second)
	if rects, err = c.TakeDamage(rects); err != nil {
		t.Fatal(err)
	}
	t.Logf("destroy top-level: %+v", rects)
	checkCovers(t, rects, Rect{50, 40, 200, 150})
}

func TestWake(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	drain(t, c)

	// A Wake before Wait is not lost.
	c.Wake()
	if ev, err := c.Wait(5 * time.Second); err != nil || ev != EventWake {
		t.Fatalf("Wait after Wake = %v, %v", ev, err)
	}
	if ev, err := c.Wait(0); err != nil || ev != 0 {
		t.Fatalf("second Wait(0) = %v, %v; want 0 (pipe drained)", ev, err)
	}

	// Far more Wakes than the pipe holds: none blocks, one wakeup results.
	for range 100000 {
		c.Wake()
	}
	if ev, err := c.Wait(0); err != nil || ev != EventWake {
		t.Fatalf("Wait after many Wakes = %v, %v", ev, err)
	}
	if ev, err := c.Wait(0); err != nil || ev != 0 {
		t.Fatalf("Wait after draining = %v, %v", ev, err)
	}

	// Wake from another goroutine unblocks Wait(-1) promptly. The sleep only
	// gives Wait time to block in poll; correctness does not depend on it.
	// Latency is measured from Wake; on a loaded machine retry a few times.
	var best time.Duration
	for attempt := range 3 {
		type result struct {
			ev  Events
			err error
			at  time.Time
		}
		done := make(chan result, 1)
		go func() {
			ev, err := c.Wait(-1)
			done <- result{ev, err, time.Now()}
		}()
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		go c.Wake()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Wait(-1) not woken within 10s")
		}
		if r.err != nil || r.ev&EventWake == 0 {
			t.Fatalf("Wait(-1) = %v, %v", r.ev, r.err)
		}
		best = r.at.Sub(start)
		t.Logf("attempt %d: Wake→Wait return %v", attempt, best)
		if best < 200*time.Millisecond {
			break
		}
	}
	if best >= 200*time.Millisecond {
		t.Errorf("Wake latency %v, want < 200ms", best)
	}

	// Many concurrent wakers while Wait loops (for the race detector).
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					c.Wake()
					runtime.Gosched()
				}
			}
		}()
	}
	for range 100 {
		if _, err := c.Wait(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	// Wake after Close is harmless, concurrently too.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 1000 {
			c.Wake()
		}
	}()
	c.Close()
	wg.Wait()
	c.Wake()
}

// shmSegment is a line of /proc/sysvipc/shm.
type shmSegment struct {
	id, perms, nattch int
}

func shmSegments(t *testing.T) map[int]shmSegment {
	t.Helper()
	data, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		t.Skipf("cannot list segments: %v", err)
	}
	segs := map[int]shmSegment{}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, line := range lines[1:] {
		// key shmid perms size cpid lpid nattch ...
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		id, _ := strconv.Atoi(f[1])
		perms, _ := strconv.ParseInt(f[2], 8, 32)
		nattch, _ := strconv.Atoi(f[6])
		segs[id] = shmSegment{id, int(perms), nattch}
	}
	return segs
}

const shmDest = 0o1000 // SHM_DEST: marked for removal (ipcs status "dest")

func TestSharedMemorySegments(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	before := len(shmSegments(t))

	b, err := c.NewBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if b.Width() != 320 || b.Height() != 240 || b.Stride() != 1280 || len(b.Pix()) != 320*240*4 {
		t.Fatalf("buffer %dx%d stride %d len %d", b.Width(), b.Height(), b.Stride(), len(b.Pix()))
	}
	id := int(b.cb.shmid)
	seg, ok := shmSegments(t)[id]
	if !ok {
		t.Fatalf("segment %d not listed", id)
	}
	t.Logf("segment after NewBuffer: perms %o nattch %d", seg.perms, seg.nattch)
	if seg.perms&shmDest == 0 {
		t.Errorf("segment not marked for destruction (perms %o)", seg.perms)
	}
	if seg.perms&0o777 != 0o600 {
		t.Errorf("segment mode %o, want 600", seg.perms&0o777)
	}
	if seg.nattch != 2 {
		t.Errorf("nattch = %d, want 2 (this process and Xvfb)", seg.nattch)
	}
	if err := b.Free(); err != nil {
		t.Fatal(err)
	}
	if err := b.Free(); err != nil {
		t.Fatalf("second Free: %v", err)
	}
	if b.Pix() != nil {
		t.Error("Pix after Free is not nil")
	}
	if err := c.Grab(b, 0, 10); !errors.Is(err, ErrClosed) {
		t.Errorf("Grab into freed buffer: %v", err)
	}
	segs := shmSegments(t)
	if _, ok := segs[id]; ok || len(segs) != before {
		t.Fatalf("after Free: segment %d listed=%v, %d segments, want %d", id, ok, len(segs), before)
	}

	// Free after Close: the server drops its attachment when it notices the
	// disconnect (asynchronously), then the segment disappears.
	b2, err := c.NewBuffer()
	if err != nil {
		t.Fatal(err)
	}
	id2 := int(b2.cb.shmid)
	c.Close()
	if err := b2.Free(); err != nil {
		t.Fatalf("Free after Close: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := shmSegments(t)[id2]; !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("segment %d still exists 10s after Close+Free", id2)
		}
		time.Sleep(10 * time.Millisecond) // no event to await: poll
	}
}

func TestServerDeath(t *testing.T) {
	t.Run("during Wait", func(t *testing.T) {
		x := startXvfb(t, 320, 240)
		c := openT(t, x)
		b := newBufferT(t, c)
		done := make(chan error, 1)
		go func() {
			for {
				ev, err := c.Wait(-1)
				if err != nil {
					done <- err
					return
				}
				t.Logf("Wait returned %v before the error", ev)
			}
		}()
		time.Sleep(50 * time.Millisecond) // let Wait block (not required)
		x.Kill()
		var err error
		select {
		case err = <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("Wait(-1) did not return within 2s of Xvfb's death")
		}
		if !errors.Is(err, ErrConnectionLost) {
			t.Fatalf("Wait: %v, want ErrConnectionLost", err)
		}
		t.Logf("Wait: %v", err)
		checkDead(t, c, b)
	})
	t.Run("without Wait", func(t *testing.T) {
		x := startXvfb(t, 320, 240)
		c := openT(t, x)
		b := newBufferT(t, c)
		x.Kill()
		// XCB writes the request into a dead socket (EPIPE, maybe SIGPIPE)
		// or reads EOF: the process must survive either way.
		if err := c.Grab(b, 0, 240); !errors.Is(err, ErrConnectionLost) {
			t.Fatalf("Grab: %v, want ErrConnectionLost", err)
		}
		checkDead(t, c, b)
	})
}

func checkDead(t *testing.T, c *Conn, b *Buffer) {
	t.Helper()
	if err := c.Grab(b, 0, 240); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("Grab: %v", err)
	}
	if _, err := c.TakeDamage(nil); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("TakeDamage: %v", err)
	}
	if _, err := c.Wait(0); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("Wait: %v", err)
	}
	if _, err := c.NewBuffer(); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("NewBuffer: %v", err)
	}
	if _, _, err := c.CursorImage(nil); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("CursorImage: %v", err)
	}
	if _, _, err := c.RefreshSize(); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("RefreshSize: %v", err)
	}
	if err := c.FillRect(0, 0, 1, 1, 0); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("FillRect: %v", err)
	}
	c.Wake()
	if err := b.Free(); err != nil {
		t.Errorf("Free: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func countFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list fds: %v", err)
	}
	return len(ents)
}

func TestNoLeaks(t *testing.T) {
	x := startXvfb(t, 320, 240)
	runtime.GC()
	fds, gs := countFds(t), runtime.NumGoroutine()
	for range 3 {
		c, err := Open(x.Display, x.Cookie)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.NewBuffer()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.FillRect(0, 0, 10, 10, 0xffffff); err != nil {
			t.Fatal(err)
		}
		c.Wake()
		if _, err := c.Wait(time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := c.TakeDamage(nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Grab(b, 0, 240); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.CursorImage(nil); err != nil {
			t.Fatal(err)
		}
		if err := b.Free(); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Failed opens must not leak either.
	if c, err := Open(x.Display, nil); err == nil {
		c.Close()
		t.Fatal("Open without cookie succeeded")
	}
	if got := countFds(t); got != fds {
		t.Errorf("open fds: %d before, %d after", fds, got)
	}
	if got := runtime.NumGoroutine(); got != gs {
		t.Errorf("goroutines: %d before, %d after", gs, got)
	}
}

func TestCloexec(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	wake := c.wfd
	for _, fd := range []int{c.Fd(), wake} {
		out, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "flags:"); ok {
				flags, _ := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
				if flags&0o2000000 == 0 { // O_CLOEXEC
					t.Errorf("fd %d flags %o lack O_CLOEXEC", fd, flags)
				}
			}
		}
	}
}

func TestGrabFullHD(t *testing.T) {
	x := startXvfb(t, 1920, 1080)
	c := openT(t, x)
	if w, h := c.Size(); w != 1920 || h != 1080 {
		t.Fatalf("Size = %dx%d", w, h)
	}
	fills := []struct {
		r   Rect
		rgb uint32
	}{
		{Rect{0, 0, 1920, 1080}, 0x102030},
		{Rect{0, 0, 1, 1}, 0xff0000},
		{Rect{1919, 0, 1, 1}, 0x00ff00},
		{Rect{0, 1079, 1, 1}, 0x0000ff},
		{Rect{1919, 1079, 1, 1}, 0xffffff},
		{Rect{700, 400, 300, 200}, 0xabcdef},
	}
	for _, f := range fills {
		if err := c.FillRect(int(f.r.X), int(f.r.Y), int(f.r.W), int(f.r.H), f.rgb); err != nil {
			t.Fatal(err)
		}
	}
	b := newBufferT(t, c)
	if err := c.Grab(b, -5, 5000); err != nil { // clamped to [0, 1080)
		t.Fatal(err)
	}
	for _, p := range []struct {
		x, y int
		rgb  uint32
	}{
		{0, 0, 0xff0000}, {1919, 0, 0x00ff00}, {0, 1079, 0x0000ff}, {1919, 1079, 0xffffff},
		{1, 0, 0x102030}, {960, 300, 0x102030}, {700, 400, 0xabcdef}, {999, 599, 0xabcdef},
		{1000, 600, 0x102030}, {699, 500, 0x102030},
	} {
		if got := pixel(b, p.x, p.y); got != bgr(p.rgb) {
			t.Errorf("pixel (%d,%d) = BGR %v, want %v", p.x, p.y, got, bgr(p.rgb))
		}
	}

	// Bands grabbed separately land exactly where a full grab puts them.
	b2 := newBufferT(t, c)
	for y := 0; y < 1080; y += 64 {
		if err := c.Grab(b2, y, y+64); err != nil {
			t.Fatal(err)
		}
	}
	if string(b.Pix()) != string(b2.Pix()) {
		t.Error("banded grab differs from full grab")
	}
	if err := c.Grab(b2, 10, 10); err != nil {
		t.Errorf("empty grab: %v", err)
	}
}

func TestTakeDamageOverflow(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	drain(t, c)
	// Four separate rects; dst has room for 2: one bounding box instead.
	for i := range 4 {
		if err := c.FillRect(10+i*50, 10+i*40, 5, 5, 0xffffff); err != nil {
			t.Fatal(err)
		}
	}
	dst := make([]Rect, 0, 2)
	got, err := c.TakeDamage(dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != (Rect{10, 10, 155, 125}) || &got[:1][0] != &dst[:1][0] {
		t.Fatalf("TakeDamage = %+v, want one bounding box {10 10 155 125} in dst", got)
	}
	// Enough room: the rects themselves.
	for i := range 4 {
		if err := c.FillRect(10+i*50, 10+i*40, 5, 5, 0); err != nil {
			t.Fatal(err)
		}
	}
	got, err = c.TakeDamage(make([]Rect, 0, 8))
	if err != nil || len(got) != 4 {
		t.Fatalf("TakeDamage = %+v, %v; want 4 rects", got, err)
	}
}

func TestCursorImage(t *testing.T) {
	x := startXvfb(t, 320, 240)
	c := openT(t, x)
	img, pix, err := c.CursorImage(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cursor %+v", img)
	if img.Width <= 0 || img.Height <= 0 || len(pix) != img.Width*img.Height {
		t.Fatalf("cursor %+v with %d pixels", img, len(pix))
	}
	img2, pix2, err := c.CursorImage(pix)
	if err != nil || img2.Serial != img.Serial || &pix2[0] != &pix[0] {
		t.Fatalf("second CursorImage: %+v %v (reallocated: %v)", img2, err, &pix2[0] != &pix[0])
	}
}

func TestErrorIs(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &Error{Op: "wait", Code: CodeIO})
	if !errors.Is(err, ErrConnectionLost) || errors.Is(err, ErrNoSHM) {
		t.Error("Is mismatch for CodeIO")
	}
	if !errors.Is(&Error{Code: CodeNoSHM}, ErrNoSHM) {
		t.Error("Is mismatch for CodeNoSHM")
	}
	if s := (&Error{Op: "grab", Code: CodeRequest, Detail: 8}).Error(); !strings.Contains(s, "grab") {
		t.Errorf("Error() = %q", s)
	}
	if s := (EventDamage | EventWake).String(); s != "damage|wake" {
		t.Errorf("String = %q", s)
	}
}

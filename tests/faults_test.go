package tests

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
)

// Fault tests: what a page does when something under it fails. Each test
// checks the event the user gets, that another page goes on delivering
// frames with the right colours, that calls on the failed page return
// ErrCrashed, and that Close leaves no process behind.

// groupMembers lists the live processes of the process groups pgids (a
// page's browser and its display each lead a group of their own).
func groupMembers(pgids ...int) []string {
	var found []string
	for _, g := range pgids {
		for _, i := range proc.Group(g) {
			found = append(found, i.String())
		}
	}
	return found
}

// rendererPids returns the renderer processes of the browser whose pid is
// browser, leaving out Chromium's own user-interface renderer.
func rendererPids(t *testing.T, browser int) []int {
	t.Helper()
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || !strings.Contains(string(cmd), "--type=renderer") || strings.Contains(string(cmd), "--top-chrome-webui") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if pgid, err := syscall.Getpgid(pid); err == nil && pgid == browser {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		t.Fatalf("no renderer process in the group of browser %d", browser)
	}
	return pids
}

// crashRenderer crashes p's renderer, with the DevTools command Page.crash
// sent through the page's DevTools endpoint (p must have been opened with
// PageOptions.DevTools), or by killing its process.
func crashRenderer(t *testing.T, p *lkbrowser.Page, how string) {
	t.Helper()
	switch how {
	case "Page.crash":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		tctx, detach, err := attachTab(ctx, p.DevToolsURL(), p.URL())
		if err != nil {
			cancel()
			t.Fatalf("Page.crash: %v", err)
		}
		// The renderer dies before it answers, so the call does not end
		// by itself: the test goes on to wait for the crash's event, and
		// its cleanup ends the call and the connection.
		done := make(chan struct{})
		go func() {
			defer close(done)
			chromedp.Call(tctx, cdppage.Crash, cdp.Empty{})
		}()
		t.Cleanup(func() {
			cancel()
			<-done
			detach()
		})
	case "kill":
		for _, pid := range rendererPids(t, p.Processes().Browser) {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	default:
		t.Fatalf("unknown way to crash: %s", how)
	}
}

// solidAt reports whether f shows colour c at x, y.
func solidAt(x, y int, c rgb) func(*lkbrowser.Frame) bool {
	return func(f *lkbrowser.Frame) bool { return near(f, x, y, c, 2) }
}

var otherColours = []struct {
	css string
	c   rgb
}{{"#ff00ff", rgb{255, 0, 255}}, {"#00ffff", rgb{0, 255, 255}}, {"#ffff00", rgb{255, 255, 0}}, {"#0000ff", rgb{0, 0, 255}}}

var otherTurn int

// otherPageWorks paints the other page (solid.html) a new colour and waits
// for a frame that shows it.
func otherPageWorks(t *testing.T, other *lkbrowser.Page) {
	t.Helper()
	c := otherColours[otherTurn%len(otherColours)]
	otherTurn++
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := other.Eval(ctx, fmt.Sprintf(`document.documentElement.style.background = %q`, c.css)); err != nil {
		t.Fatalf("the other page: Eval: %v", err)
	}
	waitFrame(t, other, 10*time.Second, solidAt(other.Width()/2, other.Height()/2, c.c)).Release()
}

// expectCrashed calls p's control methods and wants ErrCrashed from each,
// at once.
func expectCrashed(t *testing.T, p *lkbrowser.Page, navigation bool) {
	t.Helper()
	calls := map[string]func(context.Context) error{
		"Eval":     func(ctx context.Context) error { _, err := p.Eval(ctx, "1"); return err },
		"Click":    func(ctx context.Context) error { return p.Click(ctx, 10, 10) },
		"TypeText": func(ctx context.Context) error { return p.TypeText(ctx, "x") },
		"GoBack":   func(ctx context.Context) error { return p.GoBack(ctx) },
		"Resize":   func(ctx context.Context) error { return p.Resize(ctx, 200, 200) },
		"Snapshot": func(ctx context.Context) error {
			f, err := p.Snapshot(ctx)
			if f != nil {
				f.Release()
			}
			return err
		},
	}
	if navigation { // a renderer crash lets these through: they recover the page
		calls["Navigate"] = func(ctx context.Context) error { return p.Navigate(ctx, url("a.html")) }
		calls["Reload"] = func(ctx context.Context) error { return p.Reload(ctx) }
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		err := call(ctx)
		cancel()
		if !errors.Is(err, lkbrowser.ErrCrashed) {
			t.Errorf("%s on the failed page: %v, want ErrCrashed", name, err)
		} else if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s on the failed page took %v", name, d)
		}
	}
}

// closeAndCheckGone closes p and checks that its channels end and that no
// process of its browser's or display's group is left.
func closeAndCheckGone(t *testing.T, p *lkbrowser.Page, procs lkbrowser.Processes) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	var last lkbrowser.Event
	for ev := range p.Events() {
		last = ev
	}
	if _, ok := last.(*lkbrowser.Closed); !ok {
		t.Errorf("last event %v, want Closed", last)
	}
	for f := range p.Frames() {
		f.Release()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := groupMembers(procs.Browser, procs.Display)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("processes left after Close: %v", left)
			break
		}
	}
}

// waitCrashed waits for a Crashed event.
func waitCrashed(t *testing.T, p *lkbrowser.Page) *lkbrowser.Crashed {
	t.Helper()
	return waitEvent(t, p, 10*time.Second, "Crashed", isEvent[*lkbrowser.Crashed]).(*lkbrowser.Crashed)
}

func TestRendererCrash(t *testing.T) {
	other := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#0000ff"), Width: 320, Height: 240})
	waitFrame(t, other, 10*time.Second, solidAt(160, 120, rgb{0, 0, 255})).Release()
	for _, how := range []string{"Page.crash", "kill"} {
		t.Run(how, func(t *testing.T) {
			p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240, DevTools: true})
			waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{255, 0, 0})).Release()
			procs := p.Processes()
			crashed := time.Now()
			crashRenderer(t, p, how)
			ev := waitCrashed(t, p)
			t.Logf("%s: Crashed %q (recoverable %v) after %v", how, ev.Reason, ev.Recoverable, ev.Time().Sub(crashed).Round(time.Millisecond))
			if !strings.Contains(ev.Reason, "renderer") || !ev.Recoverable {
				t.Errorf("Crashed %+v, want a recoverable renderer crash", ev)
			}
			expectCrashed(t, p, false)
			otherPageWorks(t, other)
			// Navigate brings the page back.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := p.Navigate(ctx, url("solid.html#00ff00")); err != nil {
				t.Fatalf("Navigate after the renderer crash: %v", err)
			}
			waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{0, 255, 0})).Release()
			if v, err := p.Eval(ctx, "6*7"); err != nil || string(v) != "42" {
				t.Errorf("Eval after recovery: %s, %v", v, err)
			}
			closeAndCheckGone(t, p, procs)
		})
	}
}

func TestProcessDeath(t *testing.T) {
	other := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#0000ff"), Width: 320, Height: 240})
	waitFrame(t, other, 10*time.Second, solidAt(160, 120, rgb{0, 0, 255})).Release()
	for _, victim := range []string{"browser", "Xvfb"} {
		t.Run(victim, func(t *testing.T) {
			p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
			waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{255, 0, 0})).Release()
			procs, display := p.Processes(), p.Display()
			pid, want := procs.Browser, []string{"Chromium", strconv.Itoa(procs.Browser), "killed"}
			if victim == "Xvfb" {
				pid, want = procs.Display, []string{"display " + display, "Xvfb", "killed"}
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			ev := waitCrashed(t, p)
			t.Logf("%s killed: Crashed %q", victim, ev.Reason)
			for _, w := range want {
				if !strings.Contains(ev.Reason, w) {
					t.Errorf("Crashed reason %q does not say %q", ev.Reason, w)
				}
			}
			if ev.Recoverable {
				t.Error("a dead process is reported as recoverable")
			}
			expectCrashed(t, p, true)
			otherPageWorks(t, other)
			closeAndCheckGone(t, p, procs)
		})
	}
}

// waitRestarted waits for a Restarted event; a Crashed event fails the test.
func waitRestarted(t *testing.T, p *lkbrowser.Page) *lkbrowser.Restarted {
	t.Helper()
	ev := waitEvent(t, p, 20*time.Second, "Restarted", func(ev lkbrowser.Event) bool {
		if c, ok := ev.(*lkbrowser.Crashed); ok {
			t.Fatalf("Crashed %q before Restarted", c.Reason)
		}
		return isEvent[*lkbrowser.Restarted](ev)
	})
	return ev.(*lkbrowser.Restarted)
}

func TestRestartAfterRendererCrash(t *testing.T) {
	const backoff = 200 * time.Millisecond
	red := url("solid.html#ff0000")
	p := openPage(t, lkbrowser.PageOptions{URL: red, Width: 320, Height: 240, DevTools: true,
		Restart: lkbrowser.RestartPolicy{MaxRestarts: 2, Backoff: backoff, Window: time.Minute}})
	waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{255, 0, 0})).Release()
	procs := p.Processes()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for attempt, how := range []string{"kill", "Page.crash"} {
		// Paint the page green from script: only a real reload makes it
		// red again.
		if _, err := p.Eval(ctx, `document.documentElement.style.background = "#00ff00"`); err != nil {
			t.Fatal(err)
		}
		waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{0, 255, 0})).Release()
		crashed := time.Now()
		crashRenderer(t, p, how)
		ev := waitRestarted(t, p)
		took := ev.Time().Sub(crashed)
		t.Logf("%s: Restarted %+v after %v", how, *ev, took.Round(time.Millisecond))
		if ev.Attempt != attempt+1 || ev.URL != red || !strings.Contains(ev.Reason, "renderer") {
			t.Errorf("Restarted %+v, want attempt %d of %s after a renderer crash", *ev, attempt+1, red)
		}
		// The back-off doubles: 200 ms, then 400 ms.
		if want := backoff << attempt; took < want {
			t.Errorf("restart %d came %v after the crash, before its back-off of %v", attempt+1, took, want)
		}
		waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{255, 0, 0})).Release()
		if v, err := p.Eval(ctx, "6*7"); err != nil || string(v) != "42" {
			t.Errorf("Eval after restart %d: %s, %v", attempt+1, v, err)
		}
	}
	// A third crash within the window is not restarted.
	crashRenderer(t, p, "kill")
	ev := waitCrashed(t, p)
	t.Logf("third crash: Crashed %q", ev.Reason)
	if !ev.Recoverable || !strings.Contains(ev.Reason, "not restarted") {
		t.Errorf("Crashed %+v, want a recoverable crash that was not restarted", ev)
	}
	select {
	case ev := <-p.Events():
		if _, ok := ev.(*lkbrowser.Restarted); ok {
			t.Errorf("restarted beyond MaxRestarts: %+v", ev)
		}
	case <-time.After(2 * backoff << 2):
	}
	expectCrashed(t, p, false)
	// The caller can still bring it back.
	if err := p.Reload(ctx); err != nil {
		t.Fatalf("Reload after the last crash: %v", err)
	}
	waitFrame(t, p, 10*time.Second, solidAt(160, 120, rgb{255, 0, 0})).Release()
	closeAndCheckGone(t, p, procs)
}

func TestRestartPolicyIsChecked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, r := range []lkbrowser.RestartPolicy{
		{MaxRestarts: -1}, {MaxRestarts: 1, Backoff: -time.Second},
		{MaxRestarts: 1, Backoff: time.Minute, MaxBackoff: time.Second}, {MaxRestarts: 1, Window: -1},
	} {
		_, err := engine.NewPage(ctx, lkbrowser.PageOptions{Restart: r})
		var ie *lkbrowser.InvalidArgumentError
		if !errors.Is(err, lkbrowser.ErrInvalidRestartPolicy) || !errors.As(err, &ie) {
			t.Errorf("Restart %+v: %v, want an InvalidArgumentError matching ErrInvalidRestartPolicy", r, err)
		}
	}
}

// toneScript starts a 440 Hz tone in the page.
const toneScript = `(() => {
  const ctx = new AudioContext({sampleRate: 48000});
  const osc = new OscillatorNode(ctx, {frequency: 440});
  osc.connect(new GainNode(ctx, {gain: 0.5})).connect(ctx.destination);
  osc.start();
  return ctx.resume().then(() => true);
})()`

// TestSlowConsumer stops reading an animating, sounding page for 10 s: the
// capture goes on, the frame waiting is the newest, the audio queue keeps
// the last second, and nothing grows.
func TestSlowConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 10 s")
	}
	p := openPage(t, lkbrowser.PageOptions{URL: url("anim.html"), Width: 320, Height: 240, FrameRate: 30})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.Eval(ctx, toneScript); err != nil {
		t.Fatal(err)
	}
	collectAudio(t, p, 200*time.Millisecond, true)
	waitFrame(t, p, 10*time.Second, func(*lkbrowser.Frame) bool { return true }).Release()
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	shm0, s0 := countShm(), p.Stats()

	const stall = 10 * time.Second
	time.Sleep(stall)

	now := time.Since(engine.Epoch())
	s1 := p.Stats()
	var f *lkbrowser.Frame
	select {
	case f = <-p.Frames():
	default:
		t.Fatal("no frame waiting after 10 s")
	}
	age := now - f.PTS
	t.Logf("after %v unread: frame seq %d, %v old, %d dropped before it; stats before %+v, after %+v", stall, f.Seq, age.Round(time.Millisecond), f.Dropped, s0, s1)
	f.Release()
	if age < 0 || age > 500*time.Millisecond {
		t.Errorf("the waiting frame is %v old, want the newest (< 500 ms)", age)
	}
	captured, dropped := s1.FramesCaptured-s0.FramesCaptured, s1.FramesDropped-s0.FramesDropped
	// 30 frames/s for 10 s; half of that on a loaded machine is plenty to
	// show the capture never waited for the reader.
	if captured < 150 || dropped < captured-2 {
		t.Errorf("in %v unread: %d frames captured, %d dropped; want >= 150 captured, all but the waiting one dropped", stall, captured, dropped)
	}
	// Audio: about the last second is queued, the rest dropped.
	var queued []*lkbrowser.AudioFrame
drain:
	for {
		select {
		case a := <-p.Audio():
			queued = append(queued, a)
		default:
			break drain
		}
	}
	aCaptured, aDropped := s1.AudioCaptured-s0.AudioCaptured, s1.AudioDropped-s0.AudioDropped
	if len(queued) == 0 {
		t.Fatal("no audio queued")
	}
	oldest := now - queued[0].PTS
	t.Logf("audio: %d frames queued, the oldest %v old; %d captured, %d dropped", len(queued), oldest.Round(time.Millisecond), aCaptured, aDropped)
	if len(queued) > 110 || oldest > 1500*time.Millisecond {
		t.Errorf("%d audio frames queued, the oldest %v old; want about the last second", len(queued), oldest)
	}
	if aCaptured < 700 || aDropped < aCaptured-110 {
		t.Errorf("audio in %v unread: %d captured, %d dropped; want >= 700 captured and all but a second dropped", stall, aCaptured, aDropped)
	}
	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	grew := int64(m1.HeapAlloc) - int64(m0.HeapAlloc)
	t.Logf("heap %d -> %d bytes; shm segments %d -> %d", m0.HeapAlloc, m1.HeapAlloc, shm0, countShm())
	if grew > 32<<20 {
		t.Errorf("the heap grew by %d MiB while nobody read", grew>>20)
	}
	if n := countShm(); n != shm0 {
		t.Errorf("shared-memory segments %d before, %d after", shm0, n)
	}
	// Reading again gets fresh frames at once.
	f = waitFrame(t, p, 5*time.Second, func(*lkbrowser.Frame) bool { return true })
	if age := time.Since(engine.Epoch()) - f.PTS; age > 500*time.Millisecond {
		t.Errorf("frame after reading again is %v old", age)
	}
	f.Release()
}

// TestCloseStorm calls Page.Close and Engine.Close from 50 goroutines while
// pages are being opened: every call returns, nothing panics, and nothing
// is left behind.
func TestCloseStorm(t *testing.T) {
	e, dir := ownEngine(t, lkbrowser.Options{NoAudio: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var open []*lkbrowser.Page
	for range 2 {
		p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("blink.html"), Width: 320, Height: 240})
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, p)
	}
	type started struct {
		p   *lkbrowser.Page
		err error
	}
	starting := make(chan started, 2)
	for range 2 {
		go func() {
			p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
			starting <- started{p, err}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the starts are under way
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				errs[i] = e.Close()
			} else {
				errs[i] = open[i/2%len(open)].Close()
			}
		})
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(60 * time.Second):
		t.Fatal("Close calls still running after 60 s")
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("Close call %d: %v", i, err)
		}
	}
	for range 2 {
		s := <-starting
		switch {
		case s.err == nil:
			// It made it before Close; Engine.Close closed it.
			if _, err := s.p.Snapshot(ctx); !errors.Is(err, lkbrowser.ErrClosed) {
				t.Errorf("page opened during Close: Snapshot %v, want ErrClosed", err)
			}
		case !errors.Is(s.err, lkbrowser.ErrClosed):
			t.Errorf("NewPage racing Close: %v, want success or ErrClosed", s.err)
		}
	}
	for _, p := range open {
		if _, open := <-p.Frames(); open {
			t.Error("Frames still open")
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := processesMentioning(dir)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("processes left: %v", left)
			break
		}
	}
}

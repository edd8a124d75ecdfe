package tests

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// cursorPromptly is how soon a cursor change must be reported. A room
// viewer checked for 5 s; on an idle machine a change takes well under 100 ms.
const cursorPromptly = 2 * time.Second

// TestCursorChangeDoesNotWaitForCalibration moves the mouse from the page's
// rim onto a cursor: pointer button, again and again, on a fresh engine
// whose cursor table is not calibrated yet (an empty cache), with the CPU
// kept busy: every move must be reported within cursorPromptly. Calibration
// starts on the first mouse move and takes seconds (longer under load);
// changes used to wait for it, and a failed calibration reported "default".
func TestCursorChangeDoesNotWaitForCalibration(t *testing.T) {
	e, err := lkbrowser.NewEngine(context.Background(), lkbrowser.Options{TempDir: t.TempDir(), CacheDir: t.TempDir(), NoAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("pointer.html"), Width: 640, Height: 480})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 300, 200, rgb{0, 0, 255})
	stop := cpuHog(runtime.NumCPU())
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	missed := 0
	for i := 0; i < 4; i++ {
		for _, s := range []struct {
			x, y int
			want string
		}{{2, 2, "default"}, {300, 200, "pointer"}} {
			if err := p.SendMouseMove(ctx, lkbrowser.MouseEvent{X: s.x, Y: s.y}, false); err != nil {
				t.Fatal(err)
			}
			if i == 0 && s.want == "default" {
				continue // the first image may not count as a change
			}
			if !cursorWithin(p, cursorPromptly, s.want) {
				missed++
				t.Errorf("move %d to %d,%d: no cursor %q within %v", i, s.x, s.y, s.want, cursorPromptly)
			}
		}
	}
	t.Logf("%d of 7 cursor changes missed", missed)
}

// cursorWithin waits up to d for a CursorChanged naming want.
func cursorWithin(p *lkbrowser.Page, d time.Duration, want string) bool {
	deadline := time.After(d)
	for {
		select {
		case ev := <-p.Events():
			if c, ok := ev.(*lkbrowser.CursorChanged); ok && c.Cursor == want {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// cpuHog keeps n goroutines spinning until the returned stop is called (at
// most 30 s), as other busy pages on the machine do. LKBROWSER_TEST_NO_HOG
// turns it off.
func cpuHog(n int) (stop func()) {
	if os.Getenv("LKBROWSER_TEST_NO_HOG") != "" {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			limit := time.After(30 * time.Second)
			for x := 0; ; x++ {
				if x%1_000_000 == 0 {
					select {
					case <-done:
						return
					case <-limit:
						return
					default:
					}
				}
			}
		}()
	}
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

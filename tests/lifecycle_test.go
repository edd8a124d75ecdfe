package tests

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// ownEngine starts an engine of the test's own, in a temp dir the test
// checks is empty at the end.
func ownEngine(t *testing.T, opts lkbrowser.Options) (*lkbrowser.Engine, string) {
	t.Helper()
	dir := t.TempDir()
	opts.TempDir = dir
	e, err := lkbrowser.NewEngine(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Close()
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("left behind in the engine's temp dir: %v", left)
		}
	})
	return e, dir
}

func TestNewPageCancelledMidway(t *testing.T) {
	e, _ := ownEngine(t, lkbrowser.Options{})
	for _, d := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
		cancel()
		if err == nil {
			// Fast machine: the page made it; it must still close cleanly.
			if err := p.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("NewPage cancelled after %v: %v, want a deadline error", d, err)
		}
	}
	if n := len(e.Pages()); n != 0 {
		t.Errorf("%d pages listed after failed starts", n)
	}
	// The engine still works.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
}

func TestEngineCloseDuringNewPageAndConcurrentClose(t *testing.T) {
	e, _ := ownEngine(t, lkbrowser.Options{MaxPages: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	open, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("blink.html"), Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	go func() {
		_, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
		started <- err
	}()
	time.Sleep(150 * time.Millisecond) // let the start get under way
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = e.Close() })
	}
	wg.Go(func() { open.Close() })
	wg.Wait()
	for i, err := range errs {
		if err != errs[0] {
			t.Errorf("Close call %d returned %v, the first %v", i, err, errs[0])
		}
	}
	if err := <-started; err != nil && !errors.Is(err, lkbrowser.ErrClosed) {
		t.Errorf("NewPage racing Close: %v, want success or ErrClosed", err)
	}
	if _, err := e.NewPage(ctx, lkbrowser.PageOptions{}); !errors.Is(err, lkbrowser.ErrClosed) {
		t.Errorf("NewPage after Close: %v, want ErrClosed", err)
	}
	if _, err := open.Snapshot(ctx); !errors.Is(err, lkbrowser.ErrClosed) {
		t.Errorf("Snapshot after Close: %v, want ErrClosed", err)
	}
}

func TestMaxPages(t *testing.T) {
	e, _ := ownEngine(t, lkbrowser.Options{MaxPages: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: "about:blank", Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: "about:blank", Width: 320, Height: 240}); !errors.Is(err, lkbrowser.ErrTooManyPages) {
		t.Errorf("second page over MaxPages 1: %v, want ErrTooManyPages", err)
	}
	p.Close()
	p2, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: "about:blank", Width: 320, Height: 240})
	if err != nil {
		t.Fatalf("page after closing the first: %v", err)
	}
	p2.Close()
}

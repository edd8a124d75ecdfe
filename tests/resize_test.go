package tests

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

func TestResizeRelaysOutThePage(t *testing.T) {
	// resize.html paints its right half blue and left half red, by layout.
	p := openPage(t, lkbrowser.PageOptions{URL: url("halves.html"), Width: 1280, Height: 720})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	halves := func(w, h int) func(*lkbrowser.Frame) bool {
		return func(f *lkbrowser.Frame) bool {
			return f.Width == w && f.Height == h &&
				near(f, w/4, h/2, rgb{255, 0, 0}, 2) && near(f, w*3/4, h/2, rgb{0, 0, 255}, 2) &&
				near(f, w/2-2, h-1, rgb{255, 0, 0}, 2) && near(f, w/2+1, 0, rgb{0, 0, 255}, 2) &&
				near(f, w-1, h-1, rgb{0, 0, 255}, 2)
		}
	}
	held := waitFrame(t, p, 10*time.Second, halves(1280, 720)) // kept across the resize
	if err := p.Resize(ctx, 800, 600); err != nil {
		t.Fatal(err)
	}
	if p.Width() != 800 || p.Height() != 600 {
		t.Errorf("size after Resize %dx%d", p.Width(), p.Height())
	}
	waitFrame(t, p, 10*time.Second, halves(800, 600)).Release()
	if got := testsupport.EvalAs[[]int](t, p, `[innerWidth, innerHeight]`); got[0] != 800 || got[1] != 600 {
		t.Errorf("viewport %v after Resize, want 800x600", got)
	}
	// The frame of the old size is still intact.
	if !halves(1280, 720)(held) {
		t.Error("a frame held across Resize changed")
	}
	held.Release()
	// Back to the first size; beyond it is refused.
	if err := p.Resize(ctx, 1280, 720); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, p, 10*time.Second, halves(1280, 720)).Release()
	s, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !halves(1280, 720)(s) {
		t.Error("snapshot after resizing back is wrong")
	}
	s.Release()
	if err := p.Resize(ctx, 1920, 1080); !errors.Is(err, lkbrowser.ErrInvalidSize) {
		t.Errorf("Resize beyond MaxWidth: %v, want ErrInvalidSize", err)
	}
	if err := p.Resize(ctx, 0, 10); !errors.Is(err, lkbrowser.ErrInvalidSize) {
		t.Errorf("Resize to 0x10: %v, want ErrInvalidSize", err)
	}
}

func TestResizeCanGrowUpToMax(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("halves.html"), Width: 400, Height: 300, MaxWidth: 900, MaxHeight: 700})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool {
		return f.Width == 400 && near(f, 399, 150, rgb{0, 0, 255}, 2) && near(f, 1, 150, rgb{255, 0, 0}, 2)
	})
	f.Release()
	if err := p.Resize(ctx, 900, 700); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool {
		return f.Width == 900 && f.Height == 700 && near(f, 899, 699, rgb{0, 0, 255}, 2) && near(f, 449, 699, rgb{255, 0, 0}, 2)
	}).Release()
}

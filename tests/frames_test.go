package tests

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// rgb is an expected colour.
type rgb struct{ r, g, b uint8 }

// near reports whether the frame's pixel at x, y is within tol of c.
func near(f *lkbrowser.Frame, x, y int, c rgb, tol int) bool {
	b, g, r := f.BGRA(x, y)
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return d(r, c.r) <= tol && d(g, c.g) <= tol && d(b, c.b) <= tol
}

// colorBlocks are the centres and colours of tests/testdata/colors.html.
var colorBlocks = []struct {
	x, y int
	c    rgb
}{
	{50, 40, rgb{255, 0, 0}}, {150, 40, rgb{0, 255, 0}}, {250, 40, rgb{0, 0, 255}},
	{50, 120, rgb{255, 255, 0}}, {150, 120, rgb{0, 0, 0}}, {250, 120, rgb{255, 255, 255}},
	// Edges: one pixel inside each side of the red block.
	{0, 0, rgb{255, 0, 0}}, {99, 79, rgb{255, 0, 0}}, {100, 79, rgb{0, 255, 0}},
}

func colorsMatch(f *lkbrowser.Frame) bool {
	for _, b := range colorBlocks {
		if !near(f, b.x, b.y, b.c, 2) {
			return false
		}
	}
	return true
}

// waitFrame reads frames until ok accepts one or timeout passes. It returns
// the accepted frame, which the caller must release.
func waitFrame(t *testing.T, p *lkbrowser.Page, timeout time.Duration, ok func(*lkbrowser.Frame) bool) *lkbrowser.Frame {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f, open := <-p.Frames():
			if !open {
				t.Fatal("Frames closed")
			}
			if ok(f) {
				return f
			}
			f.Release()
		case <-deadline:
			t.Fatalf("no matching frame within %v", timeout)
			return nil
		}
	}
}

func TestColourBlocksInFrames(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240, FrameRate: 30})
	f := waitFrame(t, p, 10*time.Second, colorsMatch)
	defer f.Release()
	if f.Width != 320 || f.Height != 240 || f.Stride < 320*4 {
		t.Fatalf("frame is %dx%d stride %d, want 320x240", f.Width, f.Height, f.Stride)
	}
	if f.Seq == 0 || f.Timestamp.IsZero() || f.PTS <= 0 {
		t.Errorf("frame metadata not set: seq %d ts %v pts %v", f.Seq, f.Timestamp, f.PTS)
	}

	// A snapshot shows the same picture and covers the whole page.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if !colorsMatch(s) {
		t.Error("snapshot does not show the colour blocks")
	}
	if len(s.Dirty) != 1 || s.Dirty[0] != s.Bounds() {
		t.Errorf("snapshot dirty rects %v, want the whole page", s.Dirty)
	}
}

// countFrames counts the frames captured during d (delivered plus dropped).
func countFrames(p *lkbrowser.Page, d time.Duration) (n int) {
	end := time.After(d)
	for {
		select {
		case f := <-p.Frames():
			n += 1 + int(f.Dropped)
			f.Release()
		case <-end:
			return n
		}
	}
}

func TestFrameRateIsCapped(t *testing.T) {
	for _, tc := range []struct {
		fps      int
		min, max float64
	}{{10, 8, 10.5}, {30, 25, 31}} {
		p := openPage(t, lkbrowser.PageOptions{URL: url("anim.html"), Width: 320, Height: 240, FrameRate: tc.fps})
		waitFrame(t, p, 10*time.Second, func(*lkbrowser.Frame) bool { return true }).Release()
		countFrames(p, 500*time.Millisecond) // settle
		const secs = 3
		rate := float64(countFrames(p, secs*time.Second)) / secs
		t.Logf("FrameRate %d: %.1f frames/s", tc.fps, rate)
		if rate < tc.min || rate > tc.max {
			t.Errorf("FrameRate %d: got %.1f frames/s, want %.1f..%.1f", tc.fps, rate, tc.min, tc.max)
		}
		p.Close()
	}
}

func TestStaticPageSendsNoFrames(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("colors.html"), Width: 320, Height: 240})
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
	// Let late paints (fonts, layout) settle, then expect silence.
	deadline := time.Now().Add(10 * time.Second)
	for countFrames(p, 500*time.Millisecond) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("a static page keeps sending frames")
		}
	}
	if n := countFrames(p, 1500*time.Millisecond); n != 0 {
		t.Errorf("static page sent %d frames after load", n)
	}
}

func TestSmallChangeGivesSmallDirtyRects(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("blink.html"), Width: 640, Height: 480, FrameRate: 30})
	box := image.Rect(300, 200, 320, 220)
	blue := func(f *lkbrowser.Frame) bool { return near(f, 310, 210, rgb{0, 0, 255}, 2) }
	waitFrame(t, p, 10*time.Second, blue).Release()
	checked := 0
	for checked < 10 {
		f := waitFrame(t, p, 5*time.Second, func(*lkbrowser.Frame) bool { return true })
		area, covered := 0, false
		for _, r := range f.Dirty {
			area += r.Dx() * r.Dy()
			if box.In(r) {
				covered = true
			}
		}
		if !covered {
			t.Errorf("dirty rects %v do not cover the blinking box %v", f.Dirty, box)
		}
		if area > 640*480/20 {
			t.Errorf("dirty area %d px for a 20x20 change (rects %v)", area, f.Dirty)
		}
		f.Release()
		checked++
	}
}

func TestTwoPagesOfDifferentSizes(t *testing.T) {
	a := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#00ff00"), Width: 320, Height: 200})
	b := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#0000ff"), Width: 500, Height: 300})
	fa := waitFrame(t, a, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 160, 100, rgb{0, 255, 0}, 2) })
	defer fa.Release()
	fb := waitFrame(t, b, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 250, 150, rgb{0, 0, 255}, 2) })
	defer fb.Release()
	if fa.Width != 320 || fa.Height != 200 || fb.Width != 500 || fb.Height != 300 {
		t.Errorf("sizes %dx%d and %dx%d, want 320x200 and 500x300", fa.Width, fa.Height, fb.Width, fb.Height)
	}
	// Each page shows only its own colour, corner to corner.
	for _, pt := range []image.Point{{0, 0}, {319, 199}} {
		if !near(fa, pt.X, pt.Y, rgb{0, 255, 0}, 2) {
			t.Errorf("page a at %v is not green", pt)
		}
	}
	if !near(fb, 499, 299, rgb{0, 0, 255}, 2) {
		t.Error("page b's corner is not blue")
	}
}

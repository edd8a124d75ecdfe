//go:build linux && cgo

package xcap

import (
	"testing"
)

func benchGrab(b *testing.B, w, h, y0, y1 int) {
	x := startXvfb(b, w, h)
	c := openT(b, x)
	buf := newBufferT(b, c)
	if err := c.Grab(buf, y0, y1); err != nil { // warm up
		b.Fatal(err)
	}
	b.SetBytes(int64((y1 - y0) * buf.Stride()))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Grab(buf, y0, y1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGrabFull720p(b *testing.B)  { benchGrab(b, 1280, 720, 0, 720) }
func BenchmarkGrabFull1080p(b *testing.B) { benchGrab(b, 1920, 1080, 0, 1080) }
func BenchmarkGrabBand(b *testing.B)      { benchGrab(b, 1280, 720, 320, 384) }

// BenchmarkTakeDamage measures one frame's bookkeeping: a client draws a
// small rect (a round trip), then Wait(0) collects the DamageNotify and
// TakeDamage fetches the region (a second round trip).
func BenchmarkTakeDamage(b *testing.B) {
	x := startXvfb(b, 1280, 720)
	c := openT(b, x)
	rects := make([]Rect, 0, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := c.FillRect(i%1200, i%700, 16, 16, uint32(i)); err != nil {
			b.Fatal(err)
		}
		ev, err := c.Wait(0)
		if err != nil {
			b.Fatal(err)
		}
		if rects, err = c.TakeDamage(rects); err != nil {
			b.Fatal(err)
		}
		if ev&EventDamage == 0 || len(rects) == 0 {
			b.Fatalf("no damage: %v %v", ev, rects)
		}
	}
}

// BenchmarkTakeDamageEmpty is TakeDamage alone with nothing drawn: the cost
// of the DamageSubtract + FetchRegion round trip.
func BenchmarkTakeDamageEmpty(b *testing.B) {
	x := startXvfb(b, 1280, 720)
	c := openT(b, x)
	rects := make([]Rect, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if rects, err = c.TakeDamage(rects); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWaitWake is a Wake followed by the Wait it satisfies.
func BenchmarkWaitWake(b *testing.B) {
	x := startXvfb(b, 320, 240)
	c := openT(b, x)
	b.ReportAllocs()
	for b.Loop() {
		c.Wake()
		if ev, err := c.Wait(-1); err != nil || ev&EventWake == 0 {
			b.Fatal(ev, err)
		}
	}
}

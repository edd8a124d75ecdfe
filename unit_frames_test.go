package lkbrowser

import (
	"image"
	"testing"
)

func unitFrameBuffer() *frameBuffer {
	fb := &frameBuffer{}
	fb.frame.Dirty = fb.rects[:0]
	return fb
}

func TestUnitAddDirtyKeepsUpTo16(t *testing.T) {
	fb := unitFrameBuffer()
	var want []image.Rectangle
	for i := 0; i < maxDirtyRects; i++ {
		r := image.Rect(i*10, i*5, i*10+3, i*5+4)
		fb.frame.addDirty(r)
		want = append(want, r)
	}
	if len(fb.frame.Dirty) != 16 {
		t.Fatalf("%d rects kept, want 16", len(fb.frame.Dirty))
	}
	for i, r := range want {
		if fb.frame.Dirty[i] != r {
			t.Errorf("Dirty[%d] = %v, want %v", i, fb.frame.Dirty[i], r)
		}
	}
	// The rects live in the buffer's own array: no allocation per frame.
	if &fb.frame.Dirty[0] != &fb.rects[0] {
		t.Error("Dirty does not use the frame buffer's array")
	}
}

func TestUnitAddDirtyMerges(t *testing.T) {
	tests := []struct {
		name  string
		rects []image.Rectangle
	}{
		{"17 disjoint", unitRects(17)},
		{"40 disjoint", unitRects(40)},
		{"17th far away", append(unitRects(16), image.Rect(4000, 3000, 4096, 3001))},
		{"17th at origin", append(unitRects(16), image.Rect(0, 0, 1, 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := unitFrameBuffer()
			var union image.Rectangle
			for i, r := range tt.rects {
				fb.frame.addDirty(r)
				union = union.Union(r)
				if n := len(fb.frame.Dirty); n < 1 || n > maxDirtyRects {
					t.Fatalf("after %d adds: %d rects", i+1, n)
				}
				// Whatever the merging, every rect added so far is covered.
				for _, added := range tt.rects[:i+1] {
					if !unitCovered(added, fb.frame.Dirty) {
						t.Fatalf("after %d adds: %v is not covered by %v", i+1, added, fb.frame.Dirty)
					}
				}
			}
			if len(tt.rects) == 17 {
				if len(fb.frame.Dirty) != 1 || fb.frame.Dirty[0] != union {
					t.Errorf("after 17 adds Dirty = %v, want the bounding box %v", fb.frame.Dirty, union)
				}
			}
			// Nothing is invented beyond the union.
			for _, d := range fb.frame.Dirty {
				if !d.In(union) {
					t.Errorf("dirty %v outside the union %v", d, union)
				}
			}
		})
	}
}

func TestUnitAddDirtyIgnoresEmpty(t *testing.T) {
	fb := unitFrameBuffer()
	for _, r := range []image.Rectangle{{}, image.Rect(5, 5, 5, 10), image.Rect(5, 5, 10, 5), {Min: image.Pt(10, 10), Max: image.Pt(5, 5)}} {
		fb.frame.addDirty(r)
	}
	if len(fb.frame.Dirty) != 0 {
		t.Fatalf("empty rects recorded: %v", fb.frame.Dirty)
	}
	// An empty rect must not enlarge a merged box either (Union of an empty
	// rect at the origin would stretch it to (0,0)).
	for _, r := range unitRects(16) {
		fb.frame.addDirty(r)
	}
	fb.frame.addDirty(image.Rectangle{})
	if len(fb.frame.Dirty) != 16 {
		t.Errorf("an empty rect changed the dirty list: %d rects", len(fb.frame.Dirty))
	}
	fb.frame.addDirty(image.Rect(100, 100, 101, 101))
	if want := image.Rect(100, 100, 255, 116); len(fb.frame.Dirty) != 1 || fb.frame.Dirty[0] != want {
		t.Errorf("merged Dirty = %v, want [%v]", fb.frame.Dirty, want)
	}
}

// unitRects returns n disjoint rectangles starting at (100,100).
func unitRects(n int) []image.Rectangle {
	rs := make([]image.Rectangle, n)
	for i := range rs {
		rs[i] = image.Rect(100+i*10, 100+i, 100+i*10+5, 100+i+1)
	}
	return rs
}

func unitCovered(r image.Rectangle, by []image.Rectangle) bool {
	for _, d := range by {
		if r.In(d) {
			return true
		}
	}
	return false
}

// unitFrame makes a w x h frame with stride padding filled with 0xEE, and a
// minimal Pix (no padding after the last row), like the capture's frames.
func unitFrame(w, h, stride int) *Frame {
	pix := make([]byte, (h-1)*stride+w*4)
	for i := range pix {
		pix[i] = 0xEE
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*stride + x*4
			pix[i], pix[i+1], pix[i+2], pix[i+3] = byte(x), byte(y), byte(x+y*16), 0 // B, G, R, X
		}
	}
	return &Frame{Pix: pix, Width: w, Height: h, Stride: stride}
}

func TestUnitFramePixels(t *testing.T) {
	tests := []struct{ w, h, stride int }{
		{3, 2, 16}, // padding of 4 bytes per row
		{5, 4, 64},
		{4, 4, 16}, // no padding
		{1, 1, 4},
	}
	for _, tt := range tests {
		f := unitFrame(tt.w, tt.h, tt.stride)
		if f.Bounds() != image.Rect(0, 0, tt.w, tt.h) {
			t.Errorf("Bounds = %v", f.Bounds())
		}
		img := f.ToRGBA()
		if img.Bounds() != f.Bounds() {
			t.Fatalf("ToRGBA bounds %v, want %v", img.Bounds(), f.Bounds())
		}
		for y := 0; y < tt.h; y++ {
			for x := 0; x < tt.w; x++ {
				wb, wg, wr := byte(x), byte(y), byte(x+y*16)
				b, g, r := f.BGRA(x, y)
				if b != wb || g != wg || r != wr {
					t.Errorf("%dx%d/%d: BGRA(%d,%d) = %d,%d,%d, want %d,%d,%d", tt.w, tt.h, tt.stride, x, y, b, g, r, wb, wg, wr)
				}
				c := img.RGBAAt(x, y)
				if c.R != wr || c.G != wg || c.B != wb || c.A != 255 {
					t.Errorf("%dx%d/%d: ToRGBA at %d,%d = %v, want R%d G%d B%d A255", tt.w, tt.h, tt.stride, x, y, c, wr, wg, wb)
				}
			}
		}
	}
}

func TestUnitFrameReleaseWithoutBuffer(t *testing.T) {
	f := unitFrame(2, 2, 8)
	f.Release()
	f.Release()
	if f.Pix == nil {
		t.Error("Release of a frame without a buffer touched Pix")
	}
}

func TestUnitFrameReleaseOnce(t *testing.T) {
	wakes := 0
	pool := &framePool{ret: newRetirer(func() { wakes++ })}
	fb := &frameBuffer{pool: pool}
	pool.all = []*frameBuffer{fb}
	pool.free = []*frameBuffer{fb}

	got := pool.get()
	if got != fb {
		t.Fatalf("get = %p, want the free buffer", got)
	}
	if pool.get() != nil {
		t.Fatal("get handed out a held buffer")
	}
	stale := got.lend(nil)
	stale.Release()
	stale.Release() // a second Release must not put the buffer back twice
	if len(pool.free) != 1 || wakes != 1 {
		t.Errorf("after two Releases: %d free, %d wakes; want 1, 1", len(pool.free), wakes)
	}
	// The buffer is lent again: the first holder's stale handle must not
	// release it from under the new holder.
	if pool.get() != fb {
		t.Fatal("a released buffer is not reused")
	}
	cur := fb.lend(nil)
	if cur == stale {
		t.Fatal("lend reused the previous delivery's handle")
	}
	stale.Release()
	if len(pool.free) != 0 {
		t.Fatal("a stale Frame released a buffer another holder owns")
	}
	cur.Release()
	if len(pool.free) != 1 || wakes != 2 {
		t.Errorf("after the holder's Release: %d free, %d wakes; want 1, 2", len(pool.free), wakes)
	}
}

func TestUnitFramePoolMarkStale(t *testing.T) {
	a, b := &frameBuffer{}, &frameBuffer{staleY0: 10, staleY1: 20}
	pool := &framePool{all: []*frameBuffer{a, b}}
	pool.markStale(30, 40)
	if a.staleY0 != 30 || a.staleY1 != 40 {
		t.Errorf("clean buffer: stale %d..%d, want 30..40", a.staleY0, a.staleY1)
	}
	if b.staleY0 != 10 || b.staleY1 != 40 {
		t.Errorf("stale buffer: stale %d..%d, want 10..40", b.staleY0, b.staleY1)
	}
	pool.markStale(0, 5)
	if a.staleY0 != 0 || a.staleY1 != 40 || b.staleY0 != 0 || b.staleY1 != 40 {
		t.Errorf("stale bands %d..%d, %d..%d, want 0..40", a.staleY0, a.staleY1, b.staleY0, b.staleY1)
	}
}

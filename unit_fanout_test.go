package lkbrowser

import (
	"image"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// unitFanout is a capturer without an X connection: a pool of n buffers
// (no shared memory) and its frame readers.
func unitFanout(n int) (*capturer, *framePool) {
	pool := &framePool{ret: newRetirer(nil)}
	for i := 0; i < n; i++ {
		fb := &frameBuffer{pool: pool}
		fb.frame = Frame{Pix: make([]byte, 16), Width: 2, Height: 2, Stride: 8, Dirty: fb.rects[:0]}
		pool.all = append(pool.all, fb)
		pool.free = append(pool.free, fb)
	}
	return &capturer{pool: pool, readers: fanout[*Frame]{size: frameQueueSize}}, pool
}

// unitGrab fills a free buffer with seq and dirty and delivers it.
func unitGrab(t *testing.T, c *capturer, seq uint64, dirty ...image.Rectangle) *frameBuffer {
	t.Helper()
	fb := c.pool.get()
	if fb == nil {
		t.Fatal("no free buffer")
	}
	fb.frame.Seq, fb.frame.Dropped = seq, 0
	fb.frame.Dirty = append(fb.rects[:0], dirty...)
	c.deliver(fb)
	return fb
}

func unitSubscribe(c *capturer) *FrameSubscription {
	return &FrameSubscription{q: c.readers.subscribe(), hub: &c.readers}
}

func unitFree(p *framePool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.free)
}

func TestUnitFanoutSharesBufferUntilLastRelease(t *testing.T) {
	c, pool := unitFanout(2)
	a, b := unitSubscribe(c), unitSubscribe(c)
	fb := unitGrab(t, c, 1, image.Rect(0, 0, 2, 2))
	fa, fbb := <-a.C(), <-b.C()
	if fa == fbb {
		t.Fatal("two readers got the same *Frame handle")
	}
	if &fa.Pix[0] != &fbb.Pix[0] || &fa.Pix[0] != &fb.frame.Pix[0] {
		t.Error("the readers' frames do not share the buffer's pixels")
	}
	if unitFree(pool) != 1 {
		t.Fatalf("%d free while both readers hold the buffer, want 1", unitFree(pool))
	}
	fa.Release()
	fa.Release() // a second Release of the same handle is a no-op
	cp := *fa
	cp.Release() // so is a copy's
	if unitFree(pool) != 1 {
		t.Fatal("the buffer came back while reader b still holds it")
	}
	fbb.Release()
	if unitFree(pool) != 2 {
		t.Fatal("the buffer did not come back after the last Release")
	}
	// Re-lent: the stale handles of the first lending release nothing.
	unitGrab(t, c, 2, image.Rect(0, 0, 1, 1))
	unitGrab(t, c, 3, image.Rect(0, 0, 1, 1)) // replaces seq 2 in both queues
	fa.Release()
	fbb.Release()
	if unitFree(pool) != 1 {
		t.Fatalf("stale handles changed the pool: %d free, want 1 (seq 3 held twice)", unitFree(pool))
	}
	a.Close()
	b.Close()
	if unitFree(pool) != 2 {
		t.Errorf("Close did not release the waiting frames: %d free", unitFree(pool))
	}
}

func TestUnitFanoutDropsAndDirtyPerReader(t *testing.T) {
	c, pool := unitFanout(4)
	slow, fast := unitSubscribe(c), unitSubscribe(c)
	r1, r2, r3 := image.Rect(0, 0, 1, 1), image.Rect(1, 1, 2, 2), image.Rect(0, 1, 1, 2)
	unitGrab(t, c, 1, r1)
	f := <-fast.C()
	if len(f.Dirty) != 1 || f.Dirty[0] != r1 {
		t.Errorf("fast reader's first frame dirty %v, want [%v]", f.Dirty, r1)
	}
	f.Release()
	unitGrab(t, c, 2, r2)
	f = <-fast.C()
	if len(f.Dirty) != 1 || f.Dirty[0] != r2 || f.Dropped != 0 {
		t.Errorf("fast reader: dirty %v dropped %d, want [%v] 0", f.Dirty, f.Dropped, r2)
	}
	f.Release()
	unitGrab(t, c, 3, r3)
	// The slow reader took nothing: it gets the newest frame, with the
	// damage of the two it skipped.
	s := <-slow.C()
	if s.Seq != 3 || s.Dropped != 2 || slow.Dropped() != 2 {
		t.Errorf("slow reader: seq %d dropped %d (counter %d), want 3, 2, 2", s.Seq, s.Dropped, slow.Dropped())
	}
	if got, want := unionOf(s.Dirty), r1.Union(r2).Union(r3); got != want || len(s.Dirty) != 3 {
		t.Errorf("slow reader's dirty %v, want the 3 rectangles of %v", s.Dirty, want)
	}
	f = <-fast.C()
	if len(f.Dirty) != 1 || f.Dirty[0] != r3 || fast.Dropped() != 0 {
		t.Errorf("fast reader: dirty %v dropped %d, want [%v] 0", f.Dirty, fast.Dropped(), r3)
	}
	// The slow reader's leases of seq 1 and 2 were released when replaced.
	if n := unitFree(pool); n != 3 {
		t.Errorf("%d buffers free, want 3 (only seq 3 held)", n)
	}
	s.Release()
	f.Release()
	if n := unitFree(pool); n != 4 {
		t.Errorf("%d buffers free after every Release, want 4", n)
	}
}

func unionOf(rs []image.Rectangle) image.Rectangle {
	var u image.Rectangle
	for _, r := range rs {
		u = u.Union(r)
	}
	return u
}

func TestUnitFanoutCloseWhileHeld(t *testing.T) {
	c, pool := unitFanout(3)
	a := unitSubscribe(c)
	unitGrab(t, c, 1, image.Rect(0, 0, 1, 1))
	held := <-a.C()
	unitGrab(t, c, 2, image.Rect(0, 0, 1, 1)) // waits in a's queue
	a.Close()
	a.Close()
	if _, open := <-a.C(); open {
		t.Fatal("C open after Close")
	}
	if unitFree(pool) != 2 {
		t.Errorf("%d free after Close, want 2 (the waiting frame released, one held)", unitFree(pool))
	}
	if held.Pix == nil || held.Seq != 1 {
		t.Error("a frame held across Close changed")
	}
	// Nobody reads: a grab goes straight back to the pool.
	unitGrab(t, c, 3)
	if unitFree(pool) != 2 {
		t.Errorf("%d free after a grab without readers, want 2", unitFree(pool))
	}
	held.Release()
	if unitFree(pool) != 3 {
		t.Errorf("%d free, want 3", unitFree(pool))
	}
	// After the end, a subscription is born closed.
	c.readers.end(nil, (*Frame).Release)
	if _, open := <-unitSubscribe(c).C(); open {
		t.Error("subscription after the end is open")
	}
}

// TestUnitFanoutConcurrent runs a producer against readers of different
// speeds that subscribe, release (twice, late) and close at random: every
// buffer comes back, and each reader's frames are in order. Run with -race.
func TestUnitFanoutConcurrent(t *testing.T) {
	c, pool := unitFanout(4)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Go(func() {
			for round := 0; ; round++ {
				select {
				case <-stop:
					return
				default:
				}
				sub := unitSubscribe(c)
				var last uint64
				var held []*Frame
				for i := 0; i < 20; i++ {
					f, ok := <-sub.C()
					if !ok {
						break
					}
					if f.Seq <= last {
						t.Errorf("reader %d: seq %d after %d", r, f.Seq, last)
					}
					last = f.Seq
					if r > 0 {
						time.Sleep(time.Duration(r*rand.IntN(300)) * time.Microsecond)
					}
					held = append(held, f)
					if len(held) > 1 {
						held[0].Release()
						held[0].Release()
						held = held[1:]
					}
				}
				sub.Close() // with a frame held
				for _, f := range held {
					f.Release()
				}
			}
		})
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	var seq uint64
	for time.Now().Before(deadline) {
		if fb := c.pool.get(); fb != nil {
			seq++
			fb.frame.Seq = seq
			fb.frame.Dirty = append(fb.rects[:0], image.Rect(0, 0, 1, 1))
			c.deliver(fb)
		}
		time.Sleep(50 * time.Microsecond)
	}
	c.readers.end(nil, (*Frame).Release)
	close(stop)
	wg.Wait()
	if n := unitFree(pool); n != 4 {
		t.Errorf("%d of 4 buffers back after %d frames", n, seq)
	}
}

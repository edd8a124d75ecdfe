package tests

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// benchPage opens a page for a benchmark on an engine without sound (audio
// frames are allocated for their receiver, and are not the capture path).
func benchPage(b *testing.B, page string, w, h, fps int) *lkbrowser.Page {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{NoAudio: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url(page), Width: w, Height: h, FrameRate: fps})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// receive takes n frames from p and releases them; it reports the bytes of
// dirty area per frame.
func receive(b *testing.B, p *lkbrowser.Page, n int) (dirty int64) {
	timeout := time.After(time.Duration(n)*time.Second + 30*time.Second)
	for i := 0; i < n; i++ {
		select {
		case f := <-p.Frames():
			for _, r := range f.Dirty {
				dirty += int64(r.Dx() * r.Dy() * 4)
			}
			f.Release()
		case <-timeout:
			b.Fatalf("only %d of %d frames", i, n)
		}
	}
	return dirty
}

// BenchmarkCapture measures the capture path from screen damage to a frame
// received in Go: ns/op is the time per delivered frame at 60 fps (so about
// 16.7 ms when capture keeps up) and allocs/op the allocations per frame of
// the whole process, which must be 1 in steady state: the frame's handle
// (a fresh *Frame per delivery, so a stale Release cannot hit a reused
// buffer); the pixels are pooled.
func BenchmarkCapture(b *testing.B) {
	for _, c := range []struct {
		name, page string
		w, h       int
	}{
		{"FullPage720p", "anim.html", 1280, 720},
		{"FullPage1080p", "anim.html", 1920, 1080},
		{"SmallElement720p", "blink.html", 1280, 720},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := benchPage(b, c.page, c.w, c.h, 60)
			receive(b, p, 30) // warm up: pools, pages, caches
			b.ReportAllocs()
			b.ResetTimer()
			dirty := receive(b, p, b.N)
			b.StopTimer()
			b.ReportMetric(float64(dirty)/float64(b.N), "dirty-bytes/frame")
			st := p.Stats()
			b.ReportMetric(float64(st.FramesDropped), "dropped")
		})
	}
	// The same with a second reader (a recorder, a session) that takes
	// every frame too: the buffer is shared, each reader has its handle.
	b.Run("FullPage720pTwoReaders", func(b *testing.B) {
		p := benchPage(b, "anim.html", 1280, 720, 60)
		sub := p.SubscribeFrames()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for f := range sub.C() {
				f.Release()
			}
		}()
		receive(b, p, 30)
		b.ReportAllocs()
		b.ResetTimer()
		receive(b, p, b.N)
		b.StopTimer()
		b.ReportMetric(float64(p.Stats().FramesDropped), "dropped")
		b.ReportMetric(float64(sub.Dropped()), "dropped-2nd")
		sub.Close()
		<-done
	})
}

// TestCaptureAllocatesOneHandlePerFrame checks the steady state of the frame
// path: receiving and releasing frames of an animated page allocates only
// each frame's handle (a small *Frame header; the pixels are pooled) in the
// whole process.
func TestCaptureAllocatesOneHandlePerFrame(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's runtime allocates; see BenchmarkCapture")
	}
	// An engine of its own, without sound: audio frames are allocated for
	// their receiver, 100 a second.
	e, _ := ownEngine(t, lkbrowser.Options{NoAudio: true})
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("anim.html"), Width: 640, Height: 360, FrameRate: 60})
	timeout := time.NewTimer(time.Minute) // one timer: the loop must not allocate
	defer timeout.Stop()
	take := func(n int) {
		for i := 0; i < n; i++ {
			select {
			case f := <-p.Frames():
				f.Release()
			case <-timeout.C:
				t.Fatal("no frame")
			}
		}
	}
	take(30)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const frames = 120
	take(frames)
	runtime.ReadMemStats(&after)
	per := float64(after.Mallocs-before.Mallocs) / frames
	t.Logf("%.2f allocations per frame over %d frames", per, frames)
	// Other goroutines (the DevTools connection, timers) may allocate a
	// little now and then; the frame path itself allocates the handle only.
	if per > 1.5 {
		t.Errorf("%.2f allocations per frame, want 1 (the handle)", per)
	}
}

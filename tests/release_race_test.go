package tests

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// TestFrameReleaseRacesCloseAndResize releases frames (twice each) from
// several goroutines while the page takes snapshots, resizes and closes.
// scripts/test.sh runs it under -race: the race detector would report a
// Release that reads the X connection while Page.Close frees it. Frames held
// across Close are released afterwards, and every shared-memory segment of
// the page is gone at the end.
func TestFrameReleaseRacesCloseAndResize(t *testing.T) {
	shmBefore := countShm()
	p, err := engine.NewPage(context.Background(), lkbrowser.PageOptions{URL: url("anim.html"), Width: 640, Height: 480})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	work := make(chan *lkbrowser.Frame, 8)
	var workers sync.WaitGroup
	var mu sync.Mutex
	var held []*lkbrowser.Frame // released after Close
	for i := 0; i < 4; i++ {
		workers.Add(1)
		go func(i int) {
			defer workers.Done()
			n := 0
			for f := range work {
				n++
				if (n+i)%3 == 0 { // keep some for the Close race
					mu.Lock()
					held = append(held, f)
					mu.Unlock()
					continue
				}
				_, _, _ = f.BGRA(f.Width-1, f.Height-1)
				f.Release()
				f.Release() // a stale second Release must be a no-op
			}
		}(i)
	}
	frames := 0
	readDone := make(chan struct{})
	go func() { // the program's reader: hands frames to the workers
		defer close(readDone)
		for f := range p.Frames() {
			frames++
			work <- f
		}
	}()

	var sizers sync.WaitGroup
	sizers.Add(2)
	go func() { // resizes: pre-resize pools are released from the workers
		defer sizers.Done()
		sizes := [][2]int{{480, 360}, {640, 480}, {320, 240}, {640, 480}}
		for _, s := range sizes {
			if err := p.Resize(ctx, s[0], s[1]); err != nil {
				t.Errorf("Resize %v: %v", s, err)
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
	}()
	go func() { // snapshots: transient buffers when the pool is held
		defer sizers.Done()
		for i := 0; i < 20; i++ {
			s, err := p.Snapshot(ctx)
			if err != nil {
				t.Errorf("Snapshot: %v", err)
				return
			}
			work <- s
		}
	}()
	sizers.Wait()
	// Close while the workers still release frames, and while held frames
	// are released with no ordering against Close (sleeping is no
	// synchronisation for the race detector).
	mu.Lock()
	during := held[:len(held)/2]
	held = held[len(held)/2:]
	mu.Unlock()
	var racing sync.WaitGroup
	for i, f := range during {
		racing.Add(1)
		go func() {
			defer racing.Done()
			time.Sleep(time.Duration(i) * 200 * time.Millisecond / time.Duration(len(during)))
			f.Release()
			f.Release()
		}()
	}
	closed := make(chan error, 1)
	closeStart := time.Now()
	go func() { closed <- p.Close() }()
	var late sync.WaitGroup
	late.Add(1)
	go func() { // a Snapshot racing Close must fail cleanly or succeed
		defer late.Done()
		if s, err := p.Snapshot(ctx); err == nil {
			work <- s
		}
	}()
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	t.Logf("Close took %v; %d frames released during it", time.Since(closeStart), len(during))
	<-readDone // Frames is closed by Close
	late.Wait()
	racing.Wait()
	close(work)
	workers.Wait()
	mu.Lock()
	for _, f := range held {
		f.Release()
		f.Release()
	}
	n := len(held) + len(during)
	mu.Unlock()
	if frames < 10 || n == 0 {
		t.Errorf("%d frames read, %d held across Close; want a busy page", frames, n)
	}
	if after := countShm(); after > shmBefore {
		t.Errorf("shared-memory segments: %d before the page, %d after every frame was released", shmBefore, after)
	}
}

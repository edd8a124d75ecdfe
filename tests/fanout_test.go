package tests

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// fanoutReader reads a frame subscription, holding each frame for hold,
// and records the colours it saw at the blinking box and the background.
type fanoutReader struct {
	sub                *lkbrowser.FrameSubscription
	hold               time.Duration
	frames             int
	dropped            uint64 // sum of Frame.Dropped
	red, blue, white   bool
	held               *lkbrowser.Frame // the frame held when the run ended
	lastSeq, seqErrors uint64
}

func (r *fanoutReader) run(until time.Time) {
	for time.Now().Before(until) {
		f, ok := <-r.sub.C()
		if !ok {
			return
		}
		r.frames++
		r.dropped += f.Dropped
		if f.Seq <= r.lastSeq {
			r.seqErrors++
		}
		r.lastSeq = f.Seq
		r.red = r.red || near(f, 310, 210, rgb{255, 0, 0}, 8)
		r.blue = r.blue || near(f, 310, 210, rgb{0, 0, 255}, 8)
		r.white = r.white || near(f, 10, 10, rgb{255, 255, 255}, 8)
		time.Sleep(r.hold) // a slow reader holds its frame while it works
		if r.held != nil {
			r.held.Release()
		}
		r.held = f
	}
}

// TestTwoReadersAtDifferentSpeeds reads one blinking page through two
// subscriptions, one fast and one slow, while the default Frames reader is
// left unread: both see the page's colours, each has its own drop counter,
// a subscription closed with a frame held is fine, and every buffer comes
// back (the page keeps capturing; its shared memory is gone after Close).
func TestTwoReadersAtDifferentSpeeds(t *testing.T) {
	shmBefore := countShm()
	p, err := engine.NewPage(context.Background(), lkbrowser.PageOptions{URL: url("blink.html"), Width: 640, Height: 480, FrameRate: 30})
	if err != nil {
		t.Fatal(err)
	}
	fast := &fanoutReader{sub: p.SubscribeFrames()}
	slow := &fanoutReader{sub: p.SubscribeFrames(), hold: 250 * time.Millisecond}
	until := time.Now().Add(4 * time.Second)
	var wg sync.WaitGroup
	wg.Go(func() { fast.run(until) })
	wg.Go(func() { slow.run(until) })
	wg.Wait()

	for _, r := range []struct {
		name string
		*fanoutReader
	}{{"fast", fast}, {"slow", slow}} {
		t.Logf("%s reader: %d frames, %d dropped (counter %d); red %v blue %v white %v", r.name, r.frames, r.dropped, r.sub.Dropped(), r.red, r.blue, r.white)
		if !r.red || !r.blue || !r.white {
			t.Errorf("%s reader did not see the page's colours: red %v blue %v white %v", r.name, r.red, r.blue, r.white)
		}
		if r.seqErrors > 0 {
			t.Errorf("%s reader: %d frames out of order", r.name, r.seqErrors)
		}
		// Frames may still be replaced in the queue after the run ended.
		if r.sub.Dropped() < r.dropped {
			t.Errorf("%s reader: frames report %d dropped, the counter %d", r.name, r.dropped, r.sub.Dropped())
		}
	}
	if slow.frames > 20 || slow.dropped < 30 {
		t.Errorf("slow reader took %d frames and dropped %d: want at most ~16 taken and most dropped", slow.frames, slow.dropped)
	}
	if fast.frames < 2*slow.frames || fast.sub.Dropped() >= slow.sub.Dropped() {
		t.Errorf("the fast reader's frames (%d, %d dropped) follow the slow one's (%d, %d dropped)", fast.frames, fast.sub.Dropped(), slow.frames, slow.sub.Dropped())
	}
	if st := p.Stats(); st.FramesCaptured < uint64(fast.frames) {
		t.Errorf("Stats %+v: fewer captured than the fast reader took (%d)", st, fast.frames)
	}

	// Close with a frame held; release it afterwards.
	slow.sub.Close()
	slow.held.Release()
	fast.held.Release()
	fast.sub.Close()
	// Every buffer came back: a new reader gets frames at the page's rate.
	again := p.SubscribeFrames()
	n := 0
	deadline := time.After(3 * time.Second)
count:
	for {
		select {
		case f := <-again.C():
			f.Release()
			n++
		case <-deadline:
			break count
		}
	}
	again.Close()
	if n < 30 {
		t.Errorf("a new reader got %d frames in 3 s after the others closed, want >= 30 (buffers lost?)", n)
	}
	var held *lkbrowser.Frame // the default reader's waiting frame, held across Close
	select {
	case held = <-p.Frames():
	case <-time.After(5 * time.Second):
		t.Fatal("the unread default reader holds no frame")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-again.C(); open {
		t.Error("a closed subscription's channel is open")
	}
	held.Release()
	if n := countShm(); n != shmBefore {
		t.Errorf("shared-memory segments: %d before the page, %d after Close", shmBefore, n)
	}
}

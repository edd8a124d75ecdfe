package lkbrowser

import (
	"sync"
	"testing"
	"time"
)

// unitSeqEvent is an event numbered in emission order.
type unitSeqEvent struct {
	EventTime
	n int
}

// eventQueue is one events reader of a page's event fan-out, as
// Page.SubscribeEvents makes it, with the page's emit and close.
type eventQueue struct {
	hub *fanout[Event]
	*readerQueue[Event]
}

func newEventQueue() *eventQueue {
	hub := &fanout[Event]{size: eventQueueSize}
	return &eventQueue{hub, hub.subscribe()}
}

func (q *eventQueue) emit(ev Event) { q.hub.emit(ev) }

func (q *eventQueue) close(last Event) { q.hub.end(&last, nil) }

func unitClosed() *Closed { return &Closed{EventTime{time.Now()}} }

// unitClose calls q.close(last), failing the test if it blocks.
func unitClose(t *testing.T, q *eventQueue, last Event) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		q.close(last)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("close blocked")
	}
}

func TestUnitEventQueueNeverBlocks(t *testing.T) {
	q := newEventQueue()
	if cap(q.ch) != 256 {
		t.Fatalf("queue holds %d events, documented 256", cap(q.ch))
	}
	start := time.Now()
	for i := 0; i < 256+10; i++ {
		q.emit(&unitSeqEvent{n: i})
	}
	if d := time.Since(start); d > 10*time.Millisecond {
		t.Errorf("266 emits into a queue without a reader took %v; emit must not block", d)
	}
	if got := q.dropped.Load(); got != 10 {
		t.Errorf("dropped = %d, want 10", got)
	}
	if len(q.ch) != 256 {
		t.Errorf("queue holds %d events, want 256", len(q.ch))
	}
	// The first 256 were kept, in order; the 10 newest were dropped.
	for i := 0; i < 256; i++ {
		ev := (<-q.ch).(*unitSeqEvent)
		if ev.n != i {
			t.Fatalf("event %d is #%d", i, ev.n)
		}
	}
}

func TestUnitEventQueueCloseWhenFull(t *testing.T) {
	q := newEventQueue()
	for i := 0; i < 256+10; i++ {
		q.emit(&unitSeqEvent{n: i})
	}
	last := unitClosed()
	unitClose(t, q, last)
	// close dropped the oldest event to make room for last.
	if got := q.dropped.Load(); got != 11 {
		t.Errorf("dropped = %d, want 11 (10 emits + the oldest for Closed)", got)
	}
	var got []Event
	for ev := range q.ch { // ends only if the channel is closed
		got = append(got, ev)
	}
	if len(got) != 256 {
		t.Fatalf("received %d events, want 256", len(got))
	}
	for i, ev := range got[:255] {
		s, ok := ev.(*unitSeqEvent)
		if !ok || s.n != i+1 {
			t.Fatalf("event %d = %#v, want #%d", i, ev, i+1)
		}
	}
	if got[255] != Event(last) {
		t.Errorf("final event = %#v, want the Closed event", got[255])
	}
}

func TestUnitEventQueueCloseOnce(t *testing.T) {
	tests := []struct {
		name    string
		pending int
	}{
		{"empty", 0},
		{"some", 3},
		{"full", 256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newEventQueue()
			for i := 0; i < tt.pending; i++ {
				q.emit(&unitSeqEvent{n: i})
			}
			last := unitClosed()
			unitClose(t, q, last)
			// Later calls are no-ops: no panic (double close of a channel
			// would panic), no extra events, no drops counted.
			dropped := q.dropped.Load()
			unitClose(t, q, unitClosed())
			q.emit(&unitSeqEvent{n: -1})
			unitClose(t, q, unitClosed())
			if q.dropped.Load() != dropped {
				t.Errorf("dropped changed after close: %d -> %d", dropped, q.dropped.Load())
			}
			var got []Event
			for ev := range q.ch {
				got = append(got, ev)
			}
			wantN := min(tt.pending+1, 256)
			if len(got) != wantN {
				t.Fatalf("received %d events, want %d", len(got), wantN)
			}
			if got[len(got)-1] != Event(last) {
				t.Errorf("final event %#v is not the first close's event", got[len(got)-1])
			}
			for _, ev := range got[:len(got)-1] {
				if _, ok := ev.(*unitSeqEvent); !ok {
					t.Errorf("unexpected event %#v before Closed", ev)
				}
			}
		})
	}
}

// TestUnitEventQueueConcurrent emits from 8 goroutines while a reader drains,
// then closes: every emitted event is either received or counted as dropped,
// and Closed is the last one. Run with -race.
func TestUnitEventQueueConcurrent(t *testing.T) {
	const producers, each = 8, 2000
	q := newEventQueue()
	received := make(chan []Event)
	go func() {
		var got []Event
		for ev := range q.ch {
			got = append(got, ev)
		}
		received <- got
	}()
	var wg sync.WaitGroup
	for g := 0; g < producers; g++ {
		wg.Go(func() {
			for i := 0; i < each; i++ {
				q.emit(&unitSeqEvent{n: g*each + i})
			}
		})
	}
	wg.Wait()
	last := unitClosed()
	unitClose(t, q, last)
	var got []Event
	select {
	case got = <-received:
	case <-time.After(5 * time.Second):
		t.Fatal("the Events channel was not closed")
	}
	if len(got) == 0 || got[len(got)-1] != Event(last) {
		t.Fatalf("Closed is not the final event")
	}
	seen := make(map[int]bool)
	for _, ev := range got[:len(got)-1] {
		s := ev.(*unitSeqEvent)
		if seen[s.n] {
			t.Fatalf("event #%d delivered twice", s.n)
		}
		seen[s.n] = true
	}
	if n := uint64(len(got)-1) + q.dropped.Load(); n != producers*each {
		t.Errorf("received %d + dropped %d = %d, want %d", len(got)-1, q.dropped.Load(), n, producers*each)
	}
}

// TestUnitEventQueueCloseDuringEmit closes while producers still emit: no
// panic (send on closed channel), and nothing arrives after Closed.
func TestUnitEventQueueCloseDuringEmit(t *testing.T) {
	for round := 0; round < 20; round++ {
		q := newEventQueue()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Go(func() {
				<-start
				for i := 0; i < 500; i++ {
					q.emit(&unitSeqEvent{n: i})
				}
			})
		}
		last := unitClosed()
		wg.Go(func() {
			<-start
			time.Sleep(time.Duration(round) * 20 * time.Microsecond)
			q.close(last)
		})
		close(start)
		var got []Event
		for ev := range q.ch {
			got = append(got, ev)
		}
		wg.Wait()
		if len(got) == 0 || got[len(got)-1] != Event(last) {
			t.Fatalf("round %d: Closed is not the final event", round)
		}
		if n := uint64(len(got) - 1); n+q.dropped.Load() > 8*500 {
			t.Fatalf("round %d: received %d + dropped %d > emitted", round, n, q.dropped.Load())
		}
	}
}

package lksession

import (
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

func TestDelayLine(t *testing.T) {
	d := delayLine{delay: 50 * time.Millisecond}
	t0 := time.Unix(1000, 0)
	if _, ok := d.next(); ok || d.pop(t0) != nil {
		t.Fatal("an empty line has a frame")
	}
	frames := make([]*lkbrowser.AudioFrame, 8)
	for i := range frames {
		frames[i] = &lkbrowser.AudioFrame{Seq: uint64(i + 1)}
		d.push(frames[i], t0.Add(time.Duration(i)*10*time.Millisecond))
	}
	if due, _ := d.next(); !due.Equal(t0.Add(50 * time.Millisecond)) {
		t.Fatalf("first due %v, want 50 ms after it came", due.Sub(t0))
	}
	if f := d.pop(t0.Add(49 * time.Millisecond)); f != nil {
		t.Fatalf("frame %d left early", f.Seq)
	}
	// At +75 ms the frames that came at 0, 10 and 20 ms are due, in order.
	now := t0.Add(75 * time.Millisecond)
	var got []uint64
	for f := d.pop(now); f != nil; f = d.pop(now) {
		got = append(got, f.Seq)
	}
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("released %v at +75 ms, want [1 2 3]", got)
	}
	for f := d.pop(t0.Add(time.Second)); f != nil; f = d.pop(t0.Add(time.Second)) {
		got = append(got, f.Seq)
	}
	if len(got) != 8 || got[7] != 8 {
		t.Fatalf("released %v, want all 8 in order", got)
	}
	if _, ok := d.next(); ok {
		t.Fatal("drained line still has a frame")
	}
	// A steady stream reuses one backing array.
	allocs := testing.AllocsPerRun(100, func() {
		d.push(frames[0], t0)
		d.pop(t0.Add(time.Second))
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame, want 0", allocs)
	}
}

package lksession

import (
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// delayLine holds audio frames for a fixed time after they arrive
// (Options.AudioDelay). It belongs to the audio goroutine.
type delayLine struct {
	delay time.Duration
	queue []delayedFrame // in arrival order
}

type delayedFrame struct {
	f   *lkbrowser.AudioFrame
	due time.Time
}

// push takes a frame that arrived at now.
func (d *delayLine) push(f *lkbrowser.AudioFrame, now time.Time) {
	d.queue = append(d.queue, delayedFrame{f, now.Add(d.delay)})
}

// pop returns the oldest frame if it is due at now, else nil.
func (d *delayLine) pop(now time.Time) *lkbrowser.AudioFrame {
	if len(d.queue) == 0 || d.queue[0].due.After(now) {
		return nil
	}
	f := d.queue[0].f
	// Shift rather than reslice: the queue is short (AudioDelay / 10 ms)
	// and this keeps one backing array for the session.
	n := copy(d.queue, d.queue[1:])
	d.queue[n] = delayedFrame{}
	d.queue = d.queue[:n]
	return f
}

// next returns when the oldest frame is due; ok is false when none waits.
func (d *delayLine) next() (due time.Time, ok bool) {
	if len(d.queue) == 0 {
		return time.Time{}, false
	}
	return d.queue[0].due, true
}

// Package glassbench measures glass-to-subscriber latency: the time from a
// page drawing a frame to a subscriber in the LiveKit room decoding it. The
// page draws Date.now() as a strip on every animation frame (package
// internal/testing/stamp); a subscriber (internal/testing/roomtest) hands each decoded
// picture to a Recorder, which reads the strip and takes the subscriber's
// clock, the same host clock. A Window then gives the latencies of the
// frames decoded in a span of time.
//
// It also names the processes of a published page for CPU accounting
// (Group). tests/room's BenchmarkGlassToSubscriber and bench/cmd/lkbench use it.
package glassbench

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// Frame is one picture decoded by the subscriber.
type Frame struct {
	At    time.Time     // decoded
	Held  time.Duration // in the subscriber's jitter buffer, once complete
	Stamp int64         // ms since the epoch; 0 when the stamp did not read
}

// misread is how far from the decode time a stamp may be before it is
// taken for a misread that passed the check.
const misread = 60_000 // ms

// Recorder collects the frames a subscriber decodes. Its OnFrame is the
// subscriber's hook (roomtest.JoinWith); the other methods may be called
// from any goroutine.
type Recorder struct {
	mu      sync.Mutex
	frames  []Frame
	stamped bool
	first   chan struct{}
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{first: make(chan struct{})} }

// OnFrame reads the stamp of a decoded picture and records it with the
// time it was decoded and how long the jitter buffer held it.
func (r *Recorder) OnFrame(img *yuv.I420, at time.Time, held time.Duration) {
	ms, ok := roomtest.DecodeStamp(img)
	if d := at.UnixMilli() - ms; !ok || d < -misread || d > misread {
		ms = 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if ms != 0 && !r.stamped {
		r.stamped = true
		close(r.first)
	}
	r.frames = append(r.frames, Frame{At: at, Held: held, Stamp: ms})
}

// FirstStamp is closed when the first frame with a readable stamp arrives.
func (r *Recorder) FirstStamp() <-chan struct{} { return r.first }

// Len returns the number of frames decoded so far.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

// Window is what the subscriber decoded between two instants.
type Window struct {
	// Latency is, for each frame with a new stamp decoded in the window,
	// the decode time less the stamp, in ms, sorted.
	Latency []float64
	// NoHold is Latency less the time the subscriber's jitter buffer held
	// each frame once complete (pion's samplebuilder releases a frame only
	// when a packet of the next one arrives, which a browser does not
	// wait for), sorted.
	NoHold []float64
	// Held is that hold per frame, in ms, sorted.
	Held []float64
	// Repeated counts frames whose stamp was not newer than the last one
	// (the page did not draw between them: a repeat or a keyframe);
	// Unreadable those whose stamp did not read.
	Repeated, Unreadable int
	// Seconds is the window's length.
	Seconds float64
}

// Window returns the frames decoded from t0 to t1.
func (r *Recorder) Window(t0, t1 time.Time) Window {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := Window{Seconds: t1.Sub(t0).Seconds()}
	var last int64
	for _, f := range r.frames {
		in := !f.At.Before(t0) && !f.At.After(t1)
		if f.Stamp != 0 && f.Stamp <= last {
			if in {
				w.Repeated++
			}
			continue
		}
		if f.Stamp != 0 {
			last = f.Stamp
		}
		if !in {
			continue
		}
		if f.Stamp == 0 {
			w.Unreadable++
			continue
		}
		l := float64(f.At.UnixMicro())/1e3 - float64(f.Stamp)
		h := f.Held.Seconds() * 1e3
		w.Latency, w.NoHold, w.Held = append(w.Latency, l), append(w.NoHold, l-h), append(w.Held, h)
	}
	slices.Sort(w.Latency)
	slices.Sort(w.NoHold)
	slices.Sort(w.Held)
	return w
}

// FPS returns the frames with a new stamp decoded per second.
func (w Window) FPS() float64 {
	if w.Seconds <= 0 {
		return 0
	}
	return float64(len(w.Latency)) / w.Seconds
}

// Percentile returns the nearest-rank p-quantile (0 < p <= 1) of sorted,
// or NaN when it is empty.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

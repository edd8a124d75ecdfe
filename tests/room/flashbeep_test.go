package room

import (
	"slices"
	"sync"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// flashBeepTrack is what a subscriber saw of a 640x360 page that flashes
// white in its top-right corner with a beep at the same instant: frame
// stalls, and when flashes and beeps arrived.
type flashBeepTrack struct {
	mu             sync.Mutex
	lastFrame      time.Time
	frames         int
	maxGap         time.Duration
	maxGapAt       time.Time
	white          bool
	flashes, beeps []time.Time
	lastLoud       time.Time
}

func (s *flashBeepTrack) onFrame(img *yuv.I420, decoded time.Time, held time.Duration) {
	if img.Width != 640 || img.Height != 360 {
		return // not the page (the SDK's placeholder before the first frame)
	}
	r, g, b := roomtest.RGB(img, img.Width-60, 60)
	// A browser shows a frame when its last packet is in; the test's
	// sample builder holds it until the next frame begins.
	at := decoded.Add(-held)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lastFrame.IsZero() {
		if gap := at.Sub(s.lastFrame); gap > s.maxGap {
			s.maxGap, s.maxGapAt = gap, at
		}
	}
	s.lastFrame = at
	s.frames++
	white := r > 200 && g > 200 && b > 200
	if white && !s.white {
		s.flashes = append(s.flashes, at)
	}
	s.white = white
}

func (s *flashBeepTrack) onAudio(left []int16, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, v := range left {
		if v > 3000 || v < -3000 {
			// The chunk was decoded at "at"; its sample i played earlier.
			t := at.Add(-time.Duration(len(left)-i) * time.Second / 48000)
			if t.Sub(s.lastLoud) > 300*time.Millisecond {
				s.beeps = append(s.beeps, t)
			}
			s.lastLoud = t
		}
	}
}

// offsets pairs each flash with the nearest beep and returns beep - flash.
func (s *flashBeepTrack) offsets() []time.Duration {
	var d []time.Duration
	for _, f := range s.flashes {
		best := time.Hour
		for _, b := range s.beeps {
			if o := b.Sub(f); o.Abs() < best.Abs() {
				best = o
			}
		}
		if best.Abs() < 500*time.Millisecond {
			d = append(d, best)
		}
	}
	return d
}

func medianDur(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

package glassbench

import (
	"math"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// stamped is a picture whose luma carries the time stamp ms (stamp.html's
// strip); ms 0 leaves it blank, which reads as no stamp.
func stamped(ms int64) *yuv.I420 {
	img := yuv.NewI420(stamp.Width, stamp.Height)
	if ms == 0 {
		return img
	}
	for i, b := range stamp.Pattern(ms) {
		lum := byte(16)
		if b {
			lum = 235
		}
		for y := range stamp.Cell {
			for x := i * stamp.Cell; x < (i+1)*stamp.Cell; x++ {
				img.Y[y*img.StrideY+x] = lum
			}
		}
	}
	return img
}

// The window counts the frames decoded in it with a new stamp, their
// latency with and without the hold, and tells repeats and unreadable
// frames apart; frames outside it only set the last stamp seen.
func TestWindow(t *testing.T) {
	r := NewRecorder()
	select {
	case <-r.FirstStamp():
		t.Fatal("first stamp before any frame")
	default:
	}
	base := time.UnixMilli(1_700_000_000_000)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	stampAt := func(ms int) int64 { return base.UnixMilli() + int64(ms) }
	r.OnFrame(stamped(stampAt(-100)), at(-40), 0)                 // before the window
	r.OnFrame(stamped(stampAt(-10)), at(40), 10*time.Millisecond) // 50 ms, held 10
	r.OnFrame(stamped(stampAt(-10)), at(70), 0)                   // repeat
	r.OnFrame(stamped(0), at(80), 0)                              // unreadable
	r.OnFrame(stamped(stampAt(40)), at(110), 30*time.Millisecond) // 70 ms, held 30
	r.OnFrame(stamped(stampAt(100)), at(230), 0)                  // 130 ms
	r.OnFrame(stamped(stampAt(900)), at(1100), 0)                 // after the window
	select {
	case <-r.FirstStamp():
	default:
		t.Fatal("no first stamp")
	}
	if r.Len() != 7 {
		t.Fatalf("%d frames recorded", r.Len())
	}
	w := r.Window(at(0), at(1000))
	if len(w.Latency) != 3 || w.Latency[0] != 50 || w.Latency[1] != 70 || w.Latency[2] != 130 {
		t.Errorf("latency %v, want [50 70 130]", w.Latency)
	}
	if len(w.NoHold) != 3 || w.NoHold[0] != 40 || w.NoHold[1] != 40 || w.NoHold[2] != 130 {
		t.Errorf("less the hold %v, want [40 40 130]", w.NoHold)
	}
	if w.Repeated != 1 || w.Unreadable != 1 {
		t.Errorf("%d repeated, %d unreadable; want 1, 1", w.Repeated, w.Unreadable)
	}
	if w.FPS() != 3 || w.Seconds != 1 {
		t.Errorf("%v fps over %v s, want 3 over 1", w.FPS(), w.Seconds)
	}
	// A stamp a day off the decode time is a misread.
	r.OnFrame(stamped(stampAt(86_400_000)), at(1200), 0)
	if w := r.Window(at(1150), at(1300)); len(w.Latency) != 0 || w.Unreadable != 1 {
		t.Errorf("a stamp a day off: %+v", w)
	}
}

func TestPercentileAndGroup(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ p, want float64 }{{0.5, 5}, {0.95, 10}, {0.1, 1}, {1, 10}} {
		if got := Percentile(v, c.p); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 0.5)) {
		t.Error("the percentile of nothing is a number")
	}
	for comm, want := range map[string]string{
		"lkbrowser": GroupCLI, "chromium": GroupChrome, "chrome": GroupChrome, "Xvfb": GroupXvfb,
		"pulseaudio": GroupPulse, "gst-launch-1.0": GroupGst, "sh": GroupOther,
	} {
		if got := Group(comm); got != want {
			t.Errorf("Group(%q) = %q, want %q", comm, got, want)
		}
	}
}

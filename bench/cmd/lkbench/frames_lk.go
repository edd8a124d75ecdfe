package main

import (
	"context"
	"fmt"
	"image"
	"time"
	"unsafe"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
)

// lkFrame is what the harness keeps of one frame lkbrowser delivered.
type lkFrame struct {
	at      time.Time     // received and its stamp read
	capture time.Duration // from the capture of its pixels (Frame.Timestamp) to at
	stamp   int64         // ms; 0 when the stamp did not read
	dirty   int           // pixels in the dirty rectangles
	rows    int           // rows the capture grabbed into this frame's buffer
	dropped uint64
}

// measureLK opens url at w x h (60 fps) on eng, takes frames for warm-up
// and then for the window, and measures them: every frame is received,
// its stamp read from the BGRA pixels and released at once.
func measureLK(ctx context.Context, b *bench, eng *lkbrowser.Engine, url, page string, w, h int, warm, window time.Duration) (frameRun, error) {
	run := frameRun{system: sysLK, page: page, w: w, h: h}
	p, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: url, Width: w, Height: h, FrameRate: 60})
	if err != nil {
		return run, err
	}
	defer p.Close()
	// One record per frame, made without allocating: the slice has room
	// for every frame of the run.
	recs := make([]lkFrame, 0, int((warm+window).Seconds()*60*2)+600)
	rows := newBandTracker(h)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range p.Frames() {
			ms, ok := stamp.DecodeBGRA(f.Pix, f.Stride, f.Width, f.Height)
			at := time.Now()
			if !ok {
				ms = 0
			}
			r := lkFrame{at: at, capture: at.Sub(f.Timestamp), stamp: ms, dropped: f.Dropped}
			for _, d := range f.Dirty {
				r.dirty += d.Dx() * d.Dy()
			}
			r.rows = rows.frame(unsafe.SliceData(f.Pix), f.Dirty)
			f.Release()
			if len(recs) < cap(recs) {
				recs = append(recs, r)
			}
		}
	}()
	procs := p.Processes()
	trees := map[string]int{treeBrowser: procs.Browser, treeXvfb: procs.Display}
	if err := waitFor(ctx, warm); err != nil {
		return run, err
	}
	s0 := sampleCPU(trees)
	if err := waitFor(ctx, window); err != nil {
		return run, err
	}
	s1 := sampleCPU(trees)
	st := p.Stats()
	if err := p.Close(); err != nil {
		b.log.Warn("page close", "err", err)
	}
	<-done
	run.cpu = cpuBetween(s0, s1)
	run.dropped = st.FramesDropped
	var dirty, copied float64
	last := int64(0)
	for _, r := range recs {
		if r.at.Before(s0.at) || r.at.After(s1.at) {
			if r.stamp > last {
				last = r.stamp
			}
			continue
		}
		run.frames++
		dirty += float64(r.dirty * 4)
		copied += float64(r.rows * w * 4)
		switch {
		case r.stamp == 0:
			run.bad++
		case r.stamp <= last:
			run.repeated++
		default:
			last = r.stamp
			run.lat = append(run.lat, float64(r.at.UnixMicro())/1e3-float64(r.stamp))
			run.inLK = append(run.inLK, r.capture.Seconds()*1e3)
		}
	}
	if run.frames == 0 {
		return run, fmt.Errorf("lkbrowser %dx%d %s: no frame in the %v window", w, h, page, window)
	}
	run.dirtyBytes = dirty / float64(run.frames)
	run.copiedBytes = copied / float64(run.frames)
	return run, nil
}

// bandTracker works out which rows the capture grabbed for each frame: a
// frame's buffer is refreshed with the full-width band of rows that
// changed since that buffer was last filled (capture.go, refresh), that is
// the rows of the dirty rectangles of every frame delivered since the
// buffer last came by. A buffer seen for the first time was filled whole.
// (A frame dropped before delivery also refreshed its buffer; its rows are
// then counted again when the buffer next comes by: an overestimate.)
type bandTracker struct {
	h     int
	bands [][2]int      // per delivered frame: the rows of its dirty rectangles
	last  map[*byte]int // buffer -> index of its last frame in bands
}

func newBandTracker(h int) *bandTracker {
	return &bandTracker{h: h, bands: make([][2]int, 0, 8192), last: map[*byte]int{}}
}

// frame records a frame in buffer buf with these dirty rectangles and
// returns the rows grabbed into it.
func (t *bandTracker) frame(buf *byte, dirty []image.Rectangle) int {
	y0, y1 := t.h, 0
	for _, d := range dirty {
		y0, y1 = min(y0, d.Min.Y), max(y1, d.Max.Y)
	}
	t.bands = append(t.bands, [2]int{y0, y1})
	i := len(t.bands) - 1
	prev, seen := t.last[buf]
	t.last[buf] = i
	if !seen {
		return t.h
	}
	lo, hi := t.h, 0
	for _, b := range t.bands[prev+1:] {
		lo, hi = min(lo, b[0]), max(hi, b[1])
	}
	return max(hi-lo, 0)
}

// waitFor sleeps for d or until ctx ends.
func waitFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

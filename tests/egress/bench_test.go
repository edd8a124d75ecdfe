package egress

import (
	"context"
	"fmt"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// BenchmarkEgressPageLoad loads a page with 50 subresources (no cache)
// from the loopback page server, alternately on a page without a policy
// and on one with BlockPrivate (its loads through the proxy), and reports
// the median load time of each (Navigation Timing loadEventEnd) and their
// ratio.
func BenchmarkEgressPageLoad(b *testing.B) {
	off := testsupport.OpenPage(b, openEng, lkbrowser.PageOptions{Width: 640, Height: 360})
	on := testsupport.OpenPage(b, engine, lkbrowser.PageOptions{Width: 640, Height: 360})
	var times [2][]float64
	load := func(p *lkbrowser.Page, i int) float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Navigate(ctx, pages.url(fmt.Sprintf("/bench50.html?%d", i))); err != nil {
			b.Fatal(err)
		}
		for {
			raw, err := p.Eval(ctx, `(() => { const n = performance.getEntriesByType("navigation")[0]; return n && n.loadEventEnd > 0 ? n.loadEventEnd - n.startTime : 0; })()`)
			if err != nil {
				b.Fatal(err)
			}
			var ms float64
			fmt.Sscan(string(raw), &ms)
			if ms > 0 {
				return ms
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i := range 3 { // warm both
		load(off, -1-2*i)
		load(on, -2-2*i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ps := []*lkbrowser.Page{off, on}
		if i%2 == 1 {
			ps = []*lkbrowser.Page{on, off}
		}
		for _, p := range ps {
			k := 0
			if p == on {
				k = 1
			}
			times[k] = append(times[k], load(p, 2*i+k))
		}
	}
	b.StopTimer()
	mOff, mOn := median(times[0]), median(times[1])
	b.ReportMetric(mOff, "off-ms/load")
	b.ReportMetric(mOn, "on-ms/load")
	b.ReportMetric(100*(mOn-mOff)/mOff, "%slower")
	if refused := on.Stats().EgressRefused; refused != 0 {
		b.Errorf("%d loads refused", refused)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// BenchmarkEgressFramesPerCPUSecond runs a full-page animation for 5 s per
// iteration on a page without a policy and on one with BlockPrivate, and
// reports frames received per CPU second (the page's Chromium and Xvfb
// trees plus this process, which captures and runs the proxy).
func BenchmarkEgressFramesPerCPUSecond(b *testing.B) {
	for _, c := range []struct {
		name string
		e    *lkbrowser.Engine
	}{{"off", openEng}, {"on", engine}} {
		b.Run(c.name, func(b *testing.B) {
			p := testsupport.OpenPage(b, c.e, lkbrowser.PageOptions{URL: pages.url("/anim.html"), Width: 1280, Height: 720, FrameRate: 30})
			time.Sleep(time.Second)
			drainFrames(p, 500*time.Millisecond)
			var frames int
			var cpu float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c0 := cpuOf(p)
				frames += drainFrames(p, 5*time.Second)
				cpu += cpuOf(p) - c0
			}
			b.StopTimer()
			b.ReportMetric(float64(frames)/cpu, "frames/CPU-s")
			b.ReportMetric(float64(frames)/(5*float64(b.N)), "frames/s")
		})
	}
}

// drainFrames receives and releases p's frames for d; it returns how many.
func drainFrames(p *lkbrowser.Page, d time.Duration) int {
	end := time.After(d)
	n := 0
	for {
		select {
		case f := <-p.Frames():
			f.Release()
			n++
		case <-end:
			return n
		}
	}
}

// cpuOf returns the CPU seconds used so far by p's processes and this one.
func cpuOf(p *lkbrowser.Page) float64 {
	t := cpustat.Read()
	pr := p.Processes()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return t.TreeSeconds(pr.Browser) + t.TreeSeconds(pr.Display) + self
}

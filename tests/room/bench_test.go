package room

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
	"github.com/lkbrowser/lkbrowser/internal/testing/glassbench"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
)

// Durations of BenchmarkGlassToSubscriber: the warm-up after the first
// stamped frame reached the subscriber, and the measured window.
const (
	glassWarmUp = 3 * time.Second
	glassWindow = 10 * time.Second
)

// BenchmarkGlassToSubscriber publishes testdata/stamp.html with the real
// CLI (`lkbrowser publish` in a subprocess, as a user runs it) into the
// test server and measures, at a subscriber in the room, the time from the
// page drawing a frame to that frame being decoded: the page draws
// Date.now() as a binary strip on every animation frame, the subscriber
// decodes the VP8 track with libvpx, reads the strip from the luma
// (roomtest.DecodeStamp) and takes its own clock (the same host clock) at
// decode. This takes in the page's paint, Xvfb, capture, colour
// conversion, VP8 encode, the SDK's packetizer and pacing, livekit-server,
// the subscriber's jitter buffer (roomtest's samplebuilder, which releases
// a frame on the first packet of the next one) and the decode.
//
// Each size is measured once over a fixed window, whatever b.N (run with
// -benchtime 1x); nothing is asserted about timing. Metrics:
//
//	p50-ms, p95-ms, max-ms  latency of the frames decoded in the window
//	hold-p50-ms             how long the subscriber's samplebuilder held a
//	                        complete frame (waiting for the next packet)
//	nohold-p50-ms, -p95-ms  the latency less that hold: what a subscriber
//	                        that decodes a frame once complete (a browser)
//	                        would see
//	fps                     frames with a new stamp decoded per second
//	bad-stamps              decoded frames whose stamp did not read
//	cpu-cores               CPU of the CLI and all its descendants
//	                        (Chromium's processes, Xvfb, PulseAudio)
//	cli-, chrome-, xvfb-, pulse-cpu-cores  the same by process
//	lk-cpu-cores            livekit-server
//	sub-cpu-cores           this test process (the subscriber's decode)
//	host-cpu-cores          the whole machine, from /proc/stat
//	rest-cpu-cores          host-cpu-cores less all of the above
func BenchmarkGlassToSubscriber(b *testing.B) {
	cliBinary(b) // built before the timings
	for _, c := range []struct {
		name string
		w, h int
	}{{"720p30", 1280, 720}, {"1080p30", 1920, 1080}} {
		b.Run(c.name, func(b *testing.B) { glassMeasure(b, c.w, c.h) })
	}
}

func glassMeasure(b *testing.B, w, h int) {
	room := "bench-glass-" + strconv.Itoa(h)
	rec := glassbench.NewRecorder()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	sub, err := roomtest.JoinWith(ctx, lk.URL(), lk.APIKey(), lk.APISecret(), room, "glass", rec.OnFrame)
	cancel()
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()

	url := fmt.Sprintf("%s/stamp.html?w=%d&h=%d", web.URL, w, h)
	cli := startCLI(b, []string{"LIVEKIT_API_SECRET=" + lk.APISecret()},
		"publish", "--livekit-url", lk.URL(), "--api-key", lk.APIKey(), "--room", room,
		"--viewer-addr", "off", "--width", strconv.Itoa(w), "--height", strconv.Itoa(h), "--fps", "30", url)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if code := cli.interrupt(30 * time.Second); code != 0 {
				b.Errorf("lkbrowser publish exit %d after SIGINT\nstderr: %s", code, cli.errors())
			}
		})
	}
	defer stop()

	select {
	case <-rec.FirstStamp():
	case <-cli.done:
		b.Fatalf("lkbrowser publish exited before a stamped frame arrived: %v\nstderr: %s", cli.cmd.ProcessState, cli.errors())
	case <-time.After(90 * time.Second):
		b.Fatalf("no stamped frame within 90 s (%d frames decoded)\nstderr: %s", rec.Len(), cli.errors())
	}
	time.Sleep(glassWarmUp)

	lkPid := glassChildPid(lk.Dir())
	cpu0, host0 := glassCPU(cli.cmd.Process.Pid, lkPid), cpustat.HostTicks()
	t0 := time.Now()
	time.Sleep(glassWindow)
	cpu1, host1 := glassCPU(cli.cmd.Process.Pid, lkPid), cpustat.HostTicks()
	t1 := time.Now()
	stop()

	win := rec.Window(t0, t1)
	lat := win.Latency
	if len(lat) == 0 {
		b.Fatalf("no stamp decoded in the %v window (%d frames without a readable stamp)", glassWindow, win.Unreadable)
	}
	secs := win.Seconds
	pct := glassbench.Percentile
	cores := func(ticks float64) float64 { return ticks / cpustat.ClockTicks / secs }
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.95), "p95-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
	b.ReportMetric(pct(win.NoHold, 0.50), "nohold-p50-ms")
	b.ReportMetric(pct(win.NoHold, 0.95), "nohold-p95-ms")
	b.ReportMetric(pct(win.Held, 0.50), "hold-p50-ms")
	b.ReportMetric(win.FPS(), "fps")
	b.ReportMetric(float64(win.Unreadable), "bad-stamps")
	total := 0.0
	for _, g := range glassbench.Groups {
		if g == glassbench.GroupGst {
			continue // the GStreamer baseline's; not run here
		}
		d := cpu1.byGroup[g] - cpu0.byGroup[g]
		total += d
		b.ReportMetric(cores(d), g+"-cpu-cores")
	}
	b.ReportMetric(cores(total), "cpu-cores")
	if lkPid > 0 {
		b.ReportMetric(cores(cpu1.lk-cpu0.lk), "lk-cpu-cores")
	}
	b.ReportMetric(cores(cpu1.self-cpu0.self), "sub-cpu-cores")
	b.ReportMetric(cores(host1-host0), "host-cpu-cores")
	// What else ran on the machine meanwhile (this test's idle browser,
	// other users): a disturbed run shows here.
	b.ReportMetric(max(cores(host1-host0-total-(cpu1.lk-cpu0.lk)-(cpu1.self-cpu0.self)), 0), "rest-cpu-cores")
	b.Logf("%dx%d: %d frames with a new stamp in %.1f s (%d repeated, %d unreadable); latency ms min %.1f p50 %.1f p95 %.1f p99 %.1f max %.1f; "+
		"held in the jitter buffer ms p50 %.1f p95 %.1f; publisher tree at the end: %s",
		w, h, len(lat), secs, win.Repeated, win.Unreadable, lat[0], pct(lat, 0.5), pct(lat, 0.95), pct(lat, 0.99), lat[len(lat)-1],
		pct(win.Held, 0.5), pct(win.Held, 0.95), cpu1.procs)
	if lkPid <= 0 {
		b.Log("livekit-server's process not found: its CPU is not reported")
	}
}

// glassSample is one reading of the CPU used so far, in clock ticks.
type glassSample struct {
	byGroup map[string]float64 // the publisher's process tree by glassbench.Group
	lk      float64            // livekit-server and its descendants
	self    float64            // this process
	procs   string             // the publisher's tree, for the log
}

// glassCPU reads the CPU used so far by root and all its descendants (found
// by walking the ppid links of every process in /proc, so that Chromium's
// processes count however they were started), by lkPid and its
// descendants, and by this process.
func glassCPU(root, lkPid int) glassSample {
	procs := cpustat.Read()
	s := glassSample{byGroup: map[string]float64{}}
	count := map[string]int{}
	for _, p := range procs.Tree(root) {
		s.byGroup[glassbench.Group(p.Command)] += p.CPUTicks
		count[p.Command]++
	}
	var names []string
	for c, n := range count {
		names = append(names, fmt.Sprintf("%s x%d", c, n))
	}
	slices.Sort(names)
	s.procs = strings.Join(names, ", ")
	if lkPid > 0 {
		s.lk = procs.TreeTicks(lkPid)
	}
	if p, ok := proc.Stat(os.Getpid()); ok {
		s.self = p.CPUTicks
	}
	return s
}

// glassChildPid returns the pid of the child of this process whose command
// line mentions dir (livekit-server runs with its config file in
// lk.Dir()), or 0.
func glassChildPid(dir string) int {
	self := os.Getpid()
	for _, p := range cpustat.Read().Tree(self) {
		if p.PPID != self {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.PID), "cmdline"))
		if bytes.Contains(cmdline, []byte(dir)) {
			return p.PID
		}
	}
	return 0
}

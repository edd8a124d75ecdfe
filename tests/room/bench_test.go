package room

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/roomtest"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
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

// glassFrame is one frame decoded by the subscriber.
type glassFrame struct {
	at    time.Time     // decoded
	held  time.Duration // in the subscriber's jitter buffer, once complete
	stamp int64         // ms since the epoch; 0 when the stamp did not read
}

func glassMeasure(b *testing.B, w, h int) {
	room := "bench-glass-" + strconv.Itoa(h)
	var (
		mu      sync.Mutex
		frames  []glassFrame
		stamped bool
		first   = make(chan struct{})
	)
	onFrame := func(img *yuv.I420, at time.Time, held time.Duration) {
		ms, ok := roomtest.DecodeStamp(img)
		// A stamp more than a minute off is a misread that passed the check.
		if d := at.UnixMilli() - ms; !ok || d < -60_000 || d > 60_000 {
			ms, ok = 0, false
		}
		mu.Lock()
		if ok && !stamped {
			stamped = true
			close(first)
		}
		frames = append(frames, glassFrame{at: at, held: held, stamp: ms})
		mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	sub, err := roomtest.JoinWith(ctx, lk.URL(), lk.APIKey(), lk.APISecret(), room, "glass", onFrame)
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
	case <-first:
	case <-cli.done:
		b.Fatalf("lkbrowser publish exited before a stamped frame arrived: %v\nstderr: %s", cli.cmd.ProcessState, cli.errors())
	case <-time.After(90 * time.Second):
		mu.Lock()
		n := len(frames)
		mu.Unlock()
		b.Fatalf("no stamped frame within 90 s (%d frames decoded)\nstderr: %s", n, cli.errors())
	}
	time.Sleep(glassWarmUp)

	lkPid := glassChildPid(lk.Dir())
	cpu0, host0 := glassCPU(cli.cmd.Process.Pid, lkPid), glassHostCPU()
	t0 := time.Now()
	time.Sleep(glassWindow)
	cpu1, host1 := glassCPU(cli.cmd.Process.Pid, lkPid), glassHostCPU()
	t1 := time.Now()
	stop()

	mu.Lock()
	defer mu.Unlock()
	var lat, nohold, holds []float64
	var last int64
	bad, dup := 0, 0
	for _, f := range frames {
		if f.stamp != 0 && f.stamp <= last {
			if f.at.After(t0) && !f.at.After(t1) {
				dup++
			}
			continue
		}
		if f.stamp != 0 {
			last = f.stamp
		}
		if f.at.Before(t0) || f.at.After(t1) {
			continue
		}
		if f.stamp == 0 {
			bad++
			continue
		}
		l := float64(f.at.UnixMicro())/1e3 - float64(f.stamp)
		h := f.held.Seconds() * 1e3
		lat, nohold, holds = append(lat, l), append(nohold, l-h), append(holds, h)
	}
	if len(lat) == 0 {
		b.Fatalf("no stamp decoded in the %v window (%d frames without a readable stamp)", glassWindow, bad)
	}
	slices.Sort(lat)
	slices.Sort(nohold)
	slices.Sort(holds)
	secs := t1.Sub(t0).Seconds()
	cores := func(ticks float64) float64 { return ticks / glassClockTicks / secs }
	b.ReportMetric(glassPercentile(lat, 0.50), "p50-ms")
	b.ReportMetric(glassPercentile(lat, 0.95), "p95-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
	b.ReportMetric(glassPercentile(nohold, 0.50), "nohold-p50-ms")
	b.ReportMetric(glassPercentile(nohold, 0.95), "nohold-p95-ms")
	b.ReportMetric(glassPercentile(holds, 0.50), "hold-p50-ms")
	b.ReportMetric(float64(len(lat))/secs, "fps")
	b.ReportMetric(float64(bad), "bad-stamps")
	total := 0.0
	for _, g := range glassGroups {
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
		w, h, len(lat), secs, dup, bad, lat[0], glassPercentile(lat, 0.5), glassPercentile(lat, 0.95), glassPercentile(lat, 0.99), lat[len(lat)-1],
		glassPercentile(holds, 0.5), glassPercentile(holds, 0.95), cpu1.procs)
	if lkPid <= 0 {
		b.Log("livekit-server's process not found: its CPU is not reported")
	}
}

// glassPercentile returns the nearest-rank p-quantile of sorted v.
func glassPercentile(v []float64, p float64) float64 {
	i := int(math.Ceil(p*float64(len(v)))) - 1
	return v[min(max(i, 0), len(v)-1)]
}

// glassClockTicks is USER_HZ, the unit of the times in /proc/*/stat (100 on
// every Linux architecture Go supports).
const glassClockTicks = 100

// glassGroups are the processes of one published page, by name: the CLI
// (capture, conversion, encode, the SDK), Chromium (browser, zygotes, GPU
// and renderers), Xvfb, PulseAudio, and anything else.
var glassGroups = []string{"cli", "chrome", "xvfb", "pulse", "other"}

func glassGroup(comm string) string {
	switch {
	case comm == "lkbrowser":
		return "cli"
	case strings.HasPrefix(comm, "chrom"):
		return "chrome"
	case comm == "Xvfb":
		return "xvfb"
	case strings.HasPrefix(comm, "pulse"):
		return "pulse"
	}
	return "other"
}

// glassStat is a process's line of /proc/<pid>/stat.
type glassStat struct {
	pid, ppid int
	comm      string
	ticks     float64 // utime+stime+cutime+cstime
}

// glassReadStat reads /proc/<pid>/stat; ok is false for a process gone or
// a zombie.
func glassReadStat(path string) (st glassStat, ok bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return st, false
	}
	s := string(raw)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return st, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 15 || f[0] == "Z" || f[0] == "X" {
		return st, false
	}
	st.pid, _ = strconv.Atoi(strings.TrimSpace(s[:open]))
	st.ppid, _ = strconv.Atoi(f[1])
	st.comm = s[open+1 : end]
	// utime, stime, and cutime and cstime: the CPU of the children that
	// exited and were waited for, so that a process that ends between the
	// two samples still counts (in its parent).
	for _, v := range f[11:15] {
		n, _ := strconv.ParseFloat(v, 64)
		st.ticks += n
	}
	return st, true
}

// glassSample is one reading of the CPU used so far, in clock ticks.
type glassSample struct {
	byGroup map[string]float64 // the publisher's process tree by glassGroup
	lk      float64            // livekit-server and its descendants
	self    float64            // this process
	procs   string             // the publisher's tree, for the log
}

// glassCPU reads the CPU used so far by root and all its descendants (found
// by walking the ppid links of every process in /proc, so that Chromium's
// processes count however they were started), by lkPid and its
// descendants, and by this process.
func glassCPU(root, lkPid int) glassSample {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	all := map[int]glassStat{}
	kids := map[int][]int{}
	for _, p := range paths {
		if st, ok := glassReadStat(p); ok {
			all[st.pid] = st
			kids[st.ppid] = append(kids[st.ppid], st.pid)
		}
	}
	tree := func(pid int) []glassStat {
		var out []glassStat
		seen := map[int]bool{}
		for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
			p := queue[0]
			st, ok := all[p]
			if !ok || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, st)
			queue = append(queue, kids[p]...)
		}
		return out
	}
	s := glassSample{byGroup: map[string]float64{}}
	count := map[string]int{}
	for _, st := range tree(root) {
		g := glassGroup(st.comm)
		s.byGroup[g] += st.ticks
		count[st.comm]++
	}
	var names []string
	for c, n := range count {
		names = append(names, fmt.Sprintf("%s x%d", c, n))
	}
	slices.Sort(names)
	s.procs = strings.Join(names, ", ")
	if lkPid > 0 {
		for _, st := range tree(lkPid) {
			s.lk += st.ticks
		}
	}
	if st, ok := glassReadStat("/proc/self/stat"); ok {
		s.self = st.ticks
	}
	return s
}

// glassChildPid returns the pid of the child of this process whose command
// line mentions dir (livekit-server runs with its config file in
// lk.Dir()), or 0.
func glassChildPid(dir string) int {
	self := os.Getpid()
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range paths {
		st, ok := glassReadStat(p)
		if !ok || st.ppid != self {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "cmdline"))
		if bytes.Contains(cmdline, []byte(dir)) {
			return st.pid
		}
	}
	return 0
}

// glassHostCPU returns the busy time of the whole machine so far in clock
// ticks (all of /proc/stat's cpu line but idle and iowait).
func glassHostCPU() float64 {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	busy := 0.0
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		// user nice system idle iowait irq softirq steal guest guest_nice;
		// guest time is already in user.
		if i != 3 && i != 4 && i < 8 {
			busy += n
		}
	}
	return busy
}

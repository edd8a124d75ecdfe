package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
	"github.com/lkbrowser/lkbrowser/internal/testing/glassbench"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
)

// firstFrameTimeout bounds the wait for the first stamped frame at the
// subscriber (start-up of the engine, the page and the session).
const firstFrameTimeout = 90 * time.Second

// measureLKB publishes the case's page with the real CLI (`lkbrowser
// publish`, as a user runs it) into the worker's livekit-server, decodes it
// with a subscriber in the room and measures, over the plan's window, the
// glass-to-subscriber latency and the CPU of the CLI and all its
// descendants (Chromium, Xvfb, PulseAudio).
func (w *publishWorker) measureLKB(ctx context.Context, c publishCase, idx int) (r sideResult) {
	fail := func(format string, args ...any) sideResult {
		r.Err = fmt.Sprintf(format, args...)
		w.log.Warn("lkbrowser side failed", "case", c.Name, "err", r.Err)
		return r
	}
	room := fmt.Sprintf("bench-%d-%d", idx, time.Now().UnixNano())
	rec := glassbench.NewRecorder()
	jctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sub, err := roomtest.JoinWith(jctx, w.lk.URL(), w.lk.APIKey(), w.lk.APISecret(), room, "glass", rec.OnFrame)
	cancel()
	if err != nil {
		return fail("subscriber: %v", err)
	}
	defer sub.Close()

	args := []string{"publish", "--livekit-url", w.lk.URL(), "--api-key", w.lk.APIKey(), "--room", room,
		"--viewer-addr", "off", "--width", strconv.Itoa(c.W), "--height", strconv.Itoa(c.H),
		"--fps", strconv.Itoa(c.FPS), "--video-bitrate", strconv.Itoa(c.Kbps), w.web + c.Page}
	cmd := exec.Command(w.plan.CLI, args...)
	cmd.Env = append(os.Environ(), "LIVEKIT_API_SECRET="+w.lk.APISecret())
	cli, err := proc.Start("lkbrowser", cmd, w.log)
	if err != nil {
		return fail("start the CLI: %v", err)
	}
	defer func() {
		// SIGINT: the CLI leaves the room and closes everything, as on Ctrl-C.
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-cli.Done():
		case <-time.After(30 * time.Second):
			w.log.Warn("lkbrowser publish did not exit 30 s after SIGINT; killing it")
		}
		_ = cli.Stop(time.Second)
	}()

	select {
	case <-rec.FirstStamp():
	case <-cli.Done():
		return fail("lkbrowser publish exited before a stamped frame arrived: %v: %s", cli.ExitErr(), pubLastLines(cli.Output(), 5))
	case <-time.After(firstFrameTimeout):
		return fail("no stamped frame within %v (%d frames decoded): %s", firstFrameTimeout, rec.Len(), pubLastLines(cli.Output(), 5))
	case <-ctx.Done():
		return fail("%v", ctx.Err())
	}
	if waitFor(ctx, w.plan.Warm) != nil {
		return fail("%v", ctx.Err())
	}

	pid, lkPid := cli.Pid(), w.lk.Pid()
	tab0 := cpustat.Read()
	r.Chrome, r.Xvfb = pubChildCmdline(tab0, pid, glassbench.GroupChrome), pubChildCmdline(tab0, pid, glassbench.GroupXvfb)
	g0, lk0, self0, host0 := pubGroupTicks(tab0, pid), tab0.TreeTicks(lkPid), cpustat.SelfSeconds(), cpustat.HostTicks()
	t0 := time.Now()
	if waitFor(ctx, w.plan.Window) != nil {
		return fail("%v", ctx.Err())
	}
	tab1 := cpustat.Read()
	g1, lk1, self1, host1 := pubGroupTicks(tab1, pid), tab1.TreeTicks(lkPid), cpustat.SelfSeconds(), cpustat.HostTicks()
	t1 := time.Now()
	select {
	case <-cli.Done():
		return fail("lkbrowser publish exited during the window: %v: %s", cli.ExitErr(), pubLastLines(cli.Output(), 5))
	default:
	}

	secs := t1.Sub(t0).Seconds()
	r.Cores = map[string]float64{}
	for g, v := range g1 {
		r.Cores[g] = (v - g0[g]) / cpustat.ClockTicks / secs
		r.Total += r.Cores[g]
	}
	r.LK = (lk1 - lk0) / cpustat.ClockTicks / secs
	r.Sub = (self1 - self0) / secs
	r.Rest = max((host1-host0)/cpustat.ClockTicks/secs-r.Total-r.LK-r.Sub, 0)

	win := rec.Window(t0, t1)
	if len(win.Latency) == 0 {
		return fail("no stamp decoded in the window (%d unreadable)", win.Unreadable)
	}
	r.FPS, r.Lat, r.NoHold = win.FPS(), win.Latency, win.NoHold
	if c.Audio {
		pcm := sub.Audio()
		if n := len(pcm); n > 48000 {
			pcm = pcm[n-48000:] // the last second
		}
		r.ToneHz = roomtest.Frequency(pcm, 48000)
	}
	return r
}

// pubGroupTicks returns the CPU used so far by pid and its descendants, in
// clock ticks, by glassbench.Group.
func pubGroupTicks(tab cpustat.Table, pids ...int) map[string]float64 {
	out := map[string]float64{}
	for _, pid := range pids {
		for _, p := range tab.Tree(pid) {
			out[glassbench.Group(p.Command)] += p.CPUTicks
		}
	}
	return out
}

// pubChildCmdline returns the command line of the first child of pid in group,
// or nil.
func pubChildCmdline(tab cpustat.Table, pid int, group string) []string {
	for _, p := range tab.Tree(pid) {
		if p.PPID != pid || glassbench.Group(p.Command) != group {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.PID), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue
		}
		return strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
	}
	return nil
}

// pubLastLines returns the last n lines of s, for error messages.
func pubLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/pulsecap"
	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
	"github.com/lkbrowser/lkbrowser/internal/xauth"
	"github.com/lkbrowser/lkbrowser/internal/xrandr"
)

// The baseline is the LiveKit Egress way of publishing a web page: a
// headful Chromium on Xvfb playing into PulseAudio, captured and encoded by
// GStreamer (`ximagesrc use-damage=false ! videoconvert ! vp8enc`, `pulsesrc
// ! opusenc`). Chromium runs with exactly the command line of lkbrowser's
// Chromium in the same case (read from /proc while the lkbrowser side ran),
// so the page, the browser and its flags are the same; Xvfb with exactly
// lkbrowser's Xvfb command line. What lkbrowser does to its display beyond
// that (its RandR refresh rate) is not done here: Egress runs Chromium on
// Xvfb's default display, and so does this baseline, unless at30 asks for a
// display at the page's frame rate.
//
// The baseline encodes to fakesink: Egress would then also packetize and
// send over WebRTC, which lkbrowser's figures include and these do not.

// gstSink is the null sink Chromium plays into on the baseline's sound
// server.
const gstSink = "page"

// measureGst runs the baseline for case c and measures the CPU of all its
// processes (Xvfb, PulseAudio, Chromium, gst-launch) over the plan's
// window. lkb is the lkbrowser side's result, whose Chromium and Xvfb
// command lines the baseline reuses.
func (w *publishWorker) measureGst(ctx context.Context, c publishCase, lkb sideResult, at30 bool) (r sideResult) {
	fail := func(format string, args ...any) sideResult {
		r.Err = fmt.Sprintf(format, args...)
		w.log.Warn("GStreamer side failed", "case", c.Name, "err", r.Err)
		return r
	}
	if len(lkb.Chrome) == 0 || len(lkb.Xvfb) == 0 {
		return fail("no command line of lkbrowser's Chromium and Xvfb to run the same way (%s)", lkb.Err)
	}
	dir, err := os.MkdirTemp(w.tmp, "gst-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	var stops []func()
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}()
	stop := func(p *proc.Process) func() { return func() { _ = p.Stop(2 * time.Second) } }

	disp, cookie, xvfb, err := gstXvfb(ctx, w, dir, lkb.Xvfb)
	if err != nil {
		return fail("Xvfb: %v", err)
	}
	stops = append(stops, stop(xvfb))
	if at30 {
		// What lkbrowser does to its own display (display.go).
		if err := xrandr.SetRefresh(disp, cookie, c.FPS); err != nil {
			return fail("refresh rate: %v", err)
		}
	}
	pulse, server, err := gstPulse(ctx, w, dir)
	if err != nil {
		return fail("PulseAudio: %v", err)
	}
	stops = append(stops, stop(pulse))
	chrome, err := gstChromium(w, dir, disp, server, lkb.Chrome, w.web+c.Page)
	if err != nil {
		return fail("Chromium: %v", err)
	}
	stops = append(stops, stop(chrome))
	out := filepath.Join(dir, "gst.out")
	gst, err := gstLaunch(w, disp, server, out, c)
	if err != nil {
		return fail("gst-launch: %v", err)
	}
	stops = append(stops, stop(gst))

	// Chromium starts and paints, GStreamer negotiates and encodes: give
	// both the start-up lkbrowser's side had before its first frame, then
	// the same warm-up.
	deadline := time.Now().Add(30 * time.Second)
	for n, _ := gstFrames(out); n < 10; n, _ = gstFrames(out) {
		if time.Now().After(deadline) {
			return fail("no frames encoded within 30 s: %s", pubLastLines(gst.Output()+gstTail(out, 600), 6))
		}
		select {
		case <-gst.Done():
			return fail("gst-launch exited: %v: %s", gst.ExitErr(), pubLastLines(gst.Output()+gstTail(out, 600), 6))
		case <-ctx.Done():
			return fail("%v", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if waitFor(ctx, w.plan.Warm) != nil {
		return fail("%v", ctx.Err())
	}

	pids := []int{xvfb.Pid(), pulse.Pid(), chrome.Pid(), gst.Pid()}
	tab0 := cpustat.Read()
	g0, host0, self0 := pubGroupTicks(tab0, pids...), cpustat.HostTicks(), cpustat.SelfSeconds()
	n0, b0 := gstFrames(out)
	t0 := time.Now()
	if waitFor(ctx, w.plan.Window) != nil {
		return fail("%v", ctx.Err())
	}
	tab1 := cpustat.Read()
	g1, host1, self1 := pubGroupTicks(tab1, pids...), cpustat.HostTicks(), cpustat.SelfSeconds()
	n1, b1 := gstFrames(out)
	t1 := time.Now()
	for _, p := range []*proc.Process{xvfb, pulse, chrome, gst} {
		select {
		case <-p.Done():
			return fail("%s exited during the window: %v: %s", p.Name(), p.ExitErr(), pubLastLines(p.Output(), 5))
		default:
		}
	}

	secs := t1.Sub(t0).Seconds()
	r.Cores = map[string]float64{}
	for g, v := range g1 {
		r.Cores[g] = (v - g0[g]) / cpustat.ClockTicks / secs
		r.Total += r.Cores[g]
	}
	// This worker's own CPU meanwhile is bookkeeping, not the baseline's.
	r.Rest = max((host1-host0)/cpustat.ClockTicks/secs-r.Total-(self1-self0)/secs, 0)
	r.FPS = float64(n1-n0) / secs
	r.Kbps = float64(b1-b0) * 8 / 1000 / secs
	return r
}

// gstXvfb starts Xvfb with lkbrowser's command line (args, read from
// /proc), with its own -displayfd and -auth, and returns the display name
// and its cookie.
func gstXvfb(ctx context.Context, w *publishWorker, dir string, args []string) (string, []byte, *proc.Process, error) {
	cookie, err := xauth.NewCookie()
	if err != nil {
		return "", nil, nil, err
	}
	serverAuth := filepath.Join(dir, "xvfb.auth")
	if err := xauth.WriteAuthority(serverAuth, "", cookie); err != nil {
		return "", nil, nil, err
	}
	args = append([]string(nil), args...)
	for i := 1; i+1 < len(args); i++ {
		switch args[i] {
		case "-auth":
			args[i+1] = serverAuth
		case "-displayfd":
			args[i+1] = "3"
		}
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return "", nil, nil, err
	}
	defer r.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.ExtraFiles = []*os.File{wr}
	cmd.Dir = dir
	p, err := proc.Start("Xvfb", cmd, w.log)
	wr.Close()
	if err != nil {
		return "", nil, nil, err
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	var num string
	select {
	case num = <-line:
	case <-time.After(10 * time.Second):
	case <-ctx.Done():
	}
	if _, err := strconv.Atoi(num); err != nil {
		_ = p.Stop(time.Second)
		return "", nil, nil, fmt.Errorf("no display number: %s", pubLastLines(p.Output(), 3))
	}
	if err := xauth.WriteAuthority(filepath.Join(dir, "client.auth"), num, cookie); err != nil {
		_ = p.Stop(time.Second)
		return "", nil, nil, err
	}
	return ":" + num, cookie, p, nil
}

// gstPulse starts a PulseAudio server as lkbrowser starts its own
// (audio_server.go), with PulseAudio's default daemon settings as Egress
// has them, and a 48 kHz stereo null sink for Chromium to play into. It
// returns the server's address.
func gstPulse(ctx context.Context, w *publishWorker, dir string) (*proc.Process, string, error) {
	pdir := filepath.Join(dir, "pulse")
	if err := os.Mkdir(pdir, 0o700); err != nil {
		return nil, "", err
	}
	sock := filepath.Join(pdir, "native")
	bin, err := exec.LookPath("pulseaudio")
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
		"--use-pid-file=no", "--disallow-module-loading=no", "--log-target=stderr",
		"-L", "module-native-protocol-unix socket="+sock+" auth-anonymous=1")
	cmd.Dir = pdir
	cmd.Env = append(os.Environ(), "PULSE_RUNTIME_PATH="+pdir, "PULSE_STATE_PATH="+pdir, "HOME="+pdir,
		"XDG_CONFIG_HOME="+pdir, "DBUS_SESSION_BUS_ADDRESS=disabled:", "DISPLAY=")
	p, err := proc.Start("pulseaudio", cmd, w.log)
	if err != nil {
		return nil, "", err
	}
	address := "unix:" + sock
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctl, err := pulsecap.Dial(address, time.Second)
		if err == nil {
			_, err = ctl.LoadNullSink(gstSink, 48000, 2)
			ctl.Close()
			if err != nil {
				_ = p.Stop(time.Second)
				return nil, "", err
			}
			return p, address, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = p.Stop(time.Second)
			return nil, "", fmt.Errorf("not answering: %v: %s", err, pubLastLines(p.Output(), 3))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gstChromium starts Chromium with lkbrowser's command line (args) on disp,
// playing into the baseline's sink: the same flags, with its own profile and
// cache directories and url instead of lkbrowser's about:blank, and without
// the DevTools pipe that lkbrowser drives it through (nothing drives this
// one).
func gstChromium(w *publishWorker, dir, disp, pulse string, args []string, url string) (*proc.Process, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, err
	}
	args = gstChromiumArgs(args, dir, url)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(gstEnv(), "DISPLAY="+disp, "XAUTHORITY="+filepath.Join(dir, "client.auth"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"TMPDIR="+tmp, "PULSE_SERVER="+pulse, "PULSE_SINK="+gstSink)
	return proc.Start("chromium", cmd, w.log)
}

// gstChromiumArgs turns lkbrowser's Chromium command line into the
// baseline's: profile and cache in dir, no DevTools pipe and no egress
// proxy, url instead of about:blank.
func gstChromiumArgs(args []string, dir, url string) []string {
	out := []string{args[0]}
	for _, a := range args[1:] {
		switch {
		case a == "--remote-debugging-pipe", a == "about:blank":
		case strings.HasPrefix(a, "--proxy-server="), strings.HasPrefix(a, "--proxy-bypass-list="),
			strings.HasPrefix(a, "--host-resolver-rules="):
			// The egress filter of lkbrowser's page (publish blocks private
			// addresses by default) is that page's own proxy: the baseline
			// loads the page directly.
		case strings.HasPrefix(a, "--user-data-dir="):
			out = append(out, "--user-data-dir="+filepath.Join(dir, "profile"))
		case strings.HasPrefix(a, "--disk-cache-dir="):
			out = append(out, "--disk-cache-dir="+filepath.Join(dir, "cache"))
		default:
			out = append(out, a)
		}
	}
	return append(out, url)
}

// gstLaunch starts the Egress-style pipeline on disp: the page's w x h
// region of the screen at the case's frame rate, converted to I420 and
// encoded to VP8 at the case's bitrate (realtime, CBR, the case's
// cpu-used), and for pages with sound the sink's monitor encoded to
// Opus. Every encoded frame is reported on its output (fakesink's
// last-message with -v), written line-buffered to out.
func gstLaunch(w *publishWorker, disp, pulse, out string, c publishCase) (*proc.Process, error) {
	bin, err := exec.LookPath("gst-launch-1.0")
	if err != nil {
		return nil, errors.New("gst-launch-1.0 is missing: apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-pulseaudio (bash scripts/bench.sh does it)")
	}
	args := []string{"-v",
		"ximagesrc", "display-name=" + disp, "use-damage=false", "show-pointer=false",
		"startx=0", "starty=0", fmt.Sprintf("endx=%d", c.W-1), fmt.Sprintf("endy=%d", c.H-1), "!",
		fmt.Sprintf("video/x-raw,framerate=%d/1", c.FPS), "!",
		"videoconvert", "!",
		"vp8enc", "deadline=1", fmt.Sprintf("cpu-used=%d", c.CPUUsed), fmt.Sprintf("target-bitrate=%d", c.Kbps*1000),
		"end-usage=cbr", "!",
		"fakesink", "name=vout", "silent=false", "sync=false"}
	if c.Audio {
		args = append(args,
			"pulsesrc", "device="+gstSink+".monitor", "!", "audio/x-raw,rate=48000,channels=2", "!",
			"audioconvert", "!", "opusenc", "!", "fakesink", "name=aout", "sync=false")
	}
	// stdbuf makes the -v lines arrive as the frames do (stdout to a file
	// is block-buffered otherwise).
	cmd := exec.Command("sh", append([]string{"-c", `exec stdbuf -oL "$0" "$@" >` + gstQuote(out), bin}, args...)...)
	cmd.Env = append(gstEnv(), "XAUTHORITY="+filepath.Join(filepath.Dir(out), "client.auth"), "PULSE_SERVER="+pulse)
	return proc.Start("gst-launch", cmd, w.log)
}

// gstFrames counts the encoded video frames reported in out so far and
// their bytes.
func gstFrames(out string) (frames int, size int64) {
	raw, err := os.ReadFile(out)
	if err != nil {
		return 0, 0
	}
	const mark = "(vout:sink) ("
	for _, line := range bytes.Split(raw, []byte("\n")) {
		i := bytes.Index(line, []byte(mark))
		if i < 0 {
			continue
		}
		rest := line[i+len(mark):]
		n, _, ok := bytes.Cut(rest, []byte(" bytes"))
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			continue
		}
		frames++
		size += v
	}
	return frames, size
}

// gstTail returns the last n bytes of a file, for error messages.
func gstTail(path string, n int) string {
	raw, _ := os.ReadFile(path)
	if len(raw) > n {
		raw = raw[len(raw)-n:]
	}
	return string(raw)
}

// gstEnv is this process's environment without what would connect a
// child to another display or sound server.
func gstEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
			"TMPDIR", "PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE", envPublishPlan:
			continue
		}
		env = append(env, kv)
	}
	return env
}

// gstQuote quotes s for sh.
func gstQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

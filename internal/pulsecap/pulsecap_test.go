//go:build linux && cgo

package pulsecap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	rate     = 48000
	channels = 2
	frame    = 2 * channels
	ms10     = rate / 100 * frame // bytes in 10 ms
	amp      = 0.5                // tone amplitude, fraction of full scale
)

// pulse is a private PulseAudio server started by startPulse.
type pulse struct {
	dir    string
	server string // "unix:<dir>/native"
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process was reaped
}

// kill kills the server (by PID) and waits until it is reaped; idempotent.
func (p *pulse) kill() {
	p.cmd.Process.Kill() // an error after the exit is harmless
	<-p.exited
}

// startPulse starts a private PulseAudio server the way the engine does, in
// a fresh 0700 directory, waits until its socket accepts connections, and
// kills it when the test ends. It skips the test if pulseaudio is not
// installed.
func startPulse(tb testing.TB) *pulse {
	tb.Helper()
	bin, err := exec.LookPath("pulseaudio")
	if err != nil {
		tb.Skip("pulseaudio not on PATH")
	}
	// Not tb.TempDir(): a unix socket path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "pulsecap")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "pulse.log"))
	if err != nil {
		tb.Fatal(err)
	}
	defer logf.Close()
	sock := filepath.Join(dir, "native")
	cmd := exec.Command(bin, "-n", "--daemonize=no", "--exit-idle-time=-1",
		"--disallow-exit", "--use-pid-file=no", "--disable-shm=no",
		"-L", "module-native-protocol-unix socket="+sock+" auth-anonymous=1")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"PULSE_RUNTIME_PATH=" + dir, "PULSE_STATE_PATH=" + dir, "HOME=" + dir,
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &pulse{dir: dir, server: "unix:" + sock, cmd: cmd, exited: make(chan struct{})}
	tb.Cleanup(p.kill)
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return p
		}
		select {
		case <-p.exited:
		case <-time.After(20 * time.Millisecond):
			if time.Now().Before(deadline) {
				continue
			}
		}
		p.kill()
		log, _ := os.ReadFile(logf.Name())
		tb.Fatalf("pulseaudio did not listen on %s; log:\n%s", sock, log)
	}
}

func dialT(tb testing.TB, p *pulse) *Ctl {
	tb.Helper()
	c, err := Dial(p.server, 5*time.Second)
	if err != nil {
		tb.Fatalf("Dial(%s): %v", p.server, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func sinkT(tb testing.TB, c *Ctl, name string) uint32 {
	tb.Helper()
	m, err := c.LoadNullSink(name, rate, channels)
	if err != nil {
		tb.Fatalf("LoadNullSink(%s): %v", name, err)
	}
	return m
}

func recordT(tb testing.TB, p *pulse, source string) *Recorder {
	tb.Helper()
	r, err := Record(p.server, source, rate, channels, 10*time.Millisecond, 5*time.Second)
	if err != nil {
		tb.Fatalf("Record(%s): %v", source, err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// tone is a sine generator keeping its phase across calls.
type tone struct {
	freq, amp, phase float64
}

// next fills b (whole stereo frames) with the next samples, the same on
// every channel.
func (g *tone) next(b []byte) {
	step := 2 * math.Pi * g.freq / rate
	for i := 0; i+frame <= len(b); i += frame {
		v := int16(math.Round(g.amp * 32767 * math.Sin(g.phase)))
		for c := 0; c < channels; c++ {
			binary.LittleEndian.PutUint16(b[i+2*c:], uint16(v))
		}
		g.phase += step
		if g.phase > 2*math.Pi {
			g.phase -= 2 * math.Pi
		}
	}
}

// player plays a tone into sink from a goroutine until the test ends.
type player struct {
	p    *Player
	stop atomic.Bool
	done chan error
	once sync.Once
	err  error
}

func playT(tb testing.TB, p *pulse, sink string, freq float64) *player {
	tb.Helper()
	// 400 ms of buffer: the writer may starve for ~200 ms on a loaded
	// machine before the stream underruns (pa_simple asks the sink for
	// about half the buffer as latency; the server queues the rest).
	pl, err := PlayBuffered(p.server, sink, rate, channels, 400*time.Millisecond)
	if err != nil {
		tb.Fatalf("Play(%s): %v", sink, err)
	}
	tp := &player{p: pl, done: make(chan error, 1)}
	go func() {
		g := &tone{freq: freq, amp: amp}
		buf := make([]byte, ms10)
		var err error
		for !tp.stop.Load() {
			g.next(buf)
			if err = pl.Write(buf); err != nil {
				break
			}
		}
		tp.done <- err
	}()
	tb.Cleanup(func() { tp.close() })
	return tp
}

// close stops the writer, closes the stream and returns the writer's
// error; idempotent.
func (tp *player) close() error {
	tp.once.Do(func() {
		tp.stop.Store(true)
		tp.err = <-tp.done
		tp.p.Close()
	})
	return tp.err
}

// left returns the first channel of interleaved s16le frames.
func left(b []byte) []float64 {
	out := make([]float64, len(b)/frame)
	for i := range out {
		out[i] = float64(int16(binary.LittleEndian.Uint16(b[i*frame:])))
	}
	return out
}

func rms(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// frequency estimates the frequency of x (sampled at rate) from its rising
// zero crossings, located by linear interpolation: the median period, and
// the mean over the whole span.
func frequency(x []float64) (median, mean float64, n int) {
	var cross []float64
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			cross = append(cross, float64(i-1)+x[i-1]/(x[i-1]-x[i]))
		}
	}
	if len(cross) < 3 {
		return 0, 0, len(cross)
	}
	periods := make([]float64, len(cross)-1)
	for i := range periods {
		periods[i] = cross[i+1] - cross[i]
	}
	sort.Float64s(periods)
	median = rate / periods[len(periods)/2]
	mean = rate * float64(len(cross)-1) / (cross[len(cross)-1] - cross[0])
	return median, mean, len(cross)
}

// readUntilSound reads 10 ms blocks until one is not silent, at most limit.
func readUntilSound(t *testing.T, r *Recorder, limit time.Duration) {
	t.Helper()
	buf := make([]byte, ms10)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if err := r.Read(buf); err != nil {
			t.Fatalf("Read: %v", err)
		}
		if rms(left(buf)) > 100 {
			return
		}
	}
	t.Fatalf("no sound within %v", limit)
}

// waitInputs polls SinkInputCount until it is want.
func waitInputs(t *testing.T, c *Ctl, sink string, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := c.SinkInputCount(sink)
		if err != nil {
			t.Fatalf("SinkInputCount(%s): %v", sink, err)
		}
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SinkInputCount(%s) = %d, want %d", sink, n, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDial(t *testing.T) {
	p := startPulse(t)
	c, err := Dial(p.server, 5*time.Second)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if !c.Alive() {
		t.Error("Alive = false on a fresh connection")
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if c.Alive() {
		t.Error("Alive = true after Close")
	}
	if _, err := c.LoadNullSink("x", rate, channels); !errors.Is(err, ErrClosed) {
		t.Errorf("LoadNullSink after Close: %v, want ErrClosed", err)
	}

	// No socket at all.
	start := time.Now()
	_, err = Dial("unix:"+filepath.Join(p.dir, "missing"), 5*time.Second)
	if !errors.Is(err, ErrConnect) {
		t.Errorf("Dial(missing socket): %v, want ErrConnect", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Dial(missing socket) took %v", d)
	}
	var pe *Error
	if errors.As(err, &pe) {
		t.Logf("missing socket: %v (Code %d)", err, pe.Code)
	}
	// A socket file nobody listens on.
	stale := filepath.Join(p.dir, "stale")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := Dial("unix:"+stale, 5*time.Second); !errors.Is(err, ErrConnect) {
		t.Errorf("Dial(stale socket): %v, want ErrConnect", err)
	}
	if _, err := Record("unix:"+stale, "x.monitor", rate, channels, 0, 5*time.Second); !errors.Is(err, ErrConnect) {
		t.Errorf("Record(stale socket): %v, want ErrConnect", err)
	}
}

// TestDialTimeout: a socket that accepts connections (in the kernel's
// backlog) but never answers the handshake.
func TestDialTimeout(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "mute")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, f := range []func() error{
		func() error { _, err := Dial("unix:"+sock, 300*time.Millisecond); return err },
		func() error {
			_, err := Record("unix:"+sock, "x.monitor", rate, channels, 0, 300*time.Millisecond)
			return err
		},
	} {
		start := time.Now()
		err := f()
		d := time.Since(start)
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%v, want ErrTimeout", err)
		}
		if d < 250*time.Millisecond || d > 3*time.Second {
			t.Errorf("timed out after %v, want ~300ms", d)
		}
	}
}

func TestArgs(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	for _, name := range []string{"", "a b", "a=b", "x'", strings.Repeat("n", 129), "a\x00b"} {
		if _, err := c.LoadNullSink(name, rate, channels); !errors.Is(err, ErrInvalid) {
			t.Errorf("LoadNullSink(%q): %v, want ErrInvalid", name, err)
		}
	}
	if _, err := c.LoadNullSink("ok", 0, 2); !errors.Is(err, ErrInvalid) {
		t.Errorf("rate 0: %v", err)
	}
	if _, err := c.LoadNullSink("ok", rate, 99); !errors.Is(err, ErrInvalid) {
		t.Errorf("99 channels: %v", err)
	}
	sinkT(t, c, "dup")
	if _, err := c.LoadNullSink("dup", rate, channels); !errors.Is(err, ErrExist) {
		t.Errorf("duplicate sink: %v, want ErrExist", err)
	}
	if _, err := c.SinkInputCount("dup.2"); !errors.Is(err, ErrNoEntity) {
		t.Errorf("dup.2 left behind: %v", err)
	}
	if _, err := Record(p.server, "dup.monitor", rate, 99, 0, time.Second); !errors.Is(err, ErrInvalid) {
		t.Errorf("Record 99 channels: %v", err)
	}
	if _, err := Record(p.server, "", rate, channels, 0, time.Second); !errors.Is(err, ErrInvalid) {
		t.Errorf("Record empty source: %v", err)
	}
	if _, err := Record(p.server, "nope.monitor", rate, channels, 0, 5*time.Second); !errors.Is(err, ErrNoEntity) {
		t.Errorf("Record missing source: %v, want ErrNoEntity", err)
	}
	if err := c.SetSinkMute("nope", true); !errors.Is(err, ErrNoEntity) {
		t.Errorf("SetSinkMute(missing): %v, want ErrNoEntity", err)
	}
	if _, err := c.SinkInputCount("nope"); !errors.Is(err, ErrNoEntity) {
		t.Errorf("SinkInputCount(missing): %v, want ErrNoEntity", err)
	}
	if err := c.UnloadModule(9999); !errors.Is(err, ErrNoEntity) {
		t.Errorf("UnloadModule(9999): %v, want ErrNoEntity", err)
	}
	if !c.Alive() {
		t.Error("failed operations broke the connection")
	}
}

// TestFirstSamplesPrompt: a fresh null sink renders 2 s ahead and sleeps;
// without Record's restart of the sink the first Read would take 1-2 s.
func TestFirstSamplesPrompt(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	first := func(source string) time.Duration {
		start := time.Now()
		r := recordT(t, p, source)
		if err := r.Read(make([]byte, ms10)); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	sinkT(t, c, "a")
	if d := first("a.monitor"); d > 500*time.Millisecond {
		t.Errorf("fresh sink: first 10 ms after %v", d)
	} else {
		t.Logf("fresh sink: first 10 ms after %v", d)
	}
	sinkT(t, c, "b")
	playT(t, p, "b", 440)
	waitInputs(t, c, "b", 1)
	if d := first("b.monitor"); d > 500*time.Millisecond {
		t.Errorf("fresh sink with a player: first 10 ms after %v", d)
	} else {
		t.Logf("fresh sink with a player: first 10 ms after %v", d)
	}
}

// TestToneNoCrosstalk plays 440 Hz into sink a and records a.monitor and
// b.monitor at the same time.
func TestToneNoCrosstalk(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	sinkT(t, c, "b")
	for _, s := range []string{"a", "b"} {
		if n, err := c.SinkInputCount(s); err != nil || n != 0 {
			t.Fatalf("SinkInputCount(%s) = %d, %v; want 0", s, n, err)
		}
	}
	playT(t, p, "a", 440)
	waitInputs(t, c, "a", 1)
	if n, err := c.SinkInputCount("b"); err != nil || n != 0 {
		t.Fatalf("SinkInputCount(b) = %d, %v; want 0", n, err)
	}

	ra := recordT(t, p, "a.monitor")
	rb := recordT(t, p, "b.monitor")
	readUntilSound(t, ra, 5*time.Second)

	// Take 300 ms windows from both, 10 ms at a time, alternating, until
	// one of a's is free of player underruns (the test's writer goroutine
	// may starve on a loaded machine: a gap of silence, not a fault of the
	// recorder, which would show as a phase jump instead).
	want := amp * 32767 / math.Sqrt2
	buf := make([]byte, ms10)
	var worstB float64
	for try := 1; ; try++ {
		var sa, sb []byte
		for range 30 {
			if err := ra.Read(buf); err != nil {
				t.Fatal(err)
			}
			sa = append(sa, buf...)
			if err := rb.Read(buf); err != nil {
				t.Fatal(err)
			}
			sb = append(sb, buf...)
		}
		xa, xb := left(sa), left(sb)
		worstB = max(worstB, rms(xb))
		var prof []int
		gap := false
		for i := 0; i+rate/100 <= len(xa); i += rate / 100 {
			v := rms(xa[i : i+rate/100])
			prof = append(prof, int(v))
			gap = gap || v < want/2
		}
		if gap {
			t.Logf("window %d has a gap (player underrun), RMS per 10 ms: %v", try, prof)
			if try == 5 {
				t.Fatal("no window without gaps in 5 tries")
			}
			continue
		}
		med, mean, n := frequency(xa)
		ra2 := rms(xa)
		t.Logf("a: %d crossings, median %.3f Hz, mean %.3f Hz, RMS %.1f (played %.1f); b: RMS %.3f",
			n, med, mean, ra2, want, rms(xb))
		if math.Abs(med-440) > 2 {
			t.Errorf("frequency %.3f Hz (median period), want 440 ± 2", med)
		}
		if math.Abs(mean-440) > 2 {
			t.Errorf("frequency %.3f Hz (whole span), want 440 ± 2 (samples lost?)", mean)
		}
		if math.Abs(ra2-want) > 0.05*want {
			t.Errorf("RMS %.1f, want %.1f ± 5%%", ra2, want)
		}
		if worstB > ra2/100 { // -40 dB
			t.Errorf("crosstalk: b RMS %.3f vs a RMS %.1f", worstB, ra2)
		}
		return
	}
}

func TestMute(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	playT(t, p, "a", 440)
	r := recordT(t, p, "a.monitor")
	readUntilSound(t, r, 5*time.Second)
	want := amp * 32767 / math.Sqrt2

	// waitLevel reads 10 ms blocks until ok(RMS) holds for one, at most 2 s
	// of audio (what was queued before the change, on a loaded machine).
	buf := make([]byte, ms10)
	waitLevel := func(what string, ok func(float64) bool) {
		t.Helper()
		for range 200 {
			if err := r.Read(buf); err != nil {
				t.Fatal(err)
			}
			if ok(rms(left(buf))) {
				return
			}
		}
		t.Fatalf("no %s within 2 s of audio", what)
	}
	if err := c.SetSinkMute("a", true); err != nil {
		t.Fatal(err)
	}
	waitLevel("silence", func(l float64) bool { return l == 0 })
	win := make([]byte, 30*ms10)
	if err := r.Read(win); err != nil {
		t.Fatal(err)
	}
	if l := rms(left(win)); l != 0 {
		t.Errorf("muted: RMS %.2f over 300 ms, want silence", l)
	}
	if n, err := c.SinkInputCount("a"); err != nil || n != 1 {
		t.Errorf("muted: SinkInputCount = %d, %v; want 1 (still playing)", n, err)
	}
	if err := c.SetSinkMute("a", false); err != nil {
		t.Fatal(err)
	}
	waitLevel("sound", func(l float64) bool { return l > want/2 })
	win = win[:10*ms10]
	for try := 1; ; try++ {
		if err := r.Read(win); err != nil {
			t.Fatal(err)
		}
		l := rms(left(win))
		if math.Abs(l-want) <= 0.05*want {
			break
		}
		// A starved test writer makes the player underrun: retry.
		if try == 5 {
			t.Fatalf("unmuted: RMS %.1f, want %.1f", l, want)
		}
		t.Logf("unmuted: RMS %.1f (player underrun?), again", l)
	}
}

func TestUnload(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	ma := sinkT(t, c, "a")
	sinkT(t, c, "b")
	r := recordT(t, p, "a.monitor")
	buf := make([]byte, ms10)
	if err := r.Read(buf); err != nil {
		t.Fatal(err)
	}

	// A Read in progress when the sink goes away.
	errc := make(chan error, 1)
	go func() {
		big := make([]byte, 100*ms10) // 1 s
		for {
			if err := r.Read(big); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := c.UnloadModule(ma); err != nil {
		t.Fatalf("UnloadModule: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrKilled) {
			t.Errorf("Read after unload: %v, want ErrKilled", err)
		}
		t.Logf("Read after unload: %v", err)
	case <-time.After(2 * time.Second):
		t.Fatal("Read did not fail within 2s of the unload")
	}
	if err := r.Read(buf); !errors.Is(err, ErrKilled) {
		t.Errorf("next Read: %v, want ErrKilled", err)
	}
	if _, err := r.Latency(); !errors.Is(err, ErrKilled) {
		t.Errorf("Latency: %v, want ErrKilled", err)
	}
	if _, err := c.SinkInputCount("a"); !errors.Is(err, ErrNoEntity) {
		t.Errorf("SinkInputCount(a): %v, want ErrNoEntity", err)
	}
	if _, err := Record(p.server, "a.monitor", rate, channels, 0, 5*time.Second); !errors.Is(err, ErrNoEntity) {
		t.Errorf("Record(a.monitor) after unload: %v, want ErrNoEntity", err)
	}
	if err := c.UnloadModule(ma); !errors.Is(err, ErrNoEntity) {
		t.Errorf("second UnloadModule: %v, want ErrNoEntity", err)
	}
	if n, err := c.SinkInputCount("b"); err != nil || n != 0 {
		t.Errorf("SinkInputCount(b) = %d, %v", n, err)
	}
}

func TestLatency(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	playT(t, p, "a", 440)
	r := recordT(t, p, "a.monitor")
	buf := make([]byte, ms10)
	var lat []time.Duration
	for i := range 50 {
		if err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
		if i%5 == 4 {
			l, err := r.Latency()
			if err != nil {
				t.Fatal(err)
			}
			lat = append(lat, l)
		}
	}
	t.Logf("Latency() while recording: %v", lat)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if med := lat[len(lat)/2]; med <= 0 || med >= 100*time.Millisecond {
		t.Errorf("median latency %v, want in (0, 100ms)", med)
	}
	// Audio piles up while nobody reads.
	l0, err := r.Latency()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	time.Sleep(200 * time.Millisecond)
	l1, err := r.Latency()
	slept := time.Since(start)
	t.Logf("Latency() %v, then %v after %v without reading", l0, l1, slept)
	if err != nil || (l1-l0-slept).Abs() > 50*time.Millisecond {
		t.Errorf("Latency grew by %v (%v) in %v without reading", l1-l0, err, slept)
	}
	// Concurrently with a blocked Read.
	done := make(chan error, 1)
	go func() { done <- r.Read(make([]byte, 20*ms10)) }()
	if _, err := r.Latency(); err != nil {
		t.Errorf("Latency during Read: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestWriteToRead measures the time from Player.Write of the first tone
// samples (after silence) to Read returning them, with a 20 ms player
// buffer. It logs the figures; the bound is loose for a noisy machine.
func TestWriteToRead(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	pl, err := PlayBuffered(p.server, "a", rate, channels, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	r := recordT(t, p, "a.monitor")

	var (
		mu    sync.Mutex
		marks []time.Time // when each tone burst's Write started
		stop  atomic.Bool
	)
	done := make(chan error, 1)
	go func() {
		silence := make([]byte, ms10/2) // 5 ms chunks
		burst := make([]byte, ms10/2)
		(&tone{freq: 1000, amp: amp}).next(burst)
		for i := 0; !stop.Load(); i++ {
			b := silence
			if i%40 == 39 { // one 5 ms burst every 200 ms
				b = burst
				mu.Lock()
				marks = append(marks, time.Now())
				mu.Unlock()
			}
			if err := pl.Write(b); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	defer func() {
		stop.Store(true)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	buf := make([]byte, frame*48) // 1 ms
	var seen []time.Time
	prevLoud := false
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && len(seen) < 10 {
		if err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
		loud := rms(left(buf)) > 1000
		if loud && !prevLoud {
			seen = append(seen, time.Now())
		}
		prevLoud = loud
	}
	mu.Lock()
	defer mu.Unlock()
	var lat []time.Duration
	for _, s := range seen {
		// The latest burst written before s.
		var m time.Time
		for _, w := range marks {
			if w.Before(s) {
				m = w
			}
		}
		if !m.IsZero() {
			lat = append(lat, s.Sub(m))
		}
	}
	if len(lat) < 3 {
		t.Fatalf("saw %d bursts (%d written)", len(lat), len(marks))
	}
	t.Logf("Write -> Read latency (20 ms player buffer): %v", lat)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if med := lat[len(lat)/2]; med > 150*time.Millisecond {
		t.Errorf("median Write->Read latency %v", med)
	}
}

// TestServerKilled kills the server while a Read is blocked.
func TestServerKilled(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	tp := playT(t, p, "a", 440)
	r := recordT(t, p, "a.monitor")
	if err := r.Read(make([]byte, ms10)); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		big := make([]byte, 500*ms10) // 5 s: the kill comes mid-read
		errc <- r.Read(big)
	}()
	time.Sleep(200 * time.Millisecond)
	killed := time.Now()
	p.kill()
	select {
	case err := <-errc:
		t.Logf("Read returned %v after %v", err, time.Since(killed))
		if !errors.Is(err, ErrConnectionLost) {
			t.Errorf("Read: %v, want ErrConnectionLost", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Read still blocked 2s after the server died")
	}
	for deadline := time.Now().Add(2 * time.Second); c.Alive(); {
		if time.Now().After(deadline) {
			t.Fatal("Ctl still Alive 2s after the server died")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := r.Read(make([]byte, ms10)); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("Read on dead connection: %v", err)
	}
	if _, err := r.Latency(); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("Latency on dead connection: %v", err)
	}
	if _, err := c.SinkInputCount("a"); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("SinkInputCount on dead connection: %v", err)
	}
	if err := tp.close(); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("player Write: %v, want ErrConnectionLost", err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Dial(p.server, time.Second); !errors.Is(err, ErrConnect) {
		t.Errorf("Dial to dead server: %v, want ErrConnect", err)
	}
}

// TestServerKilledBetweenReads kills the server while the Recorder holds
// the rest of a fragment that a Read did not want. libpulse's mainloop
// thread, cleaning up the dead connection, waits with its lock held until
// every shared-memory block it handed out is released; a fragment kept
// acquired between Reads deadlocked the next Read and Close (seen as an
// Engine.Close that never returned).
func TestServerKilledBetweenReads(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	playT(t, p, "a", 440)
	r := recordT(t, p, "a.monitor")
	readUntilSound(t, r, 5*time.Second)
	for i := 0; i < 5; i++ { // 10 ms fragments read in 3 ms parts (part of one stays)
		if err := r.Read(make([]byte, ms10*3/10/frame*frame)); err != nil {
			t.Fatal(err)
		}
	}
	p.kill()
	<-p.exited
	time.Sleep(300 * time.Millisecond) // libpulse sees the hang-up
	done := make(chan error, 1)
	go func() {
		err := r.Read(make([]byte, ms10))
		r.Close()
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrConnectionLost) {
			t.Errorf("Read after the server died: %v, want ErrConnectionLost", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read and Close still blocked 5 s after the server died")
	}
}

// TestStoppedServer: a server that is alive but does not answer (SIGSTOP).
// Operations time out, a blocked Read and a blocked operation are ended by
// Close, and everything works again once the server continues.
func TestStoppedServer(t *testing.T) {
	p := startPulse(t)
	c, err := Dial(p.server, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	forever, err := Dial(p.server, 0) // no timeout
	if err != nil {
		t.Fatal(err)
	}
	sinkT(t, c, "a")
	r := recordT(t, p, "a.monitor")
	if err := r.Read(make([]byte, ms10)); err != nil {
		t.Fatal(err)
	}
	pid := p.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)

	start := time.Now()
	if _, err := c.SinkInputCount("a"); !errors.Is(err, ErrTimeout) {
		t.Errorf("SinkInputCount on stopped server: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
		t.Errorf("timed out after %v, want ~300ms", d)
	}
	if _, err := Record(p.server, "a.monitor", rate, channels, 0, 300*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("Record on stopped server: %v, want ErrTimeout", err)
	}

	readErr := make(chan error, 1)
	go func() { readErr <- r.Read(make([]byte, 100*ms10)) }()
	opErr := make(chan error, 1)
	go func() { _, err := forever.SinkInputCount("a"); opErr <- err }()
	time.Sleep(100 * time.Millisecond)
	start = time.Now()
	r.Close()
	forever.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-readErr; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked Read: %v, want ErrClosed", err)
	}
	if err := <-opErr; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked SinkInputCount: %v, want ErrClosed", err)
	}

	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if n, err := c.SinkInputCount("a"); err != nil || n != 0 || !c.Alive() {
		t.Errorf("after SIGCONT: SinkInputCount = %d, %v; Alive %v", n, err, c.Alive())
	}
}

// TestCloseInterruptsRead closes a Recorder whose Read is blocked (on a
// 10 s buffer).
func TestCloseInterruptsRead(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	r := recordT(t, p, "a.monitor")
	errc := make(chan error, 1)
	go func() { errc <- r.Read(make([]byte, 1000*ms10)) }()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); r.Close() }()
	}
	wg.Wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("interrupted Read: %v, want ErrClosed", err)
	}
	if err := r.Read(make([]byte, ms10)); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close: %v, want ErrClosed", err)
	}
}

// TestConcurrentCtl runs operations on one Ctl from several goroutines.
func TestConcurrentCtl(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("s%d", g)
			for range 5 {
				m, err := c.LoadNullSink(name, rate, channels)
				if err != nil {
					errs <- err
					return
				}
				if n, err := c.SinkInputCount(name); err != nil || n != 0 {
					errs <- fmt.Errorf("SinkInputCount(%s) = %d, %v", name, n, err)
				}
				if err := c.SetSinkMute(name, true); err != nil {
					errs <- err
				}
				if !c.Alive() {
					errs <- errors.New("not alive")
				}
				if err := c.UnloadModule(m); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestClientLimit opens control connections until the server refuses one.
// PulseAudio's limit (64 native-protocol clients per server) is a
// compile-time constant: no daemon option lowers it.
func TestClientLimit(t *testing.T) {
	p := startPulse(t)
	var conns []*Ctl
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var refused error
	for i := 0; i < 100; i++ {
		start := time.Now()
		c, err := Dial(p.server, 5*time.Second)
		d := time.Since(start)
		if err != nil {
			refused = err
			t.Logf("Dial #%d: %v after %v", i+1, err, d)
			if !errors.Is(err, ErrTooManyClients) {
				t.Errorf("Dial #%d: %v, want ErrTooManyClients", i+1, err)
			}
			if d > time.Second {
				t.Errorf("refusal took %v", d)
			}
			break
		}
		conns = append(conns, c)
	}
	if refused == nil {
		t.Logf("all %d connections accepted", len(conns))
		return
	}
	if len(conns) != 64 {
		t.Errorf("refused after %d connections, expected 64", len(conns))
	}
	// Record is refused the same way.
	if _, err := Record(p.server, "x.monitor", rate, channels, 0, 5*time.Second); !errors.Is(err, ErrTooManyClients) {
		t.Errorf("Record at the limit: %v, want ErrTooManyClients", err)
	}
	for _, c := range conns {
		if !c.Alive() {
			t.Error("an accepted connection died")
			break
		}
	}
	// A slot frees when a client leaves (the server notices asynchronously).
	conns[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := Dial(p.server, 5*time.Second)
		if err == nil {
			conns[0] = c
			break
		}
		if !errors.Is(err, ErrTooManyClients) || time.Now().After(deadline) {
			t.Fatalf("Dial after freeing a slot: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func countFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list fds: %v", err)
	}
	return len(ents)
}

// mainloopThreads counts libpulse's "threaded-ml" threads in this process.
func mainloopThreads(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("cannot list threads: %v", err)
	}
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile("/proc/self/task/" + e.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(b)) == "threaded-ml" {
			n++
		}
	}
	return n
}

func TestNoLeaks(t *testing.T) {
	p := startPulse(t)
	runtime.GC()
	fds, gs, ths := countFds(t), runtime.NumGoroutine(), mainloopThreads(t)
	buf := make([]byte, ms10)
	for range 3 {
		c, err := Dial(p.server, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.LoadNullSink("leak", rate, channels)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := Play(p.server, "leak", rate, channels)
		if err != nil {
			t.Fatal(err)
		}
		if err := pl.Write(make([]byte, 5*ms10)); err != nil {
			t.Fatal(err)
		}
		r, err := Record(p.server, "leak.monitor", rate, channels, 0, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := r.Read(buf); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.Latency(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SinkInputCount("leak"); err != nil {
			t.Fatal(err)
		}
		if mainloopThreads(t) < ths+2 {
			t.Errorf("expected two more threaded-ml threads while open")
		}
		pl.Close()
		r.Close()
		if err := c.UnloadModule(m); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	// Failed connections and streams must not leak either.
	if _, err := Dial("unix:"+filepath.Join(p.dir, "missing"), time.Second); err == nil {
		t.Fatal("Dial(missing) succeeded")
	}
	if _, err := Record(p.server, "missing.monitor", rate, channels, 0, time.Second); err == nil {
		t.Fatal("Record(missing) succeeded")
	}
	if got := countFds(t); got != fds {
		t.Errorf("open fds: %d before, %d after", fds, got)
	}
	if got := runtime.NumGoroutine(); got != gs {
		t.Errorf("goroutines: %d before, %d after", gs, got)
	}
	if got := mainloopThreads(t); got != ths {
		t.Errorf("threaded-ml threads: %d before, %d after", ths, got)
	}
}

// TestCloexec: no descriptor libpulse opens for us may leak into child
// processes such as Chromium.
func TestCloexec(t *testing.T) {
	p := startPulse(t)
	before := map[string]bool{}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	for _, e := range ents {
		before[e.Name()] = true
	}
	c := dialT(t, p)
	sinkT(t, c, "a")
	r := recordT(t, p, "a.monitor")
	if err := r.Read(make([]byte, ms10)); err != nil {
		t.Fatal(err)
	}
	ents, _ = os.ReadDir("/proc/self/fd")
	n := 0
	for _, e := range ents {
		if before[e.Name()] {
			continue
		}
		out, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue // the ReadDir fd itself
		}
		n++
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "flags:"); ok {
				flags, _ := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
				if flags&0o2000000 == 0 { // O_CLOEXEC
					target, _ := os.Readlink("/proc/self/fd/" + e.Name())
					t.Errorf("fd %s (%s) flags %o lack O_CLOEXEC", e.Name(), target, flags)
				}
			}
		}
	}
	t.Logf("%d new fds for one Ctl + one Recorder", n)
}

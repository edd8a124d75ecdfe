package tests

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/pulsecap"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// collectAudio gathers d of a page's sound (left channel, as floats in
// -1..1), skipping frames until the first loud one when waitSound is set.
func collectAudio(t *testing.T, p *lkbrowser.Page, d time.Duration, waitSound bool) []float64 {
	t.Helper()
	var out []float64
	deadline := time.After(d + 20*time.Second)
	need := int(d.Seconds() * lkbrowser.AudioSampleRate)
	for len(out) < need {
		select {
		case f, ok := <-p.Audio():
			if !ok {
				t.Fatal("Audio closed")
			}
			if waitSound && len(out) == 0 && peak(f) < 1000 {
				continue
			}
			for i := 0; i < len(f.PCM); i += f.Channels {
				out = append(out, float64(f.PCM[i])/32768)
			}
		case <-deadline:
			t.Fatalf("only %d of %d samples", len(out), need)
		}
	}
	return out
}

func peak(f *lkbrowser.AudioFrame) int {
	m := 0
	for _, s := range f.PCM {
		m = max(m, int(s), -int(s))
	}
	return m
}

// frequency measures the frequency of a tone from the median time between
// its rising zero crossings (interpolated between samples), so that a
// dropout on a loaded machine does not bias it.
func frequency(x []float64) float64 {
	var periods []float64
	prev := -1.0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			at := float64(i-1) + x[i-1]/(x[i-1]-x[i])
			if prev >= 0 {
				periods = append(periods, at-prev)
			}
			prev = at
		}
	}
	if len(periods) == 0 {
		return 0
	}
	slices.Sort(periods)
	return lkbrowser.AudioSampleRate / periods[len(periods)/2]
}

func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// power is the Goertzel power of x at frequency f, over a Hann window so
// that a strong tone does not leak into the frequencies next to it.
func power(x []float64, f float64) float64 {
	w := 2 * math.Pi * f / lkbrowser.AudioSampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for i, v := range x {
		v *= 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1))
		s1, s2 = v+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

func db(r float64) float64 { return 10 * math.Log10(r) }

func TestToneIsCapturedAtItsFrequencyAndLevel(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("tone.html#440"), Width: 320, Height: 240})
	x := collectAudio(t, p, time.Second, true)
	f, level := frequency(x), rms(x)
	t.Logf("440 Hz page: measured %.2f Hz, RMS %.4f (%.1f dBFS)", f, level, 20*math.Log10(level))
	if math.Abs(f-440) > 2 {
		t.Errorf("frequency %.2f Hz, want 440 ± 2", f)
	}
	// Gain 0.5: a sine of amplitude 0.5 has an RMS of 0.354 (-9 dBFS).
	if want := 0.5 / math.Sqrt2; math.Abs(20*math.Log10(level/want)) > 1.5 {
		t.Errorf("RMS %.4f, want %.4f ± 1.5 dB", level, want)
	}
}

func TestThreePagesEachCaptureOnlyTheirTone(t *testing.T) {
	freqs := []float64{440, 550, 660}
	pages := make([]*lkbrowser.Page, len(freqs))
	for i, f := range freqs {
		pages[i] = openPage(t, lkbrowser.PageOptions{URL: url("tone.html#" + strconv.Itoa(int(f))), Width: 320, Height: 240, FrameRate: 5})
	}
	for i, p := range pages {
		x := collectAudio(t, p, time.Second, true)
		own := power(x, freqs[i])
		if got := frequency(x); math.Abs(got-freqs[i]) > 2 {
			t.Errorf("page %d: frequency %.2f Hz, want %.0f", i, got, freqs[i])
		}
		for j, f := range freqs {
			if j == i {
				continue
			}
			if r := db(power(x, f) / own); r > -40 {
				t.Errorf("page %d (%.0f Hz) hears %.0f Hz at %.1f dB, want below -40 dB", i, freqs[i], f, r)
			} else {
				t.Logf("page %d (%.0f Hz): %.0f Hz at %.1f dB", i, freqs[i], f, r)
			}
		}
	}
}

func isEvent[E lkbrowser.Event](ev lkbrowser.Event) bool {
	_, ok := ev.(E)
	return ok
}

func TestAudioStreamEventsAndMute(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("tone.html#440,stop"), Width: 320, Height: 240, FrameRate: 5})
	go func() { // keep the audio queue drained
		for range p.Audio() {
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	if _, err := p.Eval(ctx, `play()`); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "AudioStreamStarted", isEvent[*lkbrowser.AudioStreamStarted])
	if _, err := p.Eval(ctx, `stop()`); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "AudioStreamStopped", isEvent[*lkbrowser.AudioStreamStopped])
	if _, err := p.Eval(ctx, `play()`); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "AudioStreamStarted again", isEvent[*lkbrowser.AudioStreamStarted])
	// Muted: capture goes on, silent.
	if err := p.SetAudioMuted(ctx, true); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "AudioStreamStopped when muted", isEvent[*lkbrowser.AudioStreamStopped])
	if err := p.SetAudioMuted(ctx, false); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "AudioStreamStarted when unmuted", isEvent[*lkbrowser.AudioStreamStarted])
}

func TestMuteSilencesCapture(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("tone.html#440"), Width: 320, Height: 240, FrameRate: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	loud := rms(collectAudio(t, p, 300*time.Millisecond, true))
	if err := p.SetAudioMuted(ctx, true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	for len(p.Audio()) > 0 { // what was queued before the mute
		<-p.Audio()
	}
	quiet := rms(collectAudio(t, p, 300*time.Millisecond, false))
	t.Logf("RMS %.4f playing, %.6f muted", loud, quiet)
	if quiet > loud/1000 {
		t.Errorf("muted capture RMS %.6f, playing %.4f: want silence", quiet, loud)
	}
}

// TestFlashAndBeepAlign checks A/V alignment: the page turns white and
// starts a beep at the same instant; the frame showing white and the beep's
// first sample must carry PTSs within 40 ms (median) and 60 ms (worst) of
// each other. The page draws both from JavaScript at 60 fps (a 60 Hz
// display) and at 30 fps (a 30 Hz display, where Chromium's picture takes
// twice as long to show); and it plays a video clip whose picture and sound
// flash and beep together (Chromium's player then keeps them in step).
func TestFlashAndBeepAlign(t *testing.T) {
	for _, fps := range []int{60, 30} {
		t.Run(strconv.Itoa(fps)+"fps", func(t *testing.T) {
			flashAndBeepAlign(t, lkbrowser.PageOptions{URL: url("flashbeep.html"), Width: 320, Height: 240, FrameRate: fps}, 160, 120, "start()")
		})
	}
	t.Run("video", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := testsupport.MakeFlashBeepClip(ctx, madeDir); err != nil {
			t.Fatal(err)
		}
		flashAndBeepAlign(t, lkbrowser.PageOptions{URL: url("made/clip.html"), Width: 640, Height: 360, FrameRate: 30}, 580, 60, "")
	})
}

// flashAndBeepAlign opens a page with opts, runs start (unless empty), and
// pairs the frames where pixel (x, y) turns white with the beeps.
func flashAndBeepAlign(t *testing.T, opts lkbrowser.PageOptions, x, y int, start string) {
	p := openPage(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	var flashes, beeps []time.Duration
	done := time.After(40 * time.Second)
	if start != "" {
		if _, err := p.Eval(ctx, start); err != nil {
			t.Fatal(err)
		}
	}
	white := false
	var lastLoud time.Duration = -time.Hour
	for len(flashes) < 14 || len(beeps) < 14 {
		select {
		case f := <-p.Frames():
			b, g, r := f.BGRA(x, y)
			isWhite := r > 200 && g > 200 && b > 200
			if isWhite && !white {
				flashes = append(flashes, f.PTS)
			}
			white = isWhite
			f.Release()
		case a := <-p.Audio():
			for i := 0; i < len(a.PCM); i += a.Channels {
				if s := a.PCM[i]; s > 3000 || s < -3000 {
					at := a.PTS + time.Duration(i/a.Channels)*time.Second/lkbrowser.AudioSampleRate
					if at-lastLoud > 100*time.Millisecond { // a new beep
						beeps = append(beeps, at)
					}
					lastLoud = at
				}
			}
		case <-done:
			t.Fatalf("only %d flashes and %d beeps", len(flashes), len(beeps))
		}
	}
	// Pair each flash with the nearest beep; skip the first two (start-up).
	var diffs []time.Duration
	for _, fl := range flashes[2:12] {
		best := time.Hour
		for _, b := range beeps {
			if d := b - fl; absDur(d) < absDur(best) {
				best = d
			}
		}
		diffs = append(diffs, best)
	}
	abs := make([]time.Duration, len(diffs))
	for i, d := range diffs {
		abs[i] = absDur(d)
	}
	slices.Sort(abs)
	median, worst := abs[len(abs)/2], abs[len(abs)-1]
	t.Logf("beep PTS - flash PTS over 10 flashes: %v; median |d| %v, worst %v", diffs, median, worst)
	if median > 40*time.Millisecond || worst > 60*time.Millisecond {
		t.Errorf("A/V misaligned: median %v (want <= 40ms), worst %v (want <= 60ms)", median, worst)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func TestKillingTheSoundServer(t *testing.T) {
	e, _ := ownEngine(t, lkbrowser.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var pages []*lkbrowser.Page
	for _, f := range []string{"440", "660"} {
		p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("tone.html#" + f), Width: 320, Height: 240})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	// Both pages capture sound, then PulseAudio dies.
	for _, p := range pages {
		collectAudio(t, p, 200*time.Millisecond, true)
	}
	if err := syscall.Kill(e.SoundServerPID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i, p := range pages {
		ev := waitEvent(t, p, 5*time.Second, "AudioFailed", isEvent[*lkbrowser.AudioFailed]).(*lkbrowser.AudioFailed)
		t.Logf("page %d: %s", i, ev.Reason)
		// Video goes on.
		if _, err := p.Eval(ctx, `document.body.style.background = "#0f0"`); err != nil {
			t.Fatal(err)
		}
		waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 10, 10, rgb{0, 255, 0}, 2) }).Release()
	}
	// A new page gets a new sound server.
	p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("tone.html#550"), Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	if f := frequency(collectAudio(t, p, 500*time.Millisecond, true)); math.Abs(f-550) > 2 {
		t.Errorf("new page after the sound server restarted: %.1f Hz", f)
	}
	if err := e.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestPagesBeyondTheSoundServersClientLimit fills the engine's PulseAudio
// with idle clients up to its limit: the next page must fail fast with a
// clear error, and work again once clients leave.
func TestPagesBeyondTheSoundServersClientLimit(t *testing.T) {
	e, _ := ownEngine(t, lkbrowser.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: "about:blank", Width: 320, Height: 240, FrameRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// The server's socket, from its command line.
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", e.SoundServerPID()))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(cmdline), "socket=")
	sock, _, _ := strings.Cut(rest, " ")
	if !ok || sock == "" {
		t.Fatalf("no socket in the sound server's command line %q", cmdline)
	}
	var idle []*pulsecap.Ctl
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for len(idle) < 200 {
		c, err := pulsecap.Dial("unix:"+sock, 5*time.Second)
		if errors.Is(err, pulsecap.ErrTooManyClients) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	t.Logf("the server took %d more clients", len(idle))
	start := time.Now()
	_, err = e.NewPage(ctx, lkbrowser.PageOptions{URL: "about:blank", Width: 320, Height: 240, FrameRate: 1})
	if !errors.Is(err, lkbrowser.ErrAudio) || !strings.Contains(err.Error(), "too many clients") {
		t.Fatalf("NewPage with the sound server full: %v, want ErrAudio naming too many clients", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refusal took %v", d)
	}
	t.Logf("refused after %v: %v", time.Since(start), err)
	for _, c := range idle[:4] {
		c.Close()
	}
	idle = idle[4:]
	p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("tone.html#440"), Width: 320, Height: 240, FrameRate: 1})
	if err != nil {
		t.Fatalf("NewPage after clients left: %v", err)
	}
	if f := frequency(collectAudio(t, p, 300*time.Millisecond, true)); math.Abs(f-440) > 2 {
		t.Errorf("frequency %.1f", f)
	}
}

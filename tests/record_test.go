package tests

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/webm"
)

// probeResult is the part of ffprobe's JSON the tests look at.
type probeResult struct {
	Streams []struct {
		CodecType  string `json:"codec_type"`
		CodecName  string `json:"codec_name"`
		Width      int    `json:"width"`
		Height     int    `json:"height"`
		SampleRate string `json:"sample_rate"`
		Channels   int    `json:"channels"`
		Packets    string `json:"nb_read_packets"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

// stream returns the first stream of the kind ("video", "audio").
func (p *probeResult) stream(kind string) (i int, ok bool) {
	for i, s := range p.Streams {
		if s.CodecType == kind {
			return i, true
		}
	}
	return -1, false
}

func (p *probeResult) duration(t *testing.T) float64 {
	t.Helper()
	d, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil {
		t.Fatalf("ffprobe duration %q: %v", p.Format.Duration, err)
	}
	return d
}

// needFFmpeg skips the test when ffprobe or ffmpeg is missing (Debian
// package ffmpeg, installed by scripts/setup.sh).
func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install ffmpeg)", tool)
		}
	}
}

// ffprobe reads path with ffprobe, counting packets, and fails the test on
// any error ffprobe reports.
func ffprobe(t *testing.T, path string) *probeResult {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("ffprobe", "-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, stderr.String())
	}
	var res probeResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe output: %v\n%s", err, out)
	}
	t.Logf("ffprobe %s: duration %s, streams %+v", filepath.Base(path), res.Format.Duration, res.Streams)
	return &res
}

// ffmpegOut runs ffmpeg with args and returns what it wrote to stdout; it
// fails the test on any error ffmpeg reports.
func ffmpegOut(t *testing.T, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error"}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffmpeg %q: %v\n%s", args, err, stderr.String())
	}
	return out
}

// checkBlocks decodes the video frame at second at and checks the colour
// blocks of colors.html (and record.html) at their centres.
func checkBlocks(t *testing.T, path string, at float64, w, h int) {
	t.Helper()
	pix := ffmpegOut(t, "-ss", strconv.FormatFloat(at, 'f', 2, 64), "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	if len(pix) != w*h*3 {
		t.Fatalf("frame at %.1fs: %d bytes, want %dx%dx3", at, len(pix), w, h)
	}
	d := func(a, b uint8) int { return max(int(a), int(b)) - min(int(a), int(b)) }
	for _, b := range colorBlocks {
		i := (b.y*w + b.x) * 3
		got := rgb{pix[i], pix[i+1], pix[i+2]}
		if d(got.r, b.c.r) > 12 || d(got.g, b.c.g) > 12 || d(got.b, b.c.b) > 12 {
			t.Errorf("frame at %.1fs: pixel (%d,%d) is %v, want %v ± 12", at, b.x, b.y, got, b.c)
		}
	}
}

// decodeAudio decodes path's sound as 48 kHz mono floats.
func decodeAudio(t *testing.T, path string) []float64 {
	t.Helper()
	raw := ffmpegOut(t, "-i", path, "-f", "s16le", "-ac", "1", "-ar", "48000", "-")
	x := make([]float64, len(raw)/2)
	for i := range x {
		x[i] = float64(int16(binary.LittleEndian.Uint16(raw[2*i:]))) / 32768
	}
	return x
}

func TestRecordCLI(t *testing.T) {
	needFFmpeg(t)
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "out.webm")
	res := runCLI(t, bin, nil, "record", "--width", "640", "--height", "360", "--duration", "5s", url("record.html"), out)
	if res.code != 0 || res.stdout != "" || res.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and no output (stderr is not a terminal)", res.code, res.stdout, res.stderr)
	}
	pr := ffprobe(t, out)
	if i, ok := pr.stream("video"); !ok || pr.Streams[i].CodecName != "vp8" || pr.Streams[i].Width != 640 || pr.Streams[i].Height != 360 {
		t.Errorf("want a vp8 640x360 video stream, got %+v", pr.Streams)
	}
	if i, ok := pr.stream("audio"); !ok || pr.Streams[i].CodecName != "opus" || pr.Streams[i].SampleRate != "48000" || pr.Streams[i].Channels != 2 {
		t.Errorf("want an opus 48000 Hz stereo audio stream, got %+v", pr.Streams)
	}
	if d := pr.duration(t); math.Abs(d-5) > 0.3 {
		t.Errorf("duration %.3fs, want 5 ± 0.3", d)
	}
	checkBlocks(t, out, 2, 640, 360)
	x := decodeAudio(t, out)
	if len(x) < 4*48000 {
		t.Fatalf("decoded %d samples, want at least 4 s", len(x))
	}
	mid := x[48000 : 4*48000]
	f, level := frequency(mid), rms(mid)
	t.Logf("decoded %.2fs of sound: %.2f Hz, RMS %.3f", float64(len(x))/48000, f, level)
	if math.Abs(f-440) > 2 {
		t.Errorf("frequency %.2f Hz, want 440 ± 2", f)
	}
	if want := 0.5 / math.Sqrt2; math.Abs(20*math.Log10(level/want)) > 3 {
		t.Errorf("RMS %.3f, want %.3f ± 3 dB", level, want)
	}
}

// TestRecordCLIInterrupt records without --duration and stops it with
// SIGINT, as Ctrl-C does: the command exits 0 soon, with a valid file as
// long as the recording ran.
func TestRecordCLIInterrupt(t *testing.T) {
	needFFmpeg(t)
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "out.webm")
	tmp, err := os.MkdirTemp("", "cli-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(bin, "record", "--width", "640", "--height", "360", url("record.html"), out)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	// The file appears when the recording starts.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if st, err := os.Stat(out); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the recording did not start; stderr: %s", stderr.String())
		}
	}
	time.Sleep(3 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-exited:
		t.Logf("exited %v after SIGINT: %v; stderr %q", time.Since(start).Round(time.Millisecond), err, stderr.String())
		if err != nil {
			t.Errorf("exit after SIGINT: %v, want status 0", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5 s after SIGINT")
	}
	if stdout.Len() > 0 || stderr.Len() > 0 {
		t.Errorf("stdout %q, stderr %q; want no output", stdout.String(), stderr.String())
	}
	pr := ffprobe(t, out)
	if d := pr.duration(t); math.Abs(d-3) > 1 {
		t.Errorf("duration %.3fs, want about 3 (± 1)", d)
	}
	if _, ok := pr.stream("video"); !ok {
		t.Error("no video stream")
	}
	if _, ok := pr.stream("audio"); !ok {
		t.Error("no audio stream")
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left files in TMPDIR: %v", left)
	}
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		procs, shm := processesMentioning(tmp), shmCreatedBy(cmd.Process.Pid)
		if len(procs) == 0 && len(shm) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("left processes %v and shared-memory segments %v", procs, shm)
			break
		}
	}
}

// TestRecordCLIStaticPage records a page that never changes, without
// sound: the file still lasts as long as the recording, and the picture
// is there all along.
func TestRecordCLIStaticPage(t *testing.T) {
	needFFmpeg(t)
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "static.webm")
	res := runCLI(t, bin, nil, "record", "--no-audio", "--width", "320", "--height", "240", "--duration", "4s", url("colors.html"), out)
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	pr := ffprobe(t, out)
	if len(pr.Streams) != 1 || pr.Streams[0].CodecName != "vp8" {
		t.Fatalf("want one vp8 stream, got %+v", pr.Streams)
	}
	if d := pr.duration(t); math.Abs(d-4) > 0.3 {
		t.Errorf("duration %.3fs, want 4 ± 0.3", d)
	}
	// The first picture, a repeat each second and the last at the stop.
	if n, _ := strconv.Atoi(pr.Streams[0].Packets); n < 5 {
		t.Errorf("%d video packets, want at least 5 for a still page of 4 s", n)
	}
	checkBlocks(t, out, 0.5, 320, 240)
	checkBlocks(t, out, 3.5, 320, 240)
}

// record prints nothing of its own unless asked (TestRecordCLI); with
// --verbose the log of what happened is on stderr, the recording's end
// among it.
func TestRecordCLIVerbose(t *testing.T) {
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "verbose.webm")
	res := runCLI(t, bin, nil, "record", "--verbose", "--no-audio", "--width", "320", "--height", "240", "--duration", "1s", url("colors.html"), out)
	if res.code != 0 || res.stdout != "" || !strings.Contains(res.stderr, "msg=recorded") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and the log on stderr", res.code, res.stdout, res.stderr)
	}
}

func TestRecordCLIErrors(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.webm")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"NotWebM", []string{url("colors.html"), filepath.Join(dir, "out.mp4")}, []string{".webm"}},
		{"MissingArgs", []string{url("colors.html")}, []string{"usage: lkbrowser record"}},
		{"BadFPS", []string{"--fps", "0", url("colors.html"), out}, []string{"fps"}},
		{"BadBitrate", []string{"--video-bitrate", "5", url("colors.html"), out}, []string{"--video-bitrate"}},
		{"NegativeDuration", []string{"--duration", "-1s", url("colors.html"), out}, []string{"--duration"}},
		{"FTP", []string{"ftp://x", out}, []string{"ftp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, bin, nil, append([]string{"record"}, tc.args...)...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2", res.code)
			}
			oneErrorLine(t, res.stderr, tc.want...)
		})
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("failed commands left files: %v", left)
	}
	res := runCLI(t, bin, nil, "record", "-h")
	if res.code != 0 || !bytes.Contains([]byte(res.stdout), []byte("--duration")) {
		t.Errorf("record -h: exit %d, stdout %q", res.code, res.stdout)
	}
}

// closeRecorder is a WriteCloser over a buffer that remembers Close.
type closeRecorder struct {
	bytes.Buffer
	closed atomic.Int32
}

func (c *closeRecorder) Close() error { c.closed.Add(1); return nil }

// TestRecorderToBuffer records through the Go API into a writer that
// cannot seek: a live WebM stream without index or duration.
func TestRecorderToBuffer(t *testing.T) {
	needFFmpeg(t)
	p := openPage(t, lkbrowser.PageOptions{URL: url("record.html"), Width: 320, Height: 240})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	var buf closeRecorder
	var progress atomic.Int32
	r, err := webm.NewRecorder(p, &buf, webm.Options{VideoBitrate: 500, AudioBitrate: 64,
		Progress: func(webm.Progress) { progress.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	if err := r.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := r.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	select {
	case <-r.Done():
	default:
		t.Error("Done is not closed after Stop")
	}
	st := r.Stats()
	t.Logf("stats %+v, %d progress calls", st, progress.Load())
	if buf.closed.Load() != 1 {
		t.Errorf("writer closed %d times, want once", buf.closed.Load())
	}
	if st.Bytes != int64(buf.Len()) || st.Frames < 3 || st.AudioPackets < 100 || st.AudioPackets > 135 {
		t.Errorf("stats %+v for %d bytes and 2.5 s: want the byte count, at least 3 frames and 125 audio packets", st, buf.Len())
	}
	if math.Abs(st.Elapsed.Seconds()-2.5) > 0.3 {
		t.Errorf("Elapsed %v, want 2.5s", st.Elapsed)
	}
	if n := progress.Load(); n < 2 {
		t.Errorf("Progress called %d times, want about once a second and at the end", n)
	}
	path := filepath.Join(t.TempDir(), "buf.webm")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pr := ffprobe(t, path)
	vi, okv := pr.stream("video")
	ai, oka := pr.stream("audio")
	if !okv || !oka || pr.Streams[vi].CodecName != "vp8" || pr.Streams[vi].Width != 320 || pr.Streams[ai].CodecName != "opus" {
		t.Fatalf("want vp8 320x240 and opus streams, got %+v", pr.Streams)
	}
	if n, _ := strconv.Atoi(pr.Streams[ai].Packets); uint64(n) != st.AudioPackets {
		t.Errorf("ffprobe counts %d audio packets, the recorder wrote %d", n, st.AudioPackets)
	}
	if n, _ := strconv.Atoi(pr.Streams[vi].Packets); uint64(n) != st.Frames {
		t.Errorf("ffprobe counts %d video packets, the recorder wrote %d", n, st.Frames)
	}
	if f := frequency(decodeAudio(t, path)[24000:]); math.Abs(f-440) > 2 {
		t.Errorf("frequency %.2f Hz, want 440 ± 2", f)
	}
	// The channels are the caller's again.
	if _, err := p.Eval(context.Background(), `document.documentElement.style.background = "#0f0"`); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 310, 230, rgb{0, 255, 0}, 2) }).Release()
}

// TestRecordFileCutShort copies the file while it is being recorded, as a
// crash would leave it: the copy is readable and tells its duration.
func TestRecordFileCutShort(t *testing.T) {
	needFFmpeg(t)
	p := openPage(t, lkbrowser.PageOptions{URL: url("anim.html"), Width: 320, Height: 240, FrameRate: 30})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	dir := t.TempDir()
	path := filepath.Join(dir, "anim.webm")
	r, err := webm.RecordFile(p, path, webm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	time.Sleep(2500 * time.Millisecond)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.webm")
	if err := os.WriteFile(cut, b, 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := r.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	st := r.Stats()
	t.Logf("stats %+v", st)
	if st.Frames < 45 {
		t.Errorf("%d frames of an animation in 3 s at up to 30 fps, want at least 45", st.Frames)
	}
	pr := ffprobe(t, cut)
	if d := pr.duration(t); d < 1.5 || d > 2.6 {
		t.Errorf("cut-short file: duration %.3fs, want 1.5..2.6 (the recording was 2.5 s old)", d)
	}
	if x := decodeAudio(t, cut); len(x) < 48000*3/2 {
		t.Errorf("cut-short file: %d samples of sound, want at least 1.5 s", len(x))
	}
	pr = ffprobe(t, path)
	if d := pr.duration(t); math.Abs(d-3) > 0.3 {
		t.Errorf("finished file: duration %.3fs, want 3 ± 0.3", d)
	}
	if d := st.Elapsed.Seconds(); math.Abs(d-pr.duration(t)) > 0.001 {
		t.Errorf("Stats().Elapsed %.3fs, file %.3fs", d, pr.duration(t))
	}
}

// TestRecordFollowsResize resizes the page while recording: the frames
// after the resize have the new size and the whole file decodes.
func TestRecordFollowsResize(t *testing.T) {
	needFFmpeg(t)
	p := openPage(t, lkbrowser.PageOptions{URL: url("colors.html"), Width: 640, Height: 360})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	path := filepath.Join(t.TempDir(), "resize.webm")
	r, err := webm.RecordFile(p, path, webm.Options{NoAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	time.Sleep(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Resize(ctx, 320, 240); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := r.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	pr := ffprobe(t, path)
	if pr.Streams[0].Width != 640 || pr.Streams[0].Height != 360 {
		t.Errorf("track size %dx%d, want the first size 640x360", pr.Streams[0].Width, pr.Streams[0].Height)
	}
	// ffprobe decodes every frame; it must report no error.
	var stderr bytes.Buffer
	cmd := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=width,height", "-of", "csv=p=0", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffprobe frames: %v\n%s", err, stderr.String())
	}
	seen := map[string]int{}
	for _, line := range bytes.Fields(out) {
		seen[string(line)]++
	}
	t.Logf("decoded frame sizes: %v", seen)
	if seen["640,360"] == 0 || seen["320,240"] == 0 {
		t.Errorf("decoded frame sizes %v, want 640x360 before the resize and 320x240 after", seen)
	}
}

// TestRecordAVSync records flashbeep.html, whose page turns white and
// starts a beep at the same JavaScript instant every 600 ms, and measures
// in the file how far each beep is from its flash.
func TestRecordAVSync(t *testing.T) {
	needFFmpeg(t)
	p := openPage(t, lkbrowser.PageOptions{URL: url("flashbeep.html"), Width: 320, Height: 240, FrameRate: 60})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	path := filepath.Join(t.TempDir(), "flashbeep.webm")
	r, err := webm.RecordFile(p, path, webm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.Eval(ctx, `start()`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	// Flashes: the frames whose mean luma turns high.
	out, err := exec.Command("ffprobe", "-v", "error", "-f", "lavfi", "-i", "movie="+path+",signalstats",
		"-show_entries", "frame=pts_time:frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0").Output()
	if err != nil {
		t.Fatal(err)
	}
	var flashes []float64
	white := false
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		f := bytes.Split(line, []byte(","))
		if len(f) != 2 {
			continue
		}
		at, _ := strconv.ParseFloat(string(f[0]), 64)
		y, _ := strconv.ParseFloat(string(f[1]), 64)
		if y > 128 && !white {
			flashes = append(flashes, at)
		}
		white = y > 128
	}
	// Beeps: the first loud sample after a silence.
	x := decodeAudio(t, path)
	var beeps []float64
	last := -1.0
	for i, v := range x {
		if math.Abs(v) > 0.1 {
			at := float64(i) / 48000
			if at-last > 0.1 {
				beeps = append(beeps, at)
			}
			last = at
		}
	}
	if len(flashes) < 5 || len(beeps) < 5 {
		t.Fatalf("%d flashes at %v and %d beeps at %v, want at least 5 each", len(flashes), flashes, len(beeps), beeps)
	}
	var diffs []float64
	for _, fl := range flashes[1:] {
		best := math.Inf(1)
		for _, b := range beeps {
			if math.Abs(b-fl) < math.Abs(best) {
				best = b - fl
			}
		}
		diffs = append(diffs, best*1000)
	}
	abs := make([]float64, len(diffs))
	for i, d := range diffs {
		abs[i] = math.Abs(d)
	}
	slices.Sort(abs)
	t.Logf("flashes at %.3f s, beeps at %.3f s; beep - flash (ms): %.0f; median |d| %.0f ms", flashes, beeps, diffs, abs[len(abs)/2])
	if abs[len(abs)/2] > 45 {
		t.Errorf("A/V misaligned in the file: median |beep - flash| %.0f ms, want <= 45", abs[len(abs)/2])
	}
}

// failingWriter fails every write once limit bytes were written.
type failingWriter struct {
	n, limit int
	closed   atomic.Int32
}

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n+len(b) > w.limit {
		return 0, errors.New("disk full")
	}
	w.n += len(b)
	return len(b), nil
}

func (w *failingWriter) Close() error { w.closed.Add(1); return nil }

// TestRecorderWriteError: a failing output ends the recording by itself,
// closes the writer, and Stop reports the error.
func TestRecorderWriteError(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("anim.html"), Width: 320, Height: 240})
	w := &failingWriter{limit: 20000}
	r, err := webm.NewRecorder(p, w, webm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Done():
	case <-time.After(20 * time.Second):
		r.Stop()
		t.Fatal("the recording went on after its output failed")
	}
	err = r.Stop()
	t.Logf("Stop: %v", err)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Stop: %v, want the write error", err)
	}
	if w.closed.Load() != 1 {
		t.Errorf("writer closed %d times, want once", w.closed.Load())
	}
}

// TestRecordDiskFull records into a file on a 1 MiB tmpfs until the disk
// is full. The tmpfs is mounted in a private mount namespace, by a copy of
// this test binary run under unshare (TestHelperRecordDiskFull), so that
// nothing outside the test sees it; the copy leaves the file it recorded
// here. The recorder must end by itself with an error matching ENOSPC, and
// the file must be valid up to its last byte: every element complete, every
// VP8 frame decodable, the last one showing the page.
func TestRecordDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs in a private mount namespace")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare (util-linux) not installed")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mnt, out := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, unshare, "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs -o size=1m lkbrowser-test "$1" && exec "$2" -test.run='^TestHelperRecordDiskFull$' -test.count=1 -test.v`,
		"sh", mnt, bin)
	cmd.Env = append(os.Environ(), "LKBROWSER_DISKFULL_DIR="+mnt, "LKBROWSER_DISKFULL_OUT="+out)
	output, err := cmd.CombinedOutput()
	t.Logf("helper:\n%s", output)
	if err != nil || !bytes.Contains(output, []byte("--- PASS: TestHelperRecordDiskFull")) {
		t.Fatalf("helper: %v", err)
	}
	if left, _ := os.ReadDir(mnt); len(left) > 0 {
		t.Errorf("the tmpfs of the helper's namespace shows here: %v", left)
	}
	path := filepath.Join(out, "full.webm")
	st := checkWebM(t, path, trackVideoNumber)
	t.Logf("file of %d bytes: %d video frames (%d keyframes) up to %d ms, %d audio blocks, every element complete and every frame decoded",
		st.size, st.video, st.keyframes, st.lastVideoMs, st.audio)
	if st.video < 10 || st.audio < 10 {
		t.Errorf("%d video frames and %d audio blocks in a full 1 MiB disk, want at least 10 each", st.video, st.audio)
	}
	if c := st.lastColour; absDiff(c.r, 0) > 40 || absDiff(c.g, 255) > 40 || absDiff(c.b, 0) > 40 {
		t.Errorf("the last frame's right half is %v, want green", c)
	}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		ffprobe(t, path)
		// Decodes everything, fails on any error; the frames keep their own
		// (variable) times, in ms: at ffmpeg's default time base, 1/fps,
		// two frames less than a frame interval apart (capture may take one
		// half an interval after another) share a tick and ffmpeg's null
		// muxer reports non-monotonic dts for a valid file.
		ffmpegOut(t, "-i", path, "-fps_mode", "passthrough", "-enc_time_base:v", "1:1000", "-f", "null", "-")
	}
}

// TestHelperRecordDiskFull is run by TestRecordDiskFull in a private mount
// namespace with a 1 MiB tmpfs at $LKBROWSER_DISKFULL_DIR.
func TestHelperRecordDiskFull(t *testing.T) {
	dir, out := os.Getenv("LKBROWSER_DISKFULL_DIR"), os.Getenv("LKBROWSER_DISKFULL_OUT")
	if dir == "" || out == "" {
		t.Skip("run by TestRecordDiskFull")
	}
	p := openPage(t, lkbrowser.PageOptions{URL: url("noise.html"), Width: 320, Height: 240, FrameRate: 30})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	path := filepath.Join(dir, "full.webm")
	r, err := webm.RecordFile(p, path, webm.Options{VideoBitrate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Done():
	case <-time.After(60 * time.Second):
		r.Stop()
		t.Fatalf("the disk did not fill in 60 s: %+v", r.Stats())
	}
	err = r.Stop()
	t.Logf("Stop: %v; stats %+v", err, r.Stats())
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Stop: %v, want an error matching ENOSPC", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "full.webm"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// The channels are the caller's again and the page goes on.
	waitFrame(t, p, 10*time.Second, func(*lkbrowser.Frame) bool { return true }).Release()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/webm"
)

const recordSynopsis = "[flags] URL OUT.webm"

const recordHelp = `Loads URL in a private off-screen browser, waits for the page's load event
and records its picture (VP8) and sound (Opus) to OUT.webm for --duration,
or until Ctrl-C (SIGINT) or SIGTERM when --duration is not given.

OUT.webm is written as the recording goes, so even a killed recording is
readable up to where it stopped. Ctrl-C or SIGTERM while recording ends the
recording cleanly: the file is finalised and the exit status is 0. On a
terminal a progress line is shown on stderr.`

// rec is what the record command was asked to do.
type rec struct {
	url, out            string
	width, height, fps  int
	duration, timeout   time.Duration
	videoKbps, audioKbp int
	noAudio             bool
	egress              egressFlags
}

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("record")
	var r rec
	flags.IntVar(&r.width, "width", 1280, "page width in pixels, 16..4096")
	flags.IntVar(&r.height, "height", 720, "page height in pixels, 16..4096")
	flags.IntVar(&r.fps, "fps", 30, "largest frame rate, 1..60")
	flags.DurationVar(&r.duration, "duration", 0, "how long to record; without it, until Ctrl-C")
	flags.IntVar(&r.videoKbps, "video-bitrate", 0, "VP8 bitrate in kbit/s (default 2500 up to 1280x720, 4500 above)")
	flags.IntVar(&r.audioKbp, "audio-bitrate", 96, "Opus bitrate in kbit/s")
	flags.BoolVar(&r.noAudio, "no-audio", false, "record the picture only")
	flags.DurationVar(&r.timeout, "timeout", 30*time.Second, "give up when the page has not loaded after this long")
	r.egress.register(flags, false)
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	pos, err := parseCommand(flags, args, "record", recordSynopsis, recordHelp, 2, stdout)
	if err != nil {
		return err
	}
	r.url, r.out = pos[0], pos[1]
	if err := r.validate(); err != nil {
		return err
	}
	log := newLogger(*verbose, stderr)
	pr := newProgress(stderr, *verbose, r.duration)
	defer pr.end()
	return r.record(ctx, log, pr.callback())
}

// validate checks the arguments before anything starts.
func (r *rec) validate() error {
	if err := checkPage("record", r.width, r.height, r.fps, r.videoKbps); err != nil {
		return err
	}
	if r.audioKbp < 16 || r.audioKbp > 510 {
		return usageErrorf("record: --audio-bitrate must be 16..510 kbit/s")
	}
	if r.duration < 0 || r.timeout <= 0 {
		return usageErrorf("record: --duration must be 0 or more and --timeout more than 0")
	}
	if err := (lkbrowser.URLPolicy{Schemes: lkbrowser.DefaultAllowedSchemes}).Check(r.url); err != nil {
		return err
	}
	return checkWebMOut("record", r.out)
}

// checkWebMOut checks that out names a .webm file that can be written,
// before anything starts, without touching an existing file.
func checkWebMOut(cmd, out string) error {
	if !strings.EqualFold(filepath.Ext(out), ".webm") {
		return usageErrorf("%s: output file %q must end in .webm", cmd, out)
	}
	probe, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s: cannot write %s: %w", cmd, out, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// record opens an engine and a page, waits for the page to load, and
// records it until r.duration has passed or ctx is cancelled (Ctrl-C).
// Everything it starts is closed before it returns.
func (r *rec) record(ctx context.Context, log *slog.Logger, progress func(webm.Progress)) (err error) {
	step := "starting the browser"
	loadCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	defer func() {
		switch {
		case err == nil:
		case errors.Is(loadCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
			err = fmt.Errorf("%s: timed out after %v %s", r.url, r.timeout, step)
		case ctx.Err() != nil:
			err = fmt.Errorf("%s: interrupted %s", r.url, step)
		}
	}()
	eng, err := lkbrowser.NewEngine(loadCtx, lkbrowser.Options{Logger: log, NoAudio: r.noAudio, Egress: r.egress.policy(r.url)})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, eng.Close()) }()
	// Open the page blank and then navigate: NewPage only logs a failed
	// first load, while Navigate returns it.
	p, err := eng.NewPage(loadCtx, lkbrowser.PageOptions{URL: "about:blank", Width: r.width, Height: r.height, FrameRate: r.fps})
	if err != nil {
		return err
	}
	step = "loading the page"
	if err := p.Navigate(loadCtx, r.url); err != nil {
		return err
	}
	step = "waiting for the page to load"
	if err := waitLoaded(loadCtx, p, r.url, log); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	step = "starting the recording"
	recorder, err := webm.RecordFile(p, r.out, webm.Options{
		VideoBitrate: r.videoKbps, AudioBitrate: r.audioKbp, NoAudio: r.noAudio, Progress: progress})
	if err != nil {
		return err
	}
	// From here on an interruption is the normal end of the recording.
	var timer <-chan time.Time
	if r.duration > 0 {
		t := time.NewTimer(r.duration)
		defer t.Stop()
		timer = t.C
	}
	var crashed error
wait:
	for {
		select {
		case <-timer:
			log.Info("recording: duration reached")
			break wait
		case <-ctx.Done():
			log.Info("recording: interrupted")
			break wait
		case <-recorder.Done():
			break wait
		case ev, ok := <-p.Events():
			if !ok {
				break wait
			}
			if c, isCrash := ev.(*lkbrowser.Crashed); isCrash {
				crashed = fmt.Errorf("%s: page crashed while recording: %s (%s is finalised up to then)", r.url, c.Reason, r.out)
				break wait
			}
		}
	}
	if err := recorder.Stop(); err != nil {
		return fmt.Errorf("recording %s: %w", r.out, err)
	}
	st := recorder.Stats()
	log.Info("recorded", "path", r.out, "duration", st.Elapsed, "frames", st.Frames, "bytes", st.Bytes)
	return crashed
}

// progress shows the recorder's progress as a line updated in place on
// stderr, when stderr is a terminal and the log is not written to it.
type progress struct {
	mu      sync.Mutex
	f       *os.File
	total   time.Duration
	printed bool
}

// newProgress returns nil when no progress line is wanted.
func newProgress(stderr io.Writer, verbose bool, total time.Duration) *progress {
	f, ok := stderr.(*os.File)
	if !ok || verbose {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progress{f: f, total: total}
}

// callback returns the function for webm.Options.Progress.
func (pr *progress) callback() func(webm.Progress) {
	if pr == nil {
		return nil
	}
	return pr.show
}

func (pr *progress) show(p webm.Progress) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	line := "recording " + clock(p.Elapsed)
	if pr.total > 0 {
		line += " / " + clock(pr.total)
	} else {
		line += " (Ctrl-C to stop)"
	}
	line += fmt.Sprintf("  %d frames  %s", p.Frames, megabytes(p.Bytes))
	fmt.Fprintf(pr.f, "\r%s\x1b[K", line)
	pr.printed = true
}

// end finishes the line, if one was shown.
func (pr *progress) end() {
	if pr == nil {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.printed {
		fmt.Fprintln(pr.f)
		pr.printed = false
	}
}

func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

func megabytes(n int64) string {
	if n < 1e6 {
		return fmt.Sprintf("%d kB", n/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

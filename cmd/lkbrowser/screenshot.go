package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

const screenshotSynopsis = "[flags] URL OUT.png"

const screenshotHelp = `Loads URL in a private off-screen browser, waits for the page's load event
and then --wait, and writes exactly --width x --height pixels to OUT.png.
URL must be absolute (http, https, file, data or about).`

// shot is what the screenshot command was asked to do.
type shot struct {
	url, out      string
	width, height int
	wait, timeout time.Duration
	egress        egressFlags
}

func runScreenshot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("screenshot")
	var s shot
	flags.IntVar(&s.width, "width", 1280, "page width in pixels, 16..4096")
	flags.IntVar(&s.height, "height", 720, "page height in pixels, 16..4096")
	flags.DurationVar(&s.wait, "wait", 500*time.Millisecond, "time to wait after the page has loaded")
	flags.DurationVar(&s.timeout, "timeout", 30*time.Second, "give up after this long in all")
	s.egress.register(flags, false)
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	pos, err := parseCommand(flags, args, "screenshot", screenshotSynopsis, screenshotHelp, 2, stdout)
	if err != nil {
		return err
	}
	s.url, s.out = pos[0], pos[1]
	if err := s.validate(); err != nil {
		return err
	}
	log := newLogger(*verbose, stderr)

	// Create the output file first, so that an unwritable path fails before
	// the browser starts.
	tmp, err := os.CreateTemp(filepath.Dir(s.out), "."+filepath.Base(s.out)+".tmp-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("screenshot: cannot write %s: %w", s.out, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	defer tmp.Close()

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	img, err := s.take(ctx, log)
	if err != nil {
		return err
	}
	n, err := writePNG(tmp, img, s.out)
	if err != nil {
		return fmt.Errorf("screenshot: write %s: %w", s.out, err)
	}
	log.Info("wrote screenshot", "path", s.out, "size", fmt.Sprintf("%dx%d", s.width, s.height), "bytes", n)
	return nil
}

// validate checks the arguments before anything starts.
func (s *shot) validate() error {
	if err := checkPageSize(s.width, s.height); err != nil {
		return err
	}
	if s.wait < 0 || s.timeout <= 0 {
		return usageErrorf("screenshot: --wait must be 0 or more and --timeout more than 0")
	}
	if err := (lkbrowser.URLPolicy{Schemes: lkbrowser.DefaultAllowedSchemes}).Check(s.url); err != nil {
		return err
	}
	if !strings.EqualFold(filepath.Ext(s.out), ".png") {
		return usageErrorf("screenshot: output file %q must end in .png", s.out)
	}
	return nil
}

// take opens an engine and a page, waits for the page to load and then
// s.wait, and returns a copy of the page's picture. Everything it starts is
// closed before it returns.
func (s *shot) take(ctx context.Context, log *slog.Logger) (img *image.RGBA, err error) {
	step := "starting the browser"
	defer func() {
		switch {
		case err == nil:
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			err = fmt.Errorf("%s: timed out after %v %s", s.url, s.timeout, step)
		case ctx.Err() != nil:
			err = fmt.Errorf("%s: interrupted %s", s.url, step)
		}
	}()
	eng, closeEngine, err := openEngine(ctx, log, s.egress.policy(s.url))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, closeEngine()) }()
	// Open the page blank and then navigate: NewPage only logs a failed
	// first load, while Navigate returns it.
	p, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: "about:blank", Width: s.width, Height: s.height})
	if err != nil {
		return nil, err
	}
	step = "loading the page"
	if err := p.Navigate(ctx, s.url); err != nil {
		return nil, err
	}
	step = "waiting for the page to load"
	if err := waitLoaded(ctx, p, s.url, log); err != nil {
		return nil, err
	}
	step = "waiting after the load (--wait)"
	select {
	case <-time.After(s.wait):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	step = "taking the snapshot"
	f, err := p.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	if f.Width != s.width || f.Height != s.height {
		return nil, fmt.Errorf("snapshot is %dx%d, want %dx%d", f.Width, f.Height, s.width, s.height)
	}
	return f.ToRGBA(), nil
}

// waitLoaded waits for the page's load event, and fails when the page fails
// to load or crashes.
func waitLoaded(ctx context.Context, p *lkbrowser.Page, url string, log *slog.Logger) error {
	for {
		select {
		case ev, ok := <-p.Events():
			if !ok {
				return errors.New("page closed while loading")
			}
			log.Debug("page event", "event", fmt.Sprintf("%T%+v", ev, ev))
			switch ev := ev.(type) {
			case *lkbrowser.LoadFinished:
				// Skip a load of the initial blank page that might be
				// reported before the navigation to url.
				if (ev.URL == "" || ev.URL == "about:blank") && url != "about:blank" {
					continue
				}
				return nil
			case *lkbrowser.LoadFailed:
				return fmt.Errorf("load %s failed: %s", ev.URL, ev.Error)
			case *lkbrowser.Crashed:
				return fmt.Errorf("%s: page crashed: %s", url, ev.Reason)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// writePNG encodes img into tmp and renames tmp to out, so out is either
// absent or complete. It returns the size of the file.
func writePNG(tmp *os.File, img image.Image, out string) (int64, error) {
	if err := png.Encode(tmp, img); err != nil {
		return 0, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	st, err := tmp.Stat()
	if err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	return st.Size(), os.Rename(tmp.Name(), out)
}

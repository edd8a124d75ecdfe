package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// The systems compared, and the process trees whose CPU is counted.
const (
	sysLK     = "lkbrowser"
	sysLKWarm = "lkbrowser, warm page" // Options.WarmPages: NewPage adopts a page started ahead
	sysSC     = "screencast"

	treeBrowser = "browser" // Chromium: browser, zygotes, GPU, renderers
	treeXvfb    = "xvfb"    // lkbrowser's private X server
	treeGo      = "go"      // this process: lkbrowser's capture, or chromedp and the JPEG decode
)

// frameSizes are the page sizes measured.
var frameSizes = [][2]int{{1280, 720}, {1920, 1080}}

// framePages are the animated pages measured (pages/), by name.
var framePages = []struct{ name, file, title string }{
	{"full", "full.html", "full-page animation"},
	{"small", "small.html", "small animated element"},
}

// frameRun is one measured window of frames into Go.
type frameRun struct {
	system, page string
	w, h         int
	cpu          cpuWindow
	// received counts the frames that reached Go (the screencast's
	// events); frames those delivered as pixels (lkbrowser: every frame;
	// the screencast: the decoded ones).
	received, frames int
	lat              []float64 // ms from the page's stamp to the frame in Go, one per new stamp
	inLK             []float64 // lkbrowser: ms of lat from the capture of the pixels to Go
	bad, repeated    int       // frames without a readable stamp, or with an old one
	// lkbrowser: pixels changed (dirty rectangles x 4 bytes), and bytes
	// the capture really copied (full-width rows from the X server into
	// the frame's shared memory), per frame.
	dirtyBytes, copiedBytes float64
	// screencast: bytes of the base64 JPEG in the CDP message, and of the
	// decoded picture, per frame.
	wireBytes, decodedBytes float64
	dropped                 uint64 // lkbrowser: frames dropped for a slow receiver (whole page)
	note                    string
	err                     error
}

// fps returns the frames delivered per second.
func (r frameRun) fps() float64 { return float64(r.frames) / r.cpu.secs }

// receivedFPS returns the frames per second that reached Go (screencast).
func (r frameRun) receivedFPS() float64 { return float64(r.received) / r.cpu.secs }

// cpuPerFrame returns the CPU seconds of a tree ("" for all) per delivered
// frame.
func (r frameRun) cpuPerFrame(tree string) float64 {
	v := r.cpu.total()
	if tree != "" {
		v = r.cpu.trees[tree]
	}
	return v / float64(r.frames)
}

// framesPerCPUSecond returns the frames delivered per second of CPU of all
// the processes.
func (r frameRun) framesPerCPUSecond() float64 { return float64(r.frames) / r.cpu.total() }

// frameTimes are the durations of the frames section.
type frameTimes struct {
	warm, window time.Duration
	startups     int // NewPage -> first frame repetitions
	memPages     int // pages open at once for the memory figures
	settle       time.Duration
}

func (b *bench) frameTimes() frameTimes {
	if b.quick {
		return frameTimes{warm: time.Second, window: 3 * time.Second, startups: 3, memPages: 2, settle: time.Second}
	}
	return frameTimes{warm: 2 * time.Second, window: 8 * time.Second, startups: 10, memPages: 3, settle: 2 * time.Second}
}

// engineLog is the logger for the engines the harness opens: the harness's
// at debug level (-v), else none (their errors come back as errors).
func (b *bench) engineLog(ctx context.Context) *slog.Logger {
	if b.log.Enabled(ctx, slog.LevelDebug) {
		return b.log
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// runFrames compares frames into Go: lkbrowser against chromedp's screencast.
func runFrames(ctx context.Context, b *bench) (string, error) {
	t := b.frameTimes()
	srv, err := servePages()
	if err != nil {
		return "", err
	}
	defer srv.Close()
	chromium, err := lkbrowser.ResolveChromium("", "")
	if err != nil {
		return "", err
	}
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{NoAudio: true, Logger: b.engineLog(ctx)})
	if err != nil {
		return "", err
	}
	var runs []frameRun
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			url := pageURL(srv, pg.file)
			b.log.Info("frames", "system", sysLK, "size", fmt.Sprintf("%dx%d", sz[0], sz[1]), "page", pg.name)
			r, err := measureLK(ctx, b, eng, url, pg.name, sz[0], sz[1], t.warm, t.window)
			r.err = err
			runs = append(runs, r)
			b.log.Info("frames", "system", sysSC, "size", fmt.Sprintf("%dx%d", sz[0], sz[1]), "page", pg.name)
			r, err = measureSC(ctx, chromium, url, pg.name, sz[0], sz[1], t.warm, t.window)
			r.err = err
			runs = append(runs, r)
			if ctx.Err() != nil {
				eng.Close()
				return "", ctx.Err()
			}
		}
	}
	if err := eng.Close(); err != nil {
		b.log.Warn("engine close", "err", err)
	}
	b.log.Info("frames: start-up")
	st := measureStartups(ctx, b, chromium, pageURL(srv, "small.html"), t.startups)
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	b.log.Info("frames: memory")
	mem := measureMemory(ctx, b, chromium, pageURL(srv, "static.html"), t.memPages, t.settle)
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	b.log.Info("frames: micro-benchmarks")
	micro := runMicro(ctx, b)
	return b.framesReport(runs, st, mem, micro, t)
}

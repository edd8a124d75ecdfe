// Command lkbench measures lkbrowser against its baselines on this machine, in
// one run, and writes docs/benchmarks.md with the tables, the ratios of
// lkbrowser to each baseline and PNG charts.
//
//	bash scripts/bench.sh [-out docs/benchmarks.md] [-quick] [-only frames,publish]
//
// Baselines: for frames into Go, headless Chromium driven by chromedp with
// Page.startScreencast (JPEG quality 80) decoded in Go; for publishing, the
// LiveKit Egress way, GStreamer capturing the same headful Chromium on Xvfb
// (ximagesrc ! videoconvert ! vp8enc, pulsesrc ! opusenc). See
// scripts/bench.sh for the set-up (GStreamer is installed for the benchmark
// only).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// section is one part of the report: it measures and returns its Markdown.
type section struct {
	name string
	run  func(ctx context.Context, b *bench) (string, error)
}

// sections run in this order; their Markdown follows in the same order.
var sections = []section{
	{"frames", runFrames},
	{"publish", runPublish},
	{"agent", runAgent},
}

func main() {
	out := flag.String("out", "docs/benchmarks.md", "the report to write; charts go next to it, in a directory named after it without .md")
	quick := flag.Bool("quick", false, "shorter windows and fewer repetitions (for trying the harness, not for figures)")
	only := flag.String("only", "", "comma-separated sections to run (default: all): "+names())
	verbose := flag.Bool("v", false, "log progress at debug level")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := newBench(*out, *quick, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lkbench:", err)
		os.Exit(1)
	}
	if err := b.run(ctx, *only); err != nil {
		fmt.Fprintln(os.Stderr, "lkbench:", err)
		os.Exit(1)
	}
	fmt.Println("wrote", *out)
}

func names() string {
	var n []string
	for _, s := range sections {
		n = append(n, s.name)
	}
	return strings.Join(n, ",")
}

// bench is the state shared by the sections of one run.
type bench struct {
	out      string // the report's path
	chartDir string // where charts are written, next to the report
	quick    bool
	log      *slog.Logger
	started  time.Time
}

func newBench(out string, quick bool, log *slog.Logger) (*bench, error) {
	chartDir := strings.TrimSuffix(out, filepath.Ext(out))
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return nil, err
	}
	return &bench{out: out, chartDir: chartDir, quick: quick, log: log, started: time.Now()}, nil
}

// run runs the chosen sections and writes the report. A failing section is
// reported in its place and the others still run.
func (b *bench) run(ctx context.Context, only string) error {
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	var parts []string
	failed := 0
	for _, s := range sections {
		if len(want) > 0 && !want[s.name] {
			continue
		}
		b.log.Info("section", "name", s.name)
		t0 := time.Now()
		md, err := s.run(ctx, b)
		if err != nil {
			failed++
			b.log.Error("section failed", "name", s.name, "err", err)
			md = fmt.Sprintf("## %s\n\nThis section failed in this run: %v\n", s.name, err)
		}
		b.log.Info("section done", "name", s.name, "took", time.Since(t0).Round(time.Second))
		parts = append(parts, md)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if err := os.WriteFile(b.out, []byte(b.report(parts)), 0o644); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d section(s) failed; see %s", failed, b.out)
	}
	return nil
}

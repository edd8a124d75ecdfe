package main

import (
	"image"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/lkbrowser/lkbrowser/internal/vpx
BenchmarkEncode720p-2         	      60	   7244967 ns/op	 190.81 MB/s	      9928 B/frame	         7.058 cpu-ms/frame	       0 B/op	       0 allocs/op
PASS
pkg: github.com/lkbrowser/lkbrowser/tests
BenchmarkCapture/FullPage720p-2         	     120	  16694518 ns/op	   3686400 dirty-bytes/frame	         0 dropped	      11 B/op	       0 allocs/op
BenchmarkCapture/SmallElement720p   	     120	  49945737 ns/op	      1600 dirty-bytes/frame	         0 dropped	       2 B/op	       3 allocs/op
--- FAIL: BenchmarkOther
ok  	github.com/lkbrowser/lkbrowser/tests	34.261s
`
	lines := parseBench(out)
	if len(lines) != 3 {
		t.Fatalf("%d lines: %+v", len(lines), lines)
	}
	m := microResult{lines: lines}
	enc, ok := m.find("BenchmarkEncode720p")
	if !ok || enc.pkg != "github.com/lkbrowser/lkbrowser/internal/vpx" || enc.n != 60 || enc.metrics["ns/op"] != 7244967 || enc.metrics["cpu-ms/frame"] != 7.058 {
		t.Errorf("encode line: %+v", enc)
	}
	small, ok := m.find("BenchmarkCapture/SmallElement720p")
	if !ok || small.pkg != "github.com/lkbrowser/lkbrowser/tests" || small.metrics["allocs/op"] != 3 || small.metrics["dirty-bytes/frame"] != 1600 {
		t.Errorf("small element line: %+v", small)
	}
	if _, ok := m.find("BenchmarkCapture/FullPage720p-2"); ok {
		t.Error("found a name with its -N suffix")
	}
}

func TestBandTracker(t *testing.T) {
	bt := newBandTracker(720)
	a, b := new(byte), new(byte)
	band := func(y0, y1 int) []image.Rectangle { return []image.Rectangle{image.Rect(0, y0, 40, y1)} }
	// A buffer seen for the first time was filled whole.
	if got := bt.frame(a, band(10, 20)); got != 720 {
		t.Errorf("first use of a buffer: %d rows, want 720", got)
	}
	// Reused at once: only its own frame's rows.
	if got := bt.frame(a, band(30, 50)); got != 20 {
		t.Errorf("buffer reused at once: %d rows, want 20", got)
	}
	if got := bt.frame(b, band(0, 5)); got != 720 {
		t.Errorf("second buffer: %d rows", got)
	}
	// a last came by two frames ago: the rows of both frames since.
	if got := bt.frame(a, []image.Rectangle{image.Rect(0, 100, 10, 110), image.Rect(5, 200, 9, 201)}); got != 201 {
		t.Errorf("buffer after another: %d rows, want 201 (rows 0 to 201)", got)
	}
	if got := bt.frame(a, nil); got != 0 {
		t.Errorf("no damage: %d rows", got)
	}
}

func TestFit(t *testing.T) {
	// 400 MiB for the first page, 200 MiB each further one: 1 + (4096-400)/200 = 19.
	first, all := int64(400<<20), int64(800<<20)
	m := marginal(first, all, 3)
	if m != 200<<20 {
		t.Errorf("marginal %v", m)
	}
	if n := fit(first, m, gib4); n != 19 {
		t.Errorf("fit %d, want 19", n)
	}
	if n := fit(first, 0, gib4); n != 0 {
		t.Errorf("no marginal: %d", n)
	}
	if marginal(first, all, 1) != 0 {
		t.Error("marginal of one page")
	}
}

func TestPercentile(t *testing.T) {
	v := []float64{5, 1, 4, 2, 3}
	if p := percentile(v, 0.5); p != 3 {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(v, 0.95); p != 5 {
		t.Errorf("p95 %v", p)
	}
	if v[0] != 5 {
		t.Error("percentile sorted its input")
	}
	if !math.IsNaN(percentile(nil, 0.5)) || num(math.NaN(), 1) != "n/a" || ratio(1, 0) != "n/a" || ratio(6, 2) != "3.0x" {
		t.Error("no values / n/a formatting")
	}
}

// The report says which targets are met and which are not, from the
// figures, and writes its charts.
func TestFramesReport(t *testing.T) {
	dir := t.TempDir()
	b, err := newBench(filepath.Join(dir, "benchmarks.md"), false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	win := func(browser, xvfb, goCPU float64) cpuWindow {
		return cpuWindow{secs: 10, trees: map[string]float64{treeBrowser: browser, treeXvfb: xvfb, treeGo: goCPU}}
	}
	lat := func(ms float64) []float64 {
		v := make([]float64, 100)
		for i := range v {
			v[i] = ms + float64(i%10)
		}
		return v
	}
	var runs []frameRun
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			runs = append(runs,
				frameRun{system: sysLK, page: pg.name, w: sz[0], h: sz[1], frames: 600, cpu: win(3, 0.5, 0.5), lat: lat(15)},
				frameRun{system: sysSC, page: pg.name, w: sz[0], h: sz[1], frames: 100, received: 120, cpu: win(15, 0, 4), lat: lat(120)})
		}
	}
	// 1080p full page: 45 fps, the Go process at 12 % of a core.
	runs[4].frames, runs[4].cpu.trees[treeGo] = 450, 1.2
	st := map[string]startupResult{sysLK: {first: []float64{400, 450, 700}, content: []float64{500, 550, 800}}, sysSC: {err: os.ErrNotExist},
		sysLKWarm: {first: []float64{100, 150, 200}, content: []float64{200, 250, 300}}}
	micro := microResult{lines: parseBench("BenchmarkCapture/FullPage720p-2 120 16694518 ns/op 0 allocs/op\nBenchmarkCapture/FullPage1080p-2 120 16694518 ns/op 0 allocs/op\nBenchmarkCapture/SmallElement720p-2 120 16694518 ns/op 0 allocs/op\n")}
	md, err := b.framesReport(runs, st, memResult{n: 3, lkErr: os.ErrPermission, scErr: os.ErrPermission}, micro, frameTimes{warm: time.Second, window: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 1080p full-page animation: 60 fps delivered (met: ≥ 59) | 45.0 fps | **not met** |",
		"| ... with the Go process under 10 % of a core | 12.0 % | **not met** |",
		"p50 ≤ 20 ms | 19.0 ms | met |",
		"NewPage → first frame, p50 of 3 ≤ 500 ms: a cold start | 450 ms | met |",
		"with `Options.WarmPages` (a page started ahead, adopted and navigated) | 150 ms | met |",
		"| 0, 0, 0 allocs/frame | met |",
		"| screencast | failed: file does not exist |",
		"![1920x1080: paint → frame in Go, ms (log scale)](benchmarks/frames-latency-1080p.png)",
		"benchmarks/frames-cpu-per-frame.png",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(md, "%!") {
		t.Errorf("a formatting error in the report:\n%s", md)
	}
	for _, f := range []string{"frames-latency-720p.png", "frames-latency-1080p.png", "frames-cpu-per-frame.png"} {
		if _, err := os.Stat(filepath.Join(dir, "benchmarks", f)); err != nil {
			t.Error(err)
		}
	}
}

package main

import (
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// The chart helpers write real PNGs next to the report and return links
// that resolve from the report's directory.
func TestCharts(t *testing.T) {
	dir := t.TempDir()
	b, err := newBench(filepath.Join(dir, "docs", "benchmarks.md"), true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	lat, err := latencyChart("latency", map[string][]float64{"a": {1, 2, 3, 50}, "b": {80, 90, 170}, "empty": nil})
	if err != nil {
		t.Fatal(err)
	}
	bars, err := barChart("cpu", "ms per frame", []string{"x", "y"}, []barSeries{{"one", []float64{1, 2}}, {"two", []float64{3, 0}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := barChart("bad", "", []string{"x"}, []barSeries{{"one", []float64{1, 2}}}, false); err == nil {
		t.Error("a series with more values than labels was accepted")
	}
	link, err := b.chart("lat", lat)
	if err != nil {
		t.Fatal(err)
	}
	if link != "![latency](benchmarks/lat.png)" {
		t.Errorf("link %q", link)
	}
	if _, err := b.chart("bars", bars); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"lat", "bars"} {
		f, err := os.Open(filepath.Join(dir, "docs", "benchmarks", n+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if w := img.Bounds().Dx(); w < 300 {
			t.Errorf("%s: %d px wide", n, w)
		}
	}
}

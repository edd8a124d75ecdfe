package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of every chart.
const (
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 9 * vg.Centimeter
)

// chart saves p as <chartDir>/<name>.png and returns a Markdown image link
// to it, relative to the report, with p's title as its text.
func (b *bench) chart(name string, p *plot.Plot) (string, error) {
	file := filepath.Join(b.chartDir, name+".png")
	if err := os.MkdirAll(b.chartDir, 0o755); err != nil {
		return "", err
	}
	if err := p.Save(chartWidth, chartHeight, file); err != nil {
		return "", fmt.Errorf("chart %s: %w", name, err)
	}
	rel, err := filepath.Rel(filepath.Dir(b.out), file)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("![%s](%s)", p.Title.Text, filepath.ToSlash(rel)), nil
}

// latencyChart plots the distribution of each series of latencies (ms) as
// an empirical cumulative distribution: x is the latency in ms on a log
// scale (say so in the title), y the fraction of frames at or below it. Series are drawn in name order;
// empty ones are left out.
func latencyChart(title string, series map[string][]float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	// No x label: gonum centres it by the arithmetic mean of the range,
	// which on a log scale pushes the axis away from the right edge.
	p.Y.Label.Text = "frames with latency ≤ x ms"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	// Bottom right, inside the axes: the curves rise from the left.
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), vg.Centimeter
	names := make([]string, 0, len(series))
	for n, v := range series {
		if len(v) > 0 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, n := range names {
		v := slices.Clone(series[n])
		slices.Sort(v)
		pts := make(plotter.XYs, len(v))
		for j, ms := range v {
			pts[j].X = math.Max(ms, 0.1) // the log scale needs x > 0
			pts[j].Y = float64(j+1) / float64(len(v))
			lo, hi = min(lo, pts[j].X), max(hi, pts[j].X)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(n, l)
	}
	if lo <= hi { // whole decades, so that the axis has its tick labels
		p.X.Min, p.X.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	}
	return p, nil
}

// barSeries is one series of a bar chart: one value per label.
type barSeries struct {
	Name   string
	Values []float64
}

// barChart plots one bar per label and series: side by side, or stacked
// (the first series at the bottom, the total written above each stack)
// when stacked is true. Every series must have one value per label; a
// label may hold "\n" to take two lines.
func barChart(title, yLabel string, labels []string, series []barSeries, stacked bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(6)
	p.Add(plotter.NewGrid())
	width := vg.Points(float64(chartWidth) / float64(len(labels)+1) * 0.6)
	if !stacked && len(series) > 0 {
		width /= vg.Length(len(series))
	}
	var below *plotter.BarChart
	top := 0.0 // the highest bar, to leave room for the legend above it
	sums := make([]float64, len(labels))
	for i, s := range series {
		if len(s.Values) != len(labels) {
			return nil, fmt.Errorf("bar series %q has %d values for %d labels", s.Name, len(s.Values), len(labels))
		}
		bars, err := plotter.NewBarChart(plotter.Values(s.Values), width)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		for j, v := range s.Values {
			sums[j] += v
			if !stacked {
				top = max(top, v)
			}
		}
		bars.Color = plotutil.Color(i)
		bars.LineStyle.Width = 0
		if stacked {
			if below != nil {
				bars.StackOn(below)
			}
			below = bars
		} else {
			bars.Offset = vg.Length(float64(i)-float64(len(series)-1)/2) * width
		}
		p.Add(bars)
		p.Legend.Add(s.Name, bars)
	}
	if stacked && len(labels) > 0 {
		top = slices.Max(sums)
		totals := plotter.XYLabels{XYs: make(plotter.XYs, len(sums)), Labels: make([]string, len(sums))}
		for i, v := range sums {
			totals.XYs[i] = plotter.XY{X: float64(i), Y: v}
			totals.Labels[i] = fmt.Sprintf("%.3g", v)
		}
		l, err := plotter.NewLabels(totals)
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = draw.XCenter
		}
		l.Offset = vg.Point{Y: vg.Points(3)}
		p.Add(l)
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5
	p.Y.Max = top*(1.1+0.08*float64(len(series))) + 1e-9
	return p, nil
}

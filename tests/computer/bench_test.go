package computer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/computer"
)

// BenchmarkComputerClickSettle measures what a model waits for after a
// click: from Do(click) to the settled screenshot in hand (Do(click) +
// Do(screenshot), PNG of a 1280x720 display), on transition.html:
//
//   - static: the click changes nothing;
//   - instant: the click changes a 200x200 box at once;
//   - transition: the click starts a 300 ms CSS transition.
//
// It reports p50-ms and p95-ms over b.N clicks (and the settle wait alone
// as wait-p50-ms); run it with a fixed count, e.g.
//
//	go test -run '^$' -bench BenchmarkComputerClickSettle -benchtime 40x ./tests/computer/
//
// The reference agent sleeps a fixed 1.1 s after a click.
func BenchmarkComputerClickSettle(b *testing.B) {
	c, _ := openTransition(b)
	for _, bc := range []struct {
		name string
		at   *struct{ x, y int }
	}{
		{"static", &struct{ x, y int }{200, 500}},
		{"instant", &struct{ x, y int }{600, 100}},
		{"transition", &struct{ x, y int }{200, 150}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var total, waits []time.Duration
			ctx := context.Background()
			for b.Loop() {
				start := time.Now()
				res, err := c.Do(ctx, computer.Action{Kind: computer.Click, Point: pt(bc.at.x, bc.at.y)})
				if err != nil {
					b.Fatal(err)
				}
				shot, err := c.Do(ctx, computer.Action{Kind: computer.Screenshot})
				if err != nil || shot.Image == nil {
					b.Fatal(err)
				}
				total = append(total, time.Since(start))
				waits = append(waits, res.Settled.Waited)
				if !res.Settled.Still {
					b.Errorf("click %d did not settle: %+v", len(total), res.Settled)
				}
			}
			b.ReportMetric(percentile(total, 50), "p50-ms")
			b.ReportMetric(percentile(total, 95), "p95-ms")
			b.ReportMetric(percentile(waits, 50), "wait-p50-ms")
		})
	}
}

// percentile returns the p-th percentile of ds in milliseconds (nearest
// rank).
func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return float64(s[i].Microseconds()) / 1000
}

package room

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
)

// cpuWatch samples the machine's CPU once a second during a soak, so that
// a stall can be put next to what the machine was doing then: busy and
// stolen time, and which commands used the CPU.
type cpuWatch struct {
	mu      sync.Mutex
	samples []cpuSample
	stop    chan struct{}
	done    chan struct{}
}

type cpuSample struct {
	at        time.Time
	host      cpustat.HostTimes  // the whole machine so far
	byCommand map[string]float64 // ticks so far, by command name
}

func watchCPU() *cpuWatch {
	w := &cpuWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			s := cpuSample{at: time.Now(), host: cpustat.Host(), byCommand: map[string]float64{}}
			for _, p := range cpustat.Read().Tree(1) {
				s.byCommand[p.Command] += p.CPUTicks
			}
			w.mu.Lock()
			w.samples = append(w.samples, s)
			if len(w.samples) > 4000 {
				w.samples = w.samples[1000:]
			}
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *cpuWatch) close() { close(w.stop); <-w.done }

// around describes the CPU from before-3s to end+1s: cores busy and
// stolen a second, and the five commands that used most.
func (w *cpuWatch) around(begin, end time.Time) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var a, b *cpuSample
	for i := range w.samples {
		s := &w.samples[i]
		if a == nil || s.at.Before(begin.Add(-3*time.Second)) {
			a = s
		}
		if b == nil && s.at.After(end.Add(time.Second)) {
			b = s
		}
	}
	if a == nil || b == nil || !b.at.After(a.at) {
		return "no CPU samples around it"
	}
	secs := b.at.Sub(a.at).Seconds()
	type use struct {
		cmd   string
		cores float64
	}
	var uses []use
	for c, v := range b.byCommand {
		if d := (v - a.byCommand[c]) / cpustat.ClockTicks / secs; d > 0.01 {
			uses = append(uses, use{c, d})
		}
	}
	slices.SortFunc(uses, func(x, y use) int { return cmp.Compare(y.cores, x.cores) })
	var top []string
	for _, u := range uses[:min(len(uses), 5)] {
		top = append(top, fmt.Sprintf("%s %.2f", u.cmd, u.cores))
	}
	return fmt.Sprintf("%s..%s: %.2f cores busy, %.2f stolen; by command: %s", a.at.Format("15:04:05"), b.at.Format("15:04:05"),
		(b.host.Busy-a.host.Busy)/cpustat.ClockTicks/secs, (b.host.Steal-a.host.Steal)/cpustat.ClockTicks/secs, strings.Join(top, ", "))
}

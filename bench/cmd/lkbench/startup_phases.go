package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
)

// phase is one moment of a page's start, in ms from calling NewPage.
type phase struct {
	name string
	ms   float64
}

// startupPhasesLK opens one page on eng while watching /proc every 10 ms,
// and returns when its processes appeared, when NewPage returned and when
// the first frames arrived: where the start-up time goes. The watching
// costs CPU, so this run is not one of the timed ones.
func startupPhasesLK(ctx context.Context, eng *lkbrowser.Engine, url string) ([]phase, error) {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	self := os.Getpid()
	known := map[int]bool{}
	for _, p := range cpustat.Read().Tree(self) {
		known[p.PID] = true
	}
	t0 := time.Now()
	ms := func() float64 { return float64(time.Since(t0).Microseconds()) / 1e3 }
	seen := map[string]float64{}
	stop := make(chan struct{})
	watched := make(chan map[string]float64, 1)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, p := range cpustat.Read().Tree(self) {
				if known[p.PID] {
					continue
				}
				known[p.PID] = true
				name := ""
				switch {
				case p.Command == "Xvfb":
					name = "Xvfb started"
				case p.PPID == self && p.Command == "chromium":
					name = "Chromium started"
				default:
					cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.PID), "cmdline"))
					switch {
					case bytes.Contains(cmdline, []byte("--type=gpu-process")):
						name = "Chromium's GPU process started"
					case bytes.Contains(cmdline, []byte("--type=renderer")):
						name = "first renderer process started"
					}
				}
				if _, ok := seen[name]; name != "" && !ok {
					seen[name] = ms()
				}
			}
			select {
			case <-stop:
				watched <- seen
				return
			case <-tick.C:
			}
		}
	}()
	var out []phase
	p, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: url, Width: startupSize[0], Height: startupSize[1]})
	returned := ms()
	if err != nil {
		close(stop)
		<-watched
		return nil, err
	}
	defer p.Close()
	var first float64
loop:
	for {
		select {
		case f, ok := <-p.Frames():
			if !ok {
				break loop
			}
			_, stamped := stamp.DecodeBGRA(f.Pix, f.Stride, f.Width, f.Height)
			f.Release()
			if first == 0 {
				first = ms()
			}
			if stamped {
				out = append(out, phase{"first frame that shows the page", ms()})
				break loop
			}
		case <-ctx.Done():
			break loop
		}
	}
	close(stop)
	for name, v := range <-watched {
		out = append(out, phase{name, v})
	}
	out = append(out, phase{"NewPage returned", returned}, phase{"first frame", first})
	slices.SortFunc(out, func(a, b phase) int { return cmp.Compare(a.ms, b.ms) })
	if first == 0 {
		return out, fmt.Errorf("no frame within %v", startupTimeout)
	}
	return out, p.Close()
}

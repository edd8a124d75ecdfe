package main

import (
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
)

// cpuSample is the CPU used so far by some process trees and this process.
type cpuSample struct {
	at    time.Time
	trees map[string]float64 // seconds, by tree name
	self  float64            // this process (the Go side), seconds
	host  float64            // the whole machine, seconds of CPU
}

// sampleCPU reads the CPU used so far by each named tree (a pid and its
// descendants), by this process and by the whole machine.
func sampleCPU(trees map[string]int) cpuSample {
	tab := cpustat.Read()
	s := cpuSample{at: time.Now(), trees: map[string]float64{}, self: cpustat.SelfSeconds(), host: cpustat.HostTicks() / cpustat.ClockTicks}
	for name, pid := range trees {
		s.trees[name] = tab.TreeSeconds(pid)
	}
	return s
}

// cpuWindow is the CPU used between two samples.
type cpuWindow struct {
	secs  float64            // wall-clock length
	trees map[string]float64 // CPU seconds by tree; "go" is this process
	rest  float64            // CPU seconds of everything else on the machine
}

func cpuBetween(a, b cpuSample) cpuWindow {
	w := cpuWindow{secs: b.at.Sub(a.at).Seconds(), trees: map[string]float64{}}
	sum := 0.0
	for name, v := range b.trees {
		w.trees[name] = max(v-a.trees[name], 0)
		sum += w.trees[name]
	}
	w.trees["go"] = b.self - a.self
	sum += w.trees["go"]
	w.rest = max(b.host-a.host-sum, 0)
	return w
}

// total returns the CPU seconds of all the trees and this process.
func (w cpuWindow) total() float64 {
	sum := 0.0
	for _, v := range w.trees {
		sum += v
	}
	return sum
}

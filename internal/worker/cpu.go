package worker

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc CPU times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// cpuMeter measures the machine's CPU busy fraction from /proc/stat.
type cpuMeter struct {
	mu         sync.Mutex
	busy, all  uint64
	at         time.Time
	last       float64
	minSpacing time.Duration
}

// Load returns the busy fraction of all CPUs since the previous sample
// (samples are at least minSpacing apart; in between the last value is
// returned). 0 when /proc/stat cannot be read.
func (m *cpuMeter) Load() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.at.IsZero() && time.Since(m.at) < m.minSpacing {
		return m.last
	}
	busy, all, ok := readProcStat()
	if !ok {
		return 0
	}
	if !m.at.IsZero() && all > m.all {
		m.last = float64(busy-m.busy) / float64(all-m.all)
	}
	m.busy, m.all, m.at = busy, all, time.Now()
	return m.last
}

// readProcStat returns the busy and total jiffies of all CPUs.
func readProcStat() (busy, all uint64, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0, false
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	var idle uint64
	for i, s := range fields[1:] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		if i >= 8 { // guest times are already in user and nice
			break
		}
		all += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return all - idle, all, true
}

// groupCPU returns the CPU time (user+system) of all live processes whose
// process group is one of groups.
func groupCPU(groups ...int) time.Duration {
	want := map[string]bool{}
	for _, g := range groups {
		if g > 0 {
			want[strconv.Itoa(g)] = true
		}
	}
	if len(want) == 0 {
		return 0
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks uint64
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		// After the command: state ppid pgrp session tty tpgid flags minflt
		// cminflt majflt cmajflt utime stime ...
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 || !want[f[2]] {
			continue
		}
		u, _ := strconv.ParseUint(f[11], 10, 64)
		s, _ := strconv.ParseUint(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

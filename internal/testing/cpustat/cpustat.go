// Package cpustat reads the CPU time and memory of process trees from
// /proc, for the benchmarks: the CPU of a process and all its descendants
// (found through the parent links of every process, so that Chromium's
// zygote, GPU and renderer processes count however they were started), the
// busy time of the whole machine, and proportional set sizes (PSS). The
// processes come from internal/proc.
package cpustat

import (
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lkbrowser/lkbrowser/internal/proc"
)

// ClockTicks is the unit of CPU times, proc.ClockTicks.
const ClockTicks = proc.ClockTicks

// Table is every live process of the machine at one moment, with its CPU
// time (proc.Info.CPUTicks).
type Table struct {
	procs map[int]proc.Info
	kids  map[int][]int
}

// Read reads every live process in /proc.
func Read() Table {
	all := proc.Processes()
	t := Table{procs: make(map[int]proc.Info, len(all)), kids: map[int][]int{}}
	for _, p := range all {
		if p.Alive() {
			t.procs[p.PID] = p
			t.kids[p.PPID] = append(t.kids[p.PPID], p.PID)
		}
	}
	return t
}

// Tree returns pid and all its live descendants, pid first, in breadth
// order; nothing when pid was not alive.
func (t Table) Tree(pid int) []proc.Info {
	var out []proc.Info
	seen := map[int]bool{}
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		p, ok := t.procs[queue[0]]
		if !ok || seen[p.PID] {
			continue
		}
		seen[p.PID] = true
		out = append(out, p)
		kids := slices.Clone(t.kids[p.PID])
		slices.Sort(kids)
		queue = append(queue, kids...)
	}
	return out
}

// TreeTicks returns the CPU used so far by pid and its descendants, in
// clock ticks.
func (t Table) TreeTicks(pid int) float64 {
	sum := 0.0
	for _, p := range t.Tree(pid) {
		sum += p.CPUTicks
	}
	return sum
}

// TreeSeconds returns the CPU used so far by pid and its descendants, in
// seconds.
func (t Table) TreeSeconds(pid int) float64 { return t.TreeTicks(pid) / ClockTicks }

// HostTimes is the CPU time of the whole machine so far, all CPUs, in clock
// ticks, from /proc/stat's cpu line.
type HostTimes struct {
	// Busy is every field but idle and iowait (guest time is already
	// counted in user).
	Busy float64
	// Steal is the time the hypervisor gave the machine's CPUs to others.
	Steal float64
}

// Host reads the machine's CPU times; zero when /proc/stat is unreadable.
func Host() HostTimes {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return HostTimes{}
	}
	return parseHost(string(raw))
}

// HostTicks returns Host().Busy.
func HostTicks() float64 { return Host().Busy }

func parseHost(s string) (h HostTimes) {
	line, _, _ := strings.Cut(s, "\n")
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "cpu" {
		return h
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		// user nice system idle iowait irq softirq steal guest guest_nice
		if i != 3 && i != 4 && i < 8 {
			h.Busy += n
		}
		if i == 7 {
			h.Steal = n
		}
	}
	return h
}

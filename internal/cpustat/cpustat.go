// Package cpustat reads the CPU time and memory of process trees from
// /proc, for the benchmarks: the CPU of a process and all its descendants
// (found through the parent links of every process, so that Chromium's
// zygote, GPU and renderer processes count however they were started), the
// busy time of the whole machine, and proportional set sizes (PSS).
package cpustat

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ClockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat and
// /proc/stat (100 on every Linux architecture Go supports).
const ClockTicks = 100

// Proc is one live process as /proc/<pid>/stat shows it.
type Proc struct {
	Pid, PPid int
	Comm      string // the command name, without the parentheses
	// Ticks is the CPU the process used so far, in clock ticks: utime and
	// stime, plus cutime and cstime (its children that exited and were
	// waited for), so that a process that ends between two readings still
	// counts, in its parent.
	Ticks float64
}

// Seconds returns p's CPU time in seconds.
func (p Proc) Seconds() float64 { return p.Ticks / ClockTicks }

// ReadProc reads /proc/<pid>/stat; ok is false for a process that is gone
// or a zombie.
func ReadProc(pid int) (Proc, bool) {
	return readStat(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
}

func readStat(path string) (p Proc, ok bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return p, false
	}
	return parseStat(string(raw))
}

// parseStat parses a line of /proc/<pid>/stat. The command may hold spaces
// and parentheses: it ends at the last ')'.
func parseStat(s string) (p Proc, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return p, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 15 || f[0] == "Z" || f[0] == "X" {
		return p, false
	}
	var err error
	if p.Pid, err = strconv.Atoi(strings.TrimSpace(s[:open])); err != nil {
		return p, false
	}
	p.PPid, _ = strconv.Atoi(f[1])
	p.Comm = s[open+1 : end]
	// Fields 14-17 of the man page: utime, stime, cutime, cstime.
	for _, v := range f[11:15] {
		n, _ := strconv.ParseFloat(v, 64)
		p.Ticks += n
	}
	return p, true
}

// Table is every live process of the machine at one moment.
type Table struct {
	procs map[int]Proc
	kids  map[int][]int
}

// Read reads every process in /proc.
func Read() Table {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	t := Table{procs: make(map[int]Proc, len(paths)), kids: map[int][]int{}}
	for _, path := range paths {
		if p, ok := readStat(path); ok {
			t.procs[p.Pid] = p
			t.kids[p.PPid] = append(t.kids[p.PPid], p.Pid)
		}
	}
	return t
}

// Proc returns the process pid as read, if it was alive.
func (t Table) Proc(pid int) (Proc, bool) {
	p, ok := t.procs[pid]
	return p, ok
}

// Tree returns pid and all its live descendants, pid first, in breadth
// order; nothing when pid was not alive.
func (t Table) Tree(pid int) []Proc {
	var out []Proc
	seen := map[int]bool{}
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		p, ok := t.procs[queue[0]]
		if !ok || seen[p.Pid] {
			continue
		}
		seen[p.Pid] = true
		out = append(out, p)
		kids := slices.Clone(t.kids[p.Pid])
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
		sum += p.Ticks
	}
	return sum
}

// TreeSeconds returns the CPU used so far by pid and its descendants, in
// seconds.
func (t Table) TreeSeconds(pid int) float64 { return t.TreeTicks(pid) / ClockTicks }

// HostTicks returns the busy time of the whole machine so far, all CPUs, in
// clock ticks: every field of /proc/stat's cpu line but idle and iowait
// (guest time is already counted in user).
func HostTicks() float64 {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	return parseHost(string(raw))
}

func parseHost(s string) float64 {
	line, _, _ := strings.Cut(s, "\n")
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "cpu" {
		return 0
	}
	busy := 0.0
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		// user nice system idle iowait irq softirq steal guest guest_nice
		if i != 3 && i != 4 && i < 8 {
			busy += n
		}
	}
	return busy
}

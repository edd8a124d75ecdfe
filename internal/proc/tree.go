package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Info is what /proc tells about one process.
type Info struct {
	PID, PPID, PGID int
	State           byte   // R, S, D, Z, ...
	Command         string // the name in parentheses, e.g. "chromium"
	// CPUTicks is the CPU the process used so far, in clock ticks
	// (ClockTicks a second): utime and stime, plus cutime and cstime (its
	// children that exited and were waited for), so that a process that
	// ends between two readings still counts, in its parent.
	CPUTicks float64
	// RSS is the resident memory of the process in bytes (rss of
	// /proc/<pid>/stat, in pages, as statm's resident).
	RSS int64
}

// pageSize is the unit of rss in /proc/<pid>/stat.
var pageSize = int64(os.Getpagesize())

// ClockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat and
// /proc/stat (100 on every Linux architecture Go supports).
const ClockTicks = 100

// String gives the process as "pid (command)", as /proc/<pid>/stat begins.
func (i Info) String() string { return strconv.Itoa(i.PID) + " (" + i.Command + ")" }

// Alive reports whether the process is running, that is neither a zombie
// nor dead.
func (i Info) Alive() bool { return i.State != 'Z' && i.State != 'X' && i.State != 'x' }

// Stat reads the status of process pid from /proc; ok is false when there
// is no such process.
func Stat(pid int) (i Info, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Info{}, false
	}
	return parseStat(string(b))
}

// Alive reports whether process pid exists and is not a zombie.
func Alive(pid int) bool {
	i, ok := Stat(pid)
	return ok && i.Alive()
}

// Processes lists the processes of the system, zombies included.
func Processes() []Info {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	ps := make([]Info, 0, len(stats))
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if i, ok := parseStat(string(b)); ok {
			ps = append(ps, i)
		}
	}
	return ps
}

// Descendants lists the live processes below pid: its children, their
// children, and so on.
func Descendants(pid int) []Info {
	kids := map[int][]Info{}
	for _, i := range Processes() {
		kids[i.PPID] = append(kids[i.PPID], i)
	}
	var out []Info
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			if k.Alive() {
				out = append(out, k)
			}
			queue = append(queue, k.PID) // a zombie's children are still there
		}
	}
	return out
}

// Group lists the live processes of process group pgid.
func Group(pgid int) []Info {
	var out []Info
	for _, i := range Processes() {
		if i.PGID == pgid && i.Alive() {
			out = append(out, i)
		}
	}
	return out
}

// parseStat parses the content of /proc/<pid>/stat.
func parseStat(s string) (Info, bool) {
	open := strings.IndexByte(s, '(')
	end := strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return Info{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	if err != nil {
		return Info{}, false
	}
	// Fields after the command: state, ppid, pgrp, ...
	f := strings.Fields(s[end+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return Info{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgid, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return Info{}, false
	}
	i := Info{PID: pid, PPID: ppid, PGID: pgid, State: f[0][0], Command: s[open+1 : end]}
	// Fields 14-17 of proc(5): utime, stime, cutime, cstime.
	if len(f) >= 15 {
		for _, v := range f[11:15] {
			n, _ := strconv.ParseFloat(v, 64)
			i.CPUTicks += n
		}
	}
	// Field 24: rss, in pages.
	if len(f) >= 22 {
		pages, _ := strconv.ParseInt(f[21], 10, 64)
		i.RSS = pages * pageSize
	}
	return i, true
}

package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Children lists the live (not zombie) processes whose parent is pid, as
// "pid (command)" from /proc. Tests use it to show that nothing outlived
// what started it.
func Children(pid int) []string {
	parent := strconv.Itoa(pid)
	var kids []string
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		// Fields after the command (in parentheses): state, ppid, ...
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == parent && f[0] != "Z" {
			kids = append(kids, strings.TrimSpace(s[:i+1]))
		}
	}
	return kids
}

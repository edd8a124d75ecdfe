package cpustat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// PSS returns the proportional set size of pid in bytes, from
// /proc/<pid>/smaps_rollup: its private memory plus its share of the pages
// it shares with other processes, so that the PSS of several processes adds
// up to the memory they use together.
func PSS(pid int) (int64, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		return 0, err
	}
	return parsePSS(raw)
}

func parsePSS(raw []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 3 && string(f[0]) == "Pss:" && string(f[2]) == "kB" {
			kb, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("smaps_rollup: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("smaps_rollup: no Pss line")
}

// TreePSS returns the summed PSS of pid and its live descendants in t, in
// bytes. Processes that vanish meanwhile, or whose memory cannot be read,
// are left out and counted in missing.
func (t Table) TreePSS(pid int) (bytes int64, missing int) {
	for _, p := range t.Tree(pid) {
		n, err := PSS(p.PID)
		if err != nil {
			missing++
			continue
		}
		bytes += n
	}
	return bytes, missing
}

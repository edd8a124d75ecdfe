package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// report joins the sections' Markdown under a header that names the machine
// and the command that reproduces the run.
func (b *bench) report(parts []string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# Benchmarks\n\nWritten by `bash scripts/bench.sh` on %s, in %s%s, on this machine:\n%s.\n\n",
		b.started.UTC().Format("2006-01-02"), time.Since(b.started).Round(time.Second), quickNote(b.quick), machine())
	s.WriteString("Reproduce (on Debian bookworm, as root or with sudo; the first command installs the\n" +
		"dependencies, the second GStreamer for the publishing baseline, then runs the harness):\n\n" +
		"```sh\nbash scripts/setup.sh && bash scripts/bench.sh\n```\n\n" +
		"The machine is shared and small: figures move with other load (each table says how much CPU the\n" +
		"rest of the machine used during its runs). Ratios are lkbrowser / baseline, measured in the same run.\n\n")
	for _, p := range parts {
		s.WriteString(p)
		s.WriteString("\n")
	}
	return s.String()
}

func quickNote(quick bool) string {
	if quick {
		return " with -quick (short windows, few repetitions: not figures to quote)"
	}
	return ""
}

// machine describes this machine: CPU, cores, memory, kernel, Go and
// Chromium.
func machine() string {
	model, mem := "unknown CPU", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb int64
			if n, _ := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); n == 1 {
				mem = fmt.Sprintf(", %.1f GiB of memory", float64(kb)/(1<<20))
				break
			}
		}
		f.Close()
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(b))
	}
	chromium := "Chromium not found"
	if path, err := lkbrowser.ResolveChromium("", ""); err == nil {
		chromium = path
		if out, err := exec.Command(path, "--version").Output(); err == nil {
			chromium = strings.TrimSpace(string(out))
		}
	}
	return fmt.Sprintf("%s, %d cores%s%s, %s/%s, %s, %s", model, runtime.NumCPU(), mem, kernel, runtime.GOOS, runtime.GOARCH, runtime.Version(), chromium)
}

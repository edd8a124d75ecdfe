package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

// microRuns are the `go test -bench` invocations of the frame path's
// micro-benchmarks (fewer iterations with -quick).
func (b *bench) microRuns() [][]string {
	n, capture := "60x", "120x"
	if b.quick {
		n, capture = "10x", "30x"
	}
	return [][]string{
		// Colour conversion, VP8 encode and decode, and the X capture calls.
		{"-run", "^$", "-bench", ".", "-benchtime", n, "-count", "1", "./internal/yuv/", "./internal/vpx/", "./internal/xcap/"},
		// The capture path end to end: a real page at 60 fps into Go.
		{"-run", "^$", "-bench", "Capture", "-benchtime", capture, "-count", "1", "./tests/"},
	}
}

// benchLine is one result line of `go test -bench`.
type benchLine struct {
	pkg, name string
	n         int
	metrics   map[string]float64 // by unit: ns/op, allocs/op, B/op, custom ones
	units     []string           // in the order printed
}

// microResult is the output of the micro-benchmarks.
type microResult struct {
	runs  [][]string // the arguments of go test
	lines []benchLine
	raw   string
	err   error
}

var benchRe = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.+)$`)

// parseBench reads the result lines of `go test -bench` output.
func parseBench(out string) []benchLine {
	var lines []benchLine
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := benchRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		bl := benchLine{pkg: pkg, name: m[1], n: n, metrics: map[string]float64{}}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			bl.metrics[f[i+1]] = v
			bl.units = append(bl.units, f[i+1])
		}
		lines = append(lines, bl)
	}
	return lines
}

// goTool returns the go command: the one on $PATH, else this Go's.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// runMicro runs the micro-benchmarks of the frame path from the module's
// root and parses their figures.
func runMicro(ctx context.Context, b *bench) microResult {
	res := microResult{runs: b.microRuns()}
	goBin := goTool()
	// lkbrowser's directory: the main module when run from the repository's
	// root, the replacement of bench/go.mod when run from bench/.
	dir, err := exec.CommandContext(ctx, goBin, "list", "-m", "-f", "{{.Dir}}", "github.com/lkbrowser/lkbrowser").Output()
	if err != nil || len(bytes.TrimSpace(dir)) == 0 {
		res.err = fmt.Errorf("go list -m github.com/lkbrowser/lkbrowser: not in the bench module (%v)", err)
		return res
	}
	root := string(bytes.TrimSpace(dir))
	var all strings.Builder
	for _, args := range res.runs {
		cmd := exec.CommandContext(ctx, goBin, append([]string{"test"}, args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		all.Write(out)
		if err != nil {
			b.log.Warn("micro-benchmarks failed", "args", strings.Join(args, " "), "err", err)
			res.err = fmt.Errorf("go test %s: %v", strings.Join(args, " "), err)
		}
	}
	res.raw = all.String()
	res.lines = parseBench(res.raw)
	return res
}

// find returns the line of benchmark name (without the -N suffix).
func (m microResult) find(name string) (benchLine, bool) {
	for _, l := range m.lines {
		if l.name == name {
			return l, true
		}
	}
	return benchLine{}, false
}

package security

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// envHelper names the helper job the test binary runs instead of the tests
// (see runHelper); envHelperDir is the directory the job may use.
const (
	envHelper    = "LKBROWSER_SECURITY_HELPER"
	envHelperDir = "LKBROWSER_SECURITY_HELPER_DIR"
	resultPrefix = "HELPER-RESULT "
)

// helperResult is what a helper job reports, as one JSON line.
type helperResult struct {
	Error string `json:"error,omitempty"`
	// Displays are the display names of the pages the job opened.
	Displays []string `json:"displays,omitempty"`
	// Rendered says every page showed its colour.
	Rendered bool `json:"rendered"`
	// UID is the user the job ran as.
	UID int `json:"uid"`
	// Cmdline is the command line of the (first) page's Chromium.
	Cmdline []string `json:"cmdline,omitempty"`
	// Renderers describe the page's renderer processes.
	Renderers []procInfo `json:"renderers,omitempty"`
	// BrowserUserNS is the user namespace of the browser process.
	BrowserUserNS string `json:"browser_userns,omitempty"`
	// Log holds the job's log lines at Warn and above.
	Log string `json:"log,omitempty"`
}

// procInfo describes a process for the sandbox checks.
type procInfo struct {
	Pid     int    `json:"pid"`
	Seccomp string `json:"seccomp"` // /proc/PID/status Seccomp: 0 none, 2 filter
	UserNS  string `json:"userns"`
	PidNS   string `json:"pidns"`
}

// colours of the helper jobs' pages.
var helperColours = []rgb{{0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0x00, 0x00, 0xff}, {0xff, 0xff, 0x00}}

// runHelper runs the helper job named job and returns the exit code.
// "pages": open $LKBROWSER_SECURITY_HELPER_PAGES pages at once on an
// engine of its own, report their displays, and keep them open until stdin
// closes. "sandbox": open one page and report how its Chromium runs.
func runHelper(job string) int {
	var res helperResult
	res.UID = os.Getuid()
	var logBuf testsupport.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	report := func() {
		res.Log = logBuf.String()
		b, _ := json.Marshal(res)
		fmt.Println(resultPrefix + string(b))
	}
	dir := os.Getenv(envHelperDir)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: log, TempDir: dir, NoAudio: true, CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		res.Error = "NewEngine: " + err.Error()
		report()
		return 1
	}
	defer e.Close()
	n := 1
	if job == "pages" {
		n, _ = strconv.Atoi(os.Getenv("LKBROWSER_SECURITY_HELPER_PAGES"))
	}
	pages := make([]*lkbrowser.Page, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range pages {
		wg.Go(func() {
			c := helperColours[i%len(helperColours)]
			p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: solidURL(c), Width: 320, Height: 240, FrameRate: 10})
			if err != nil {
				errs[i] = err
				return
			}
			pages[i] = p
			errs[i] = waitColour(ctx, p, 10, 10, c)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		res.Error = err.Error()
		report()
		return 1
	}
	res.Rendered = true
	for _, p := range pages {
		res.Displays = append(res.Displays, p.Display())
	}
	if job == "sandbox" {
		describeChromium(pages[0].Processes().Browser, &res)
	}
	report()
	if job == "pages" {
		io.Copy(io.Discard, os.Stdin) // hold the pages until the test is done
	}
	if err := e.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "engine close:", err)
		return 1
	}
	return 0
}

// solidURL is a data: page of one colour.
func solidURL(c rgb) string {
	return fmt.Sprintf("data:text/html,<style>html{background:%%23%02x%02x%02x}</style>", c.r, c.g, c.b)
}

// describeChromium fills res with the command line of the browser process
// and the sandbox state of its renderers.
func describeChromium(browser int, res *helperResult) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", browser))
	if err != nil {
		res.Error = err.Error()
		return
	}
	res.Cmdline = strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	res.BrowserUserNS, _ = os.Readlink(fmt.Sprintf("/proc/%d/ns/user", browser))
	res.Renderers = renderers(browser)
}

// renderers lists the renderer processes of the Chromium whose browser
// process is browser (they share its process group).
func renderers(browser int) []procInfo {
	var out []procInfo
	for _, i := range proc.Group(browser) {
		pid := i.PID
		dir := "/proc/" + strconv.Itoa(pid)
		cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		if !strings.Contains(string(cmd), "--type=renderer") {
			continue
		}
		info := procInfo{Pid: pid}
		status, _ := os.ReadFile(filepath.Join(dir, "status"))
		for line := range strings.Lines(string(status)) {
			if v, ok := strings.CutPrefix(line, "Seccomp:"); ok {
				info.Seccomp = strings.TrimSpace(v)
			}
		}
		info.UserNS, _ = os.Readlink(filepath.Join(dir, "ns", "user"))
		info.PidNS, _ = os.Readlink(filepath.Join(dir, "ns", "pid"))
		out = append(out, info)
	}
	return out
}

// helperProcess is a running helper job.
type helperProcess struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	result chan helperResult
	stderr *testsupport.SyncBuffer
	done   chan struct{}
}

// helperSpec describes a helper job to start.
type helperSpec struct {
	exe  string   // the test binary
	job  string   // "pages" or "sandbox"
	dir  string   // the job's directory
	env  []string // extra environment
	wrap []string // a command line to run it under (e.g. unshare), or none
	cred *syscall.Credential
}

// startHelper starts a helper job.
func startHelper(t *testing.T, spec helperSpec) *helperProcess {
	t.Helper()
	job := spec.job
	args := append(slices.Clone(spec.wrap), spec.exe, "-test.run=^$")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), envHelper+"="+job, envHelperDir+"="+spec.dir)
	cmd.Env = append(cmd.Env, spec.env...)
	if spec.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: spec.cred}
	}
	h := &helperProcess{cmd: cmd, result: make(chan helperResult, 1), stderr: &testsupport.SyncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = h.stderr
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), resultPrefix); ok {
				var r helperResult
				if err := json.Unmarshal([]byte(rest), &r); err != nil {
					r.Error = "bad result line: " + err.Error()
				}
				h.result <- r
			}
		}
		cmd.Wait()
		close(h.done)
	}()
	t.Cleanup(func() {
		h.stdin.Close()
		select {
		case <-h.done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-h.done
			t.Errorf("helper %s did not exit after its stdin closed", job)
		}
	})
	return h
}

// wait returns the helper's result.
func (h *helperProcess) wait(t *testing.T, d time.Duration) helperResult {
	t.Helper()
	select {
	case r := <-h.result:
		return r
	case <-h.done:
		t.Fatalf("helper exited without a result: %v\nstderr:\n%s", h.cmd.ProcessState, h.stderr.String())
	case <-time.After(d):
		t.Fatalf("no result from the helper within %v\nstderr:\n%s", d, h.stderr.String())
	}
	return helperResult{}
}

// finish closes the helper's stdin and waits for it to exit.
func (h *helperProcess) finish(t *testing.T) {
	t.Helper()
	h.stdin.Close()
	select {
	case <-h.done:
		if code := h.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("helper exit code %d\nstderr:\n%s", code, h.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("helper still running 30 s after its stdin closed")
	}
}

// rgb is an expected colour.
type rgb struct{ r, g, b uint8 }

// near reports whether the frame's pixel at x, y is within tol of c.
func near(f *lkbrowser.Frame, x, y int, c rgb, tol int) bool {
	b, g, r := f.BGRA(x, y)
	d := func(a, b uint8) int { return max(int(a), int(b)) - min(int(a), int(b)) }
	return d(r, c.r) <= tol && d(g, c.g) <= tol && d(b, c.b) <= tol
}

// waitColour waits until a frame (or a snapshot) of p shows c at x, y.
func waitColour(ctx context.Context, p *lkbrowser.Page, x, y int, c rgb) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case f, ok := <-p.Frames():
			if !ok {
				return errors.New("frames closed")
			}
			hit := near(f, x, y, c, 2)
			f.Release()
			if hit {
				return nil
			}
		case <-tick.C: // a static page sends no more frames: look
			f, err := p.Snapshot(ctx)
			if err != nil {
				return err
			}
			hit := near(f, x, y, c, 2)
			f.Release()
			if hit {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("no frame with colour %v at %d,%d: %w", c, x, y, ctx.Err())
		}
	}
}

// mustColour is waitColour within 15 s, failing the test otherwise.
func mustColour(t *testing.T, p *lkbrowser.Page, x, y int, c rgb) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := waitColour(ctx, p, x, y, c); err != nil {
		t.Fatal(err)
	}
}

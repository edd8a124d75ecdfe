package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// envHost makes TestHelperHost act as the host program of
// TestHostKilled; its value is the engine's TempDir.
const envHost = "LKBROWSER_TEST_HOST"

// hostReport is what the host tells about itself once its page plays sound.
type hostReport struct {
	PID   int         // the host
	Procs []proc.Info // every process below it
	Root  string      // its engine's runtime directory
	Links []string    // directories under /tmp that Root links to
}

// TestHelperHost is not a test: run by TestHostKilled with envHost set, it
// opens an engine with a page that plays sound (Xvfb, Chromium with its
// zygotes, GPU, utility and renderer processes, PulseAudio), reports its
// process tree and runtime directory on fd 3, and waits to be killed.
func TestHelperHost(t *testing.T) {
	tmp := os.Getenv(envHost)
	if tmp == "" {
		t.Skip("only runs as the host of TestHostKilled")
	}
	// The report pipe is not for the host's children.
	syscall.CloseOnExec(3)
	others := engineDirs(t, tmp) // the live engine's
	e, err := lkbrowser.NewEngine(context.Background(), lkbrowser.Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("tone.html#440"), Width: 320, Height: 240, FrameRate: 5})
	collectAudio(t, p, 200*time.Millisecond, true)
	// A second page whose renderer is stuck in a script: it must die too.
	hung := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: "data:text/html,<title>hung</title>", Width: 320, Height: 240, FrameRate: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := hung.Eval(ctx, `setTimeout(() => { for (;;) {} }, 0); 1`); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	defer cancelShort()
	if _, err := hung.Eval(short, `2`); err == nil {
		t.Fatal("the hung page still runs scripts")
	}
	var roots []string
	for _, d := range engineDirs(t, tmp) {
		if !slices.Contains(others, d) {
			roots = append(roots, d)
		}
	}
	if len(roots) != 1 || len(engineDirs(t, tmp)) != len(others)+1 {
		t.Fatalf("runtime dirs in %s: %v, want those of before (%v) and one more", tmp, engineDirs(t, tmp), others)
	}
	r := hostReport{PID: os.Getpid(), Procs: proc.Descendants(os.Getpid()), Root: roots[0]}
	_ = filepath.WalkDir(r.Root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			// Chromium's profile has links of its own (SingletonLock...).
			if target, err := os.Readlink(path); err == nil && strings.HasPrefix(target, "/tmp/lkb-") {
				r.Links = append(r.Links, target)
			}
		}
		return nil
	})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	report := os.NewFile(3, "report")
	if _, err := fmt.Fprintf(report, "%s\n", b); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Minute) // killed long before
}

// startHost runs TestHelperHost with its engine's TempDir (and its own
// TMPDIR) in dir and returns it with its report.
func startHost(t *testing.T, dir string) (*proc.Process, hostReport) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHost$", "-test.count=1", "-test.timeout=15m")
	cmd.Env = append(os.Environ(), envHost+"="+dir, "TMPDIR="+dir)
	cmd.ExtraFiles = []*os.File{w}
	host, err := proc.Start("host", cmd, nil)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Stop(time.Second) })
	lines := make(chan []byte, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadBytes('\n')
		lines <- line
	}()
	var rep hostReport
	select {
	case line := <-lines:
		if err := json.Unmarshal(line, &rep); err != nil {
			_ = host.Stop(time.Second)
			t.Fatalf("host report %q: %v; host output:\n%s", line, err, host.Output())
		}
	case <-time.After(90 * time.Second):
		_ = host.Stop(time.Second)
		t.Fatalf("no report from the host; its output:\n%s", host.Output())
	}
	t.Cleanup(func() {
		_ = host.Stop(time.Second)
		// What the test did not see swept (it failed first) goes now.
		for _, l := range rep.Links {
			os.RemoveAll(l)
		}
		removeXLocks(rep.PID)
	})
	return host, rep
}

// removeXLocks removes the lock files and sockets under /tmp that the
// killed host's Xvfb servers left. (Xvfb would take them over as stale when
// it needs their display numbers again.)
func removeXLocks(hostPID int) {
	locks, _ := filepath.Glob("/tmp/.X*-lock")
	for _, l := range locks {
		b, err := os.ReadFile(l)
		if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(hostPID) {
			continue
		}
		n := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(l), ".X"), "-lock")
		os.Remove(filepath.Join("/tmp/.X11-unix", "X"+n))
		os.Remove(l)
	}
}

// survivors lists the live processes that belonged to the host: those it
// reported, any other member of their process groups, and any process whose
// command line names the host's runtime directory (one started after the
// report, or one that left the host's tree, like Chromium's crash handlers).
func survivors(rep hostReport) []proc.Info {
	pids := map[int]bool{}
	groups := map[int]bool{}
	for _, p := range rep.Procs {
		pids[p.PID] = true
		groups[p.PGID] = true
	}
	var out []proc.Info
	for _, p := range proc.Processes() {
		if !p.Alive() {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.PID))
		if pids[p.PID] || groups[p.PGID] || bytes.Contains(cmdline, []byte(rep.Root)) {
			out = append(out, p)
		}
	}
	return out
}

// describeProcs formats processes for messages.
func describeProcs(ps []proc.Info) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%d %s (group %d)", p.PID, p.Command, p.PGID))
	}
	return strings.Join(s, ", ")
}

// TestHostKilled: the host program is killed with SIGKILL. No Chromium,
// Xvfb or PulseAudio process of it, not even the renderer of a page stuck
// in a script, may outlive it by more than 2 s; the next engine with the
// same TempDir removes its runtime directory (and the short directories
// under /tmp it linked to), but neither the directory of a live engine nor
// anything else in TempDir.
func TestHostKilled(t *testing.T) {
	dir := t.TempDir()
	// A live engine with a page, in the same TempDir, in this process.
	live, err := lkbrowser.NewEngine(context.Background(), lkbrowser.Options{TempDir: dir, NoAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	livePage := testsupport.OpenPage(t, live, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240, FrameRate: 5})
	waitFrame(t, livePage, 20*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 10, 10, rgb{255, 0, 0}, 2) }).Release()
	liveRoots := engineDirs(t, dir)
	if len(liveRoots) != 1 {
		t.Fatalf("engine dirs %v, want the live engine's", liveRoots)
	}

	host, rep := startHost(t, dir)
	t.Logf("host %d: %d processes: %s", rep.PID, len(rep.Procs), describeProcs(rep.Procs))
	for _, want := range []string{"Xvfb", "chromium", "pulseaudio"} {
		if !slices.ContainsFunc(rep.Procs, func(p proc.Info) bool { return strings.Contains(p.Command, want) }) {
			t.Errorf("the host runs no %s", want)
		}
	}
	// Its page directories are too deep for Chromium's socket: their
	// temporary directories are under /tmp, linked from the runtime dir.
	if len(rep.Links) == 0 {
		t.Errorf("the host's runtime dir links to no directory under /tmp")
	}
	before, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}

	// Watched closely: what the host runs now, and Chromium's crash
	// handlers, which left its tree.
	watch := survivors(rep)
	killed := time.Now()
	if err := syscall.Kill(rep.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var left, last []proc.Info
	for time.Since(killed) < 10*time.Second {
		left = slices.DeleteFunc(slices.Clone(watch), func(p proc.Info) bool { return !proc.Alive(p.PID) })
		if len(left) == 0 {
			// And nothing else of the host either.
			if left = survivors(rep); len(left) == 0 {
				break
			}
		}
		last = left
		time.Sleep(5 * time.Millisecond)
	}
	gone := time.Since(killed)
	<-host.Done()
	if len(left) > 0 {
		for _, p := range left {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
		t.Fatalf("10 s after the host was killed, still alive: %s", describeProcs(left))
	}
	t.Logf("all %d processes of the host gone %v after it was killed; the last: %s", len(watch), gone.Round(time.Millisecond), describeProcs(last))
	if gone > 2*time.Second {
		t.Errorf("the host's processes outlived it by %v, want at most 2 s", gone)
	}

	// The host's runtime dir is still there until an engine starts.
	for _, p := range append([]string{rep.Root}, rep.Links...) {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s of the dead host: %v", p, err)
		}
	}
	var logs bytes.Buffer
	next, err := lkbrowser.NewEngine(context.Background(), lkbrowser.Options{TempDir: dir,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append([]string{rep.Root}, rep.Links...) {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s of the dead host not removed: %v", p, err)
			os.RemoveAll(p)
		}
	}
	if !strings.Contains(logs.String(), "removed stale runtime dir") || !strings.Contains(logs.String(), rep.Root) {
		t.Errorf("the new engine did not log what it removed:\n%s", logs.String())
	}
	// Everything else in TempDir stays: the live engine's dir and the
	// host's other (test) directories.
	for _, d := range before {
		p := filepath.Join(dir, d.Name())
		if _, err := os.Lstat(p); p != rep.Root && err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	// The live engine's page goes on.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := livePage.Eval(ctx, `document.documentElement.style.background = "#0000ff"`); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, livePage, 20*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 10, 10, rgb{0, 0, 255}, 2) }).Release()
	if err := next.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := livePage.Close(); err != nil {
		t.Errorf("page Close: %v", err)
	}
	if err := live.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if left := engineDirs(t, dir); len(left) > 0 {
		t.Errorf("engine dirs left: %v", left)
	}
}

// engineDirs lists the engine runtime directories in dir.
func engineDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "lkbrowser-engine-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

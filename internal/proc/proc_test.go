package proc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envHost makes TestHelperHost act as the host of TestChildDiesWithItsHost.
const envHost = "LKBROWSER_PROC_TEST_HOST"

// startOnDyingThread starts cmd from a goroutine that locks its OS thread
// and returns without unlocking it, so that Go ends the thread; it returns
// once that thread is gone.
func startOnDyingThread(t *testing.T, name string, cmd *exec.Cmd) *Process {
	t.Helper()
	type result struct {
		p   *Process
		err error
		tid int
	}
	res := make(chan result, 1)
	hold := make(chan struct{})
	defer close(hold)
	for range 10 {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			tid := syscall.Gettid()
			if tid == os.Getpid() {
				// Go never ends the main thread: keep it busy until the
				// child is started, so that the next try runs on another.
				res <- result{tid: tid}
				<-hold
				runtime.UnlockOSThread()
				return
			}
			p, err := Start(name, cmd, nil)
			res <- result{p, err, tid}
		}()
		if r := <-res; r.tid != os.Getpid() {
			if r.err != nil {
				t.Fatal(r.err)
			}
			waitThreadGone(t, r.tid, r.p)
			return r.p
		}
	}
	t.Fatal("no goroutine ran on a thread other than the main one")
	return nil
}

// waitThreadGone waits until thread tid of this process has ended.
func waitThreadGone(t *testing.T, tid int, p *Process) {
	t.Helper()
	task := fmt.Sprintf("/proc/self/task/%d", tid)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			_ = p.Stop(time.Second)
			t.Fatalf("thread %d of the starting goroutine did not end", tid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A child started from a goroutine whose OS thread then ends lives on:
// its parent-death signal is tied to the process, not to the thread of the
// caller (golang/go#27505).
func TestChildOutlivesTheThreadThatStartedIt(t *testing.T) {
	p := startOnDyingThread(t, "sleep", exec.Command("sleep", "60"))
	defer p.Stop(time.Second)
	select {
	case <-p.Done():
		t.Fatalf("the child died with the thread that started it: %v", p.ExitErr())
	case <-time.After(time.Second):
	}
	if !Alive(p.Pid()) {
		t.Fatalf("child %d is gone", p.Pid())
	}
	if err := p.Stop(time.Second); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if Alive(p.Pid()) {
		t.Errorf("child %d alive after Stop", p.Pid())
	}
}

// TestHelperHost is not a test: run by TestChildDiesWithItsHost with envHost
// set, it starts a child from a thread that ends and another from this
// goroutine, prints their pids and waits to be killed.
func TestHelperHost(t *testing.T) {
	if os.Getenv(envHost) == "" {
		t.Skip("only runs as the host of TestChildDiesWithItsHost")
	}
	a := startOnDyingThread(t, "sleep", exec.Command("sleep", "300"))
	b, err := Start("sleep", exec.Command("sleep", "300"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("pids %d %d\n", a.Pid(), b.Pid())
	time.Sleep(10 * time.Minute) // killed long before
}

// When the host program is killed with SIGKILL, its children die with it,
// including one started from a thread that ended long before.
func TestChildDiesWithItsHost(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHost$", "-test.count=1", "-test.timeout=15m")
	cmd.Env = append(os.Environ(), envHost+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 3 || f[0] != "pids" {
		t.Fatalf("host said %q: %v", line, err)
	}
	var kids []int
	for _, s := range f[1:] {
		pid, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, pid)
		if !Alive(pid) {
			t.Fatalf("child %d not running before the host was killed", pid)
		}
	}
	killed := time.Now()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range kids {
		for Alive(pid) && time.Since(killed) < 10*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		if Alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("child %d alive 10 s after its host was killed", pid)
		}
	}
	t.Logf("children gone %v after the host was killed", time.Since(killed).Round(time.Millisecond))
}

func TestDescendantsAndGroup(t *testing.T) {
	// sh leads a new group; its child sleep is in that group too.
	cmd := exec.Command("sh", "-c", "sleep 60 & echo $!; wait")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	cmd.Args[2] = "sleep 60 & echo $! >&3; wait"
	p, err := Start("sh", cmd, nil)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop(time.Second)
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	sleep, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	has := func(ps []Info, pid int) bool {
		for _, i := range ps {
			if i.PID == pid {
				return true
			}
		}
		return false
	}
	d := Descendants(os.Getpid())
	if !has(d, p.Pid()) || !has(d, sleep) {
		t.Errorf("Descendants = %+v, want sh %d and sleep %d", d, p.Pid(), sleep)
	}
	g := Group(p.Pid())
	if len(g) != 2 || !has(g, p.Pid()) || !has(g, sleep) {
		t.Errorf("Group(%d) = %+v, want sh and sleep", p.Pid(), g)
	}
	if i, ok := Stat(sleep); !ok || i.PPID != p.Pid() || i.PGID != p.Pid() || i.Command != "sleep" || !i.Alive() {
		t.Errorf("Stat(%d) = %+v, %v", sleep, i, ok)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	// The group is gone; sleep may linger as a zombie until init reaps it.
	deadline := time.Now().Add(5 * time.Second)
	for Alive(sleep) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if Alive(sleep) || len(Group(p.Pid())) != 0 {
		t.Errorf("group %d alive after Stop: %+v", p.Pid(), Group(p.Pid()))
	}
}

func TestParseStat(t *testing.T) {
	// A command with spaces and parentheses; utime 100, stime 20, cutime 3, cstime 4, rss 5 pages.
	line := "4242 (my (odd) cmd) S 17 4243 4242 0 -1 4194560 100 0 0 0 100 20 3 4 20 0 1 0 100 777 5 0"
	i, ok := parseStat(line)
	if !ok || i.PID != 4242 || i.PPID != 17 || i.PGID != 4243 || i.Command != "my (odd) cmd" || i.CPUTicks != 127 || i.RSS != 5*pageSize || !i.Alive() {
		t.Fatalf("parsed %+v, %v", i, ok)
	}
	if i, ok := parseStat("4242 (zombie) Z 17 4242 4242 0 -1 4194560 100 0 0 0 100 20 3 4 20 0 1 0 100 0 0"); !ok || i.Alive() {
		t.Errorf("zombie: %+v, %v", i, ok)
	}
	if _, ok := parseStat("garbage"); ok {
		t.Error("garbage parsed")
	}
}

package cpustat

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestParseHostAndPSS(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	if got := parseHost("cpu  10 1 5 1000 50 2 3 4 7 0\ncpu0 1 1 1 1 1 1 1 1 1 1\n"); got != (HostTimes{Busy: 25, Steal: 4}) {
		t.Errorf("host %+v, want busy 25, steal 4", got)
	}
	n, err := parsePSS([]byte("55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss: 2048 kB\nPss: 1500 kB\nPss_Anon: 3 kB\n"))
	if err != nil || n != 1500*1024 {
		t.Errorf("pss %d, %v", n, err)
	}
	if _, err := parsePSS([]byte("Rss: 1 kB\n")); err == nil {
		t.Error("no Pss line accepted")
	}
}

// A busy child shows in its parent's tree, with its CPU and its memory, and
// this process's own CPU grows as it works.
func TestTreeOfRealProcesses(t *testing.T) {
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	// Spinning makes this process's CPU time grow (however busy the
	// machine: no bound on how long it takes).
	self0 := SelfSeconds()
	for deadline := time.Now().Add(time.Minute); SelfSeconds()-self0 < 0.05; {
		if time.Now().After(deadline) {
			t.Fatalf("this process's CPU time grew %.3f s in a minute of spinning", SelfSeconds()-self0)
		}
	}
	// The child spins too: wait until it has used some CPU.
	var tab Table
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		tab = Read()
		if p := tab.Tree(cmd.Process.Pid); len(p) == 1 && p[0].CPUTicks >= 10 || time.Now().After(deadline) {
			break
		}
	}
	tree := tab.Tree(os.Getpid())
	if len(tree) < 2 || tree[0].PID != os.Getpid() {
		t.Fatalf("tree of this process: %+v", tree)
	}
	child := tab.Tree(cmd.Process.Pid)
	if len(child) != 1 || child[0].PPID != os.Getpid() || child[0].CPUTicks < 10 {
		t.Fatalf("the busy child: %+v", child)
	}
	if got := tab.TreeTicks(os.Getpid()); got < child[0].CPUTicks {
		t.Errorf("tree ticks %v < the child's %v", got, child[0].CPUTicks)
	}
	if tab.Tree(1<<30) != nil {
		t.Error("a tree for a pid that does not exist")
	}
	pss, missing := tab.TreePSS(os.Getpid())
	if missing != 0 || pss < 1<<20 {
		t.Errorf("tree PSS %d bytes, %d missing", pss, missing)
	}
	if HostTicks() <= 0 {
		t.Error("no host CPU time")
	}
}

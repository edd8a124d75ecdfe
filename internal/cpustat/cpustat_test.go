package cpustat

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command with spaces and parentheses; utime 100, stime 20, cutime 3, cstime 4.
	line := "4242 (my (odd) cmd) S 17 4242 4242 0 -1 4194560 100 0 0 0 100 20 3 4 20 0 1 0 100 0 0"
	p, ok := parseStat(line)
	if !ok || p.Pid != 4242 || p.PPid != 17 || p.Comm != "my (odd) cmd" || p.Ticks != 127 {
		t.Fatalf("parsed %+v, %v", p, ok)
	}
	if p.Seconds() != 1.27 {
		t.Errorf("seconds %v", p.Seconds())
	}
	if _, ok := parseStat("4242 (zombie) Z 17 4242 4242 0 -1 4194560 100 0 0 0 100 20 3 4 20 0 1 0 100 0 0"); ok {
		t.Error("a zombie was read as live")
	}
	if _, ok := parseStat("garbage"); ok {
		t.Error("garbage parsed")
	}
}

func TestParseHostAndPSS(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	if got := parseHost("cpu  10 1 5 1000 50 2 3 4 7 0\ncpu0 1 1 1 1 1 1 1 1 1 1\n"); got != 25 {
		t.Errorf("host busy %v, want 25", got)
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
		if p, ok := tab.Proc(cmd.Process.Pid); ok && p.Ticks >= 10 || time.Now().After(deadline) {
			break
		}
	}
	tree := tab.Tree(os.Getpid())
	if len(tree) < 2 || tree[0].Pid != os.Getpid() {
		t.Fatalf("tree of this process: %+v", tree)
	}
	child, ok := tab.Proc(cmd.Process.Pid)
	if !ok || child.PPid != os.Getpid() || child.Ticks < 10 {
		t.Fatalf("the busy child: %+v, %v", child, ok)
	}
	if got := tab.TreeTicks(os.Getpid()); got < child.Ticks {
		t.Errorf("tree ticks %v < the child's %v", got, child.Ticks)
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

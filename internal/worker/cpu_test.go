package worker

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// The machine's CPU meter gives a fraction after two samples.
func TestCPUMeter(t *testing.T) {
	m := &cpuMeter{minSpacing: 100 * time.Millisecond}
	m.Load()
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) { // keep a core busy a little
	}
	if v := m.Load(); v <= 0 || v > 1 {
		t.Errorf("busy fraction %v, want 0 < v <= 1", v)
	}
}

// groupCPU counts the CPU time of this test's process group.
func TestGroupCPU(t *testing.T) {
	pgid, err := syscall.Getpgid(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	if d := groupCPU(pgid); d <= 0 {
		t.Errorf("group CPU %v, want > 0", d)
	}
	if d := groupCPU(0, -1); d != 0 {
		t.Errorf("no group: %v", d)
	}
}

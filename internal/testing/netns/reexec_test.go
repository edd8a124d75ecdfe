package netns

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envHelper makes this test binary act as a helper child of the tests below.
const envHelper = "LKBROWSER_NETNS_TEST_HELPER"

// TestHelper is the helper child: it runs only when envHelper is set.
func TestHelper(t *testing.T) {
	switch os.Getenv(envHelper) {
	case "":
		t.Skip("helper child of TestExitCode and TestSignalForwarded")
	case "exit":
		os.Exit(3)
	case "sleep":
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
}

// helper starts this test binary as a fresh run of Enter (the marker
// removed, so it makes a namespace of its own) running TestHelper in mode.
func helper(t *testing.T, mode string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestHelper$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envParent+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, envHelper+"="+mode)
	return cmd
}

// The outer process exits with the namespaced child's code.
func TestExitCode(t *testing.T) {
	out, err := helper(t, "exit").CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 3 {
		t.Fatalf("helper: %v, want exit status 3; output:\n%s", err, out)
	}
}

// SIGTERM to the outer process reaches the namespaced child, and the outer
// reports the child's death by that signal as 128+15.
func TestSignalForwarded(t *testing.T) {
	cmd := helper(t, "sleep")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := stdout.Read(buf) // "ready": the child is inside and sleeping
	if !strings.Contains(string(buf[:n]), "ready") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper wrote %q, want ready", buf[:n])
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		exit, ok := err.(*exec.ExitError)
		if !ok || exit.ExitCode() != 128+int(syscall.SIGTERM) {
			t.Fatalf("helper: %v, want exit status %d", err, 128+int(syscall.SIGTERM))
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("helper still running 30 s after SIGTERM")
	}
}

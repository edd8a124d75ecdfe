package scaleout

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// `lkbrowser dispatch`: with no worker it says clearly that none took the
// page and exits 1; with one, it publishes the page, and Ctrl-C deletes
// the dispatch (the worker closes the page) and exits 0.
func TestDispatchCommand(t *testing.T) {
	srv := startServer(t, "")
	env := append(os.Environ(), "LIVEKIT_URL="+srv.URL(), "LIVEKIT_API_KEY="+srv.APIKey(), "LIVEKIT_API_SECRET="+srv.APISecret())
	url := testPage().URL
	size := []string{"--width", "320", "--height", "180", "--fps", "10", "--no-audio"}

	cmd := exec.Command(cliPath, append([]string{"dispatch", "--room", "cli-none", "--timeout", "6s", url}, size...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 ||
		!strings.Contains(string(out), `no "lkbrowser" worker accepted the page for room "cli-none" within 6s`) {
		t.Fatalf("dispatch without a worker: %v\n%s", err, out)
	}
	t.Logf("without a worker: %s", strings.TrimSpace(string(out)))

	w := startWorker(t, srv, "cli-worker", 1)
	cmd = exec.Command(cliPath, append([]string{"dispatch", "--room", "cli-room", url}, size...)...)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	lines := make(chan string, 20)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(prefix string) string {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("dispatch exited before %q; stderr %s", prefix, stderr.String())
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q line", prefix)
			}
		}
	}
	t.Log(waitLine("published by worker \"cli-worker\""))
	waitLine("dispatched ")
	waitVideo(t, subscribe(t, srv, "cli-room", "viewer"), 0, 30*time.Second)

	cmd.Process.Signal(syscall.SIGINT)
	waitLine("stopped")
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("dispatch still running 30 s after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit %d after SIGINT; stderr %s", code, stderr.String())
	}
	if !waitFor(20*time.Second, func() bool { v, _ := metric(w.scrape(t), "lkbrowser_worker_pages"); return v == 0 }) {
		t.Error("the worker still runs the page after the dispatch command stopped")
	}
	// Neither command printed the LiveKit SDK's logging without --verbose,
	// although the worker published to a subscriber that decoded video.
	if l := testsupport.SDKLogLine(stderr.String()); l != "" {
		t.Errorf("dispatch printed SDK logging: %q", l)
	}
	if l := testsupport.SDKLogLine(w.text()); l != "" && os.Getenv("LKBROWSER_TEST_DEBUG") == "" {
		t.Errorf("worker printed SDK logging without --verbose: %q", l)
	}
}

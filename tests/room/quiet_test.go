package room

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The library prints nothing: a program that publishes a page with
// lksession and uses package dispatch, leaving every Logger unset, writes
// nothing to stderr while a real subscriber receives the page, nor when it
// leaves (no line of its own logs, the SDK's or pion's).
func TestLibraryQuiet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "quietpublish")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/lkbrowser/lkbrowser/internal/testing/quietpublish").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := startProcess(t, bin, []string{"LIVEKIT_URL=" + lk.URL(), "LIVEKIT_API_KEY=" + lk.APIKey(), "LIVEKIT_API_SECRET=" + lk.APISecret()},
		web.URL+"/page.html#silent", roomName(t))
	p.line(t, "published", 90*time.Second)
	waitColour(t, subscribe(t, lk, "quiet-watcher"), 100, 100, red, 60*time.Second)
	time.Sleep(2 * time.Second) // pion logs on each state change
	if code := p.interrupt(30 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGINT\nstderr:\n%s", code, p.errors())
	}
	if stderr := p.errors(); stderr != "" {
		t.Errorf("the library wrote to stderr:\n%s", stderr)
	}
}

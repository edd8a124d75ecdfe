package scaleout

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGTERM on a worker: it reports itself full at once, its running page
// keeps streaming while it drains, new pages go to the other worker, and it
// exits 0 once its page's dispatch is deleted.
func TestSIGTERMDrain(t *testing.T) {
	srv := startServer(t, "")
	drainer := startWorker(t, srv, "drainer", 2)
	c := newClient(t, srv, nil)
	d1 := place(t, c, "drain-0")
	if d1.Worker() != "drainer" {
		t.Fatalf("page on %q, want drainer", d1.Worker())
	}
	sub := subscribe(t, srv, "drain-0", "viewer")
	waitVideo(t, sub, 0, 30*time.Second)
	other := startWorker(t, srv, "other", 2)

	if err := drainer.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	termAt := time.Now()
	drainer.line(t, "draining: ", 10*time.Second)
	m := drainer.scrape(t)
	if v, _ := metric(m, "lkbrowser_worker_full"); v != 1 {
		t.Errorf("lkbrowser_worker_full = %v right after SIGTERM, want 1", v)
	}
	if v, _ := metric(m, "lkbrowser_worker_draining"); v != 1 {
		t.Errorf("lkbrowser_worker_draining = %v, want 1", v)
	}
	t.Logf("full %v after SIGTERM", time.Since(termAt).Round(time.Millisecond))

	// New pages land on the other worker only.
	for _, room := range []string{"drain-1", "drain-2"} {
		if d := place(t, c, room); d.Worker() != "other" {
			t.Errorf("%s went to %q while drainer drains, want other", room, d.Worker())
		}
	}
	// The draining worker's page still streams.
	before := sub.Frames()
	time.Sleep(3 * time.Second)
	waitVideo(t, sub, before, 10*time.Second)
	if d1.Worker() != "drainer" || d1.Redispatches() != 0 {
		t.Errorf("the draining worker's page moved to %q", d1.Worker())
	}
	if code := drainer.exit(0); code != -1 {
		t.Fatalf("the worker exited (%d) with a page still running", code)
	}
	t.Logf("page still streaming %v after SIGTERM: %d frames during the drain", time.Since(termAt).Round(time.Millisecond), sub.Frames()-before)

	// Its dispatch deleted, the worker has nothing left and exits cleanly.
	closed := time.Now()
	if err := d1.Close(); err != nil {
		t.Fatal(err)
	}
	code := drainer.exit(30 * time.Second)
	if code != 0 {
		t.Fatalf("drained worker exit code %d, want 0; output:\n%s", code, drainer.text())
	}
	if !strings.Contains(drainer.text(), "drained") {
		t.Errorf("no 'drained' in the output:\n%s", drainer.text())
	}
	t.Logf("worker exited 0 %v after its last dispatch was deleted", time.Since(closed).Round(time.Millisecond))
	if v, _ := metric(other.scrape(t), "lkbrowser_worker_pages"); v != 2 {
		t.Errorf("other runs %v pages, want 2", v)
	}
}

// A drain that outlasts --drain-timeout: the worker closes its page and
// exits 0, and the requesting side publishes the page again on the other
// worker.
func TestSIGTERMDrainTimeout(t *testing.T) {
	srv := startServer(t, "")
	leaving := startWorker(t, srv, "leaving", 1, "--drain-timeout", "4s")
	c := newClient(t, srv, nil)
	d := place(t, c, "drain-timeout")
	sub := subscribe(t, srv, "drain-timeout", "viewer")
	waitVideo(t, sub, 0, 30*time.Second)
	startWorker(t, srv, "staying", 1)

	if err := leaving.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	termAt := time.Now()
	code := leaving.exit(30 * time.Second)
	if code != 0 || !strings.Contains(leaving.text(), "drain cut short: remaining pages closed") {
		t.Fatalf("exit %d; output:\n%s", code, leaving.text())
	}
	exited := time.Since(termAt)
	if exited < 4*time.Second {
		t.Errorf("exited %v after SIGTERM, before the 4 s drain timeout", exited)
	}
	before := sub.Frames()
	waitVideo(t, sub, before, 45*time.Second)
	t.Logf("exited 0 %v after SIGTERM; page published again by %q, video again %v after SIGTERM",
		exited.Round(time.Millisecond), d.Worker(), time.Since(termAt).Round(time.Millisecond))
	if !waitFor(10*time.Second, func() bool { return d.Worker() == "staying" }) || d.Redispatches() != 1 {
		t.Errorf("page on %q after %d re-dispatches, want staying after 1", d.Worker(), d.Redispatches())
	}
	if err := d.Close(); err != nil {
		t.Error(err)
	}
}

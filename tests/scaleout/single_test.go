package scaleout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
)

// One node, two workers of capacity 2: four pages land two per worker and
// every one reaches its subscriber; a fifth is taken by no worker and
// Start says so after its timeout; deleting a dispatch closes its page and
// frees the slot, and the fifth then succeeds. The metrics endpoint serves
// the pages' counters.
func TestSingleNodeCapacity(t *testing.T) {
	srv := startServer(t, "")
	w1 := startWorker(t, srv, "w1", 2)
	w2 := startWorker(t, srv, "w2", 2)
	c := newClient(t, srv, func(cfg *dispatch.Config) { cfg.AcceptTimeout = 12 * time.Second })

	var ds []*dispatch.Dispatch
	perWorker := map[string]int{}
	for i := range 4 {
		d := place(t, c, fmt.Sprintf("single-%d", i))
		ds = append(ds, d)
		perWorker[d.Worker()]++
	}
	if perWorker["w1"] != 2 || perWorker["w2"] != 2 {
		t.Fatalf("pages per worker %v, want 2 on w1 and 2 on w2", perWorker)
	}
	subs := make([]*roomtest.Subscriber, len(ds))
	for i, d := range ds {
		subs[i] = subscribe(t, srv, d.Room(), "viewer")
	}
	for _, sub := range subs {
		waitVideo(t, sub, 0, 30*time.Second)
	}

	// Metrics of a worker with two pages.
	m := w1.scrape(t)
	for _, want := range []struct {
		name string
		min  float64
	}{{"lkbrowser_worker_pages", 2}, {"lkbrowser_worker_capacity", 2}, {"lkbrowser_worker_full", 1}} {
		if v, ok := metric(m, want.name); !ok || v != want.min {
			t.Errorf("%s = %v (present %v), want %v", want.name, v, ok, want.min)
		}
	}
	for _, d := range ds {
		if d.Worker() != "w1" {
			continue
		}
		room := `room="` + d.Room() + `"`
		for _, name := range []string{"lkbrowser_page_frames_captured_total", "lkbrowser_page_frames_sent_total",
			"lkbrowser_page_encode_seconds_total", "lkbrowser_page_cpu_seconds_total"} {
			if v, ok := metric(m, name, room); !ok || v <= 0 {
				t.Errorf("%s{%s} = %v (present %v), want > 0", name, room, v, ok)
			}
		}
		if _, ok := metric(m, "lkbrowser_page_frames_dropped_total", room); !ok {
			t.Errorf("no lkbrowser_page_frames_dropped_total for %s", room)
		}
	}
	for _, name := range []string{"lkbrowser_worker_cpu_busy_ratio", "lkbrowser_worker_load", "process_cpu_seconds_total"} {
		if _, ok := metric(m, name); !ok {
			t.Errorf("no %s", name)
		}
	}

	// A fifth page: both workers are full.
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Start(ctx, "single-4", testPage())
	waited := time.Since(began)
	var nae *dispatch.NotAcceptedError
	if !errors.Is(err, dispatch.ErrNotAccepted) || !errors.As(err, &nae) {
		t.Fatalf("fifth dispatch: %v, want a NotAcceptedError", err)
	}
	t.Logf("fifth dispatch refused after %v: %v", waited.Round(time.Millisecond), err)
	if waited < 12*time.Second || waited > 30*time.Second || !strings.Contains(err.Error(), "full") || nae.Room != "single-4" {
		t.Errorf("refusal after %v: %q", waited, err)
	}

	// Deleting a dispatch of w2 closes its page and frees its slot.
	var gone *dispatch.Dispatch
	var goneSub *roomtest.Subscriber
	for i, d := range ds {
		if d.Worker() == "w2" {
			gone, goneSub = d, subs[i]
			break
		}
	}
	if err := gone.Close(); err != nil {
		t.Fatal(err)
	}
	freed := waitFor(30*time.Second, func() bool {
		m := w2.scrape(t)
		pages, _ := metric(m, "lkbrowser_worker_pages")
		full, _ := metric(m, "lkbrowser_worker_full")
		return pages == 1 && full == 0
	})
	if !freed {
		t.Fatalf("w2 still full after a dispatch was deleted")
	}
	if err := goneSub.Wait(ctx, "the page leaving", func() bool { return goneSub.LeftLocked(dispatch.DefaultIdentity) }); err != nil {
		t.Error(err)
	}
	d5 := place(t, c, "single-4")
	if d5.Worker() != "w2" {
		t.Errorf("the fifth page went to %q, want w2 (the worker with the free slot)", d5.Worker())
	}
	waitVideo(t, subscribe(t, srv, "single-4", "viewer"), 0, 30*time.Second)
}

// waitFor polls cond every 200 ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return cond()
}

package scaleout

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/internal/lkserver"
)

// Two livekit-server nodes sharing a Redis, one worker of capacity 2 on
// each: dispatches made through either node are all served, two per
// worker, and a fifth finds no room on either; subscribers joining through
// the other node decode the pages.
func TestMultiNodeRedis(t *testing.T) {
	redis := startRedis(t)
	nodeA := startServer(t, redis)
	nodeB := startServer(t, redis)
	t.Logf("redis %s, node A %s, node B %s", redis, nodeA.URL(), nodeB.URL())
	startWorker(t, nodeA, "wa", 2)
	startWorker(t, nodeB, "wb", 2)
	clients := map[string]*dispatch.Client{
		"A": newClient(t, nodeA, func(cfg *dispatch.Config) { cfg.AcceptTimeout = 12 * time.Second }),
		"B": newClient(t, nodeB, func(cfg *dispatch.Config) { cfg.AcceptTimeout = 12 * time.Second }),
	}
	nodes := map[string]*lkserver.Server{"A": nodeA, "B": nodeB}
	other := map[string]string{"A": "B", "B": "A"}

	perWorker := map[string]int{}
	var ds []*dispatch.Dispatch
	for i, via := range []string{"A", "B", "A", "B"} {
		d := place(t, clients[via], fmt.Sprintf("multi-%d-via-%s", i, via))
		perWorker[d.Worker()]++
		ds = append(ds, d)
	}
	if perWorker["wa"] != 2 || perWorker["wb"] != 2 {
		t.Fatalf("pages per worker %v, want 2 on wa and 2 on wb", perWorker)
	}
	// Watch two of the pages through the node their dispatch did not use.
	for i, via := range []string{"A", "B"} {
		sub := subscribe(t, nodes[other[via]], ds[i].Room(), "viewer")
		waitVideo(t, sub, 0, 30*time.Second)
		t.Logf("%s (worker %s) decoded through node %s", ds[i].Room(), ds[i].Worker(), other[via])
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := clients["B"].Start(ctx, "multi-4", testPage()); !errors.Is(err, dispatch.ErrNotAccepted) {
		t.Fatalf("fifth dispatch with both workers full: %v, want ErrNotAccepted", err)
	}
	for _, d := range ds {
		if err := d.Close(); err != nil {
			t.Errorf("close %s: %v", d.Room(), err)
		}
	}
}

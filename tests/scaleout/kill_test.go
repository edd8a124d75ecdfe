package scaleout

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
)

// A worker killed with SIGKILL: the requesting side notices the silent
// pages, dispatches them again to the other worker within 30 s, and the
// subscribers, who stayed in their rooms, decode the pages' video again.
func TestSIGKILLRedispatch(t *testing.T) {
	srv := startServer(t, "")
	victim := startWorker(t, srv, "victim", 2)
	var mu sync.Mutex
	published := map[string]time.Time{} // room -> last Published after a loss
	c := newClient(t, srv, func(cfg *dispatch.Config) {
		cfg.OnEvent = func(ev dispatch.Event) {
			if ev.Kind == dispatch.Published {
				mu.Lock()
				published[ev.Room] = ev.At
				mu.Unlock()
			}
			if ev.Kind != dispatch.Published || ev.Took > 0 {
				t.Logf("event %s %s worker=%q reason=%q took=%v", ev.Kind, ev.Room, ev.Worker, ev.Reason, ev.Took.Round(time.Millisecond))
			}
		}
	})
	rooms := []string{"kill-0", "kill-1"}
	var ds []*dispatch.Dispatch
	var subs []*roomtest.Subscriber
	for _, room := range rooms {
		d := place(t, c, room)
		if d.Worker() != "victim" {
			t.Fatalf("%s published by %q, want victim (the only worker)", room, d.Worker())
		}
		ds = append(ds, d)
		subs = append(subs, subscribe(t, srv, room, "viewer"))
	}
	for _, sub := range subs {
		waitVideo(t, sub, 0, 30*time.Second)
	}
	startWorker(t, srv, "survivor", 2)

	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if code := victim.exit(10 * time.Second); code != -1 {
		t.Fatalf("the killed worker is still running")
	}
	time.Sleep(500 * time.Millisecond) // frames in flight
	before := make([]int, len(subs))
	for i, sub := range subs {
		before[i] = sub.Frames()
	}
	for i, sub := range subs {
		waitVideo(t, sub, before[i], 45*time.Second)
		t.Logf("%s: video again %v after SIGKILL (published again by %q)", rooms[i], time.Since(killed).Round(time.Millisecond), ds[i].Worker())
	}
	for i, d := range ds {
		mu.Lock()
		at := published[d.Room()]
		mu.Unlock()
		took := at.Sub(killed)
		if d.Worker() != "survivor" || d.Redispatches() != 1 {
			t.Errorf("%s: worker %q after %d re-dispatches, want survivor after 1", rooms[i], d.Worker(), d.Redispatches())
		}
		t.Logf("%s: published again by %q %v after SIGKILL", rooms[i], d.Worker(), took.Round(time.Millisecond))
		if took <= 0 || took > 30*time.Second {
			t.Errorf("%s: published again %v after SIGKILL, want within 30 s", rooms[i], took)
		}
	}
	for _, d := range ds {
		if err := d.Close(); err != nil {
			t.Errorf("close %s: %v", d.Room(), err)
		}
	}
}

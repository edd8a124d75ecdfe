package scaleout

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser/dispatch"
)

// A page ends with its room: when the last viewer leaves (livekit-server
// closes the room after its departure timeout, 20 s; agents do not keep a
// room open) and when the room is deleted. The worker closes the page and
// frees the slot, and the Dispatch ends with ErrRoomClosed instead of
// placing the page again.
func TestPageEndsWithRoom(t *testing.T) {
	srv := startServer(t, "")
	w := startWorker(t, srv, "rooms", 2)
	c := newClient(t, srv, nil)
	left := place(t, c, "room-left")
	deleted := place(t, c, "room-deleted")
	viewer := subscribe(t, srv, "room-left", "viewer")
	waitVideo(t, viewer, 0, 30*time.Second)

	viewer.Close()
	leftAt := time.Now()
	rooms := lksdk.NewRoomServiceClient(srv.URL(), srv.APIKey(), srv.APISecret())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := rooms.DeleteRoom(ctx, &livekit.DeleteRoomRequest{Room: "room-deleted"}); err != nil {
		t.Fatal(err)
	}
	deletedAt := time.Now()
	for _, tc := range []struct {
		d     *dispatch.Dispatch
		since time.Time
		max   time.Duration
	}{{deleted, deletedAt, 20 * time.Second}, {left, leftAt, 60 * time.Second}} {
		select {
		case <-tc.d.Done():
			if !errors.Is(tc.d.Err(), dispatch.ErrRoomClosed) {
				t.Errorf("%s ended with %v, want ErrRoomClosed", tc.d.Room(), tc.d.Err())
			}
			t.Logf("%s: dispatch ended %v after the room emptied or was deleted", tc.d.Room(), time.Since(tc.since).Round(time.Millisecond))
		case <-time.After(tc.max):
			t.Fatalf("%s: dispatch still running %v later (%d re-dispatches)", tc.d.Room(), tc.max, tc.d.Redispatches())
		}
		if tc.d.Redispatches() != 0 {
			t.Errorf("%s re-dispatched %d times", tc.d.Room(), tc.d.Redispatches())
		}
	}
	if !waitFor(30*time.Second, func() bool { v, _ := metric(w.scrape(t), "lkbrowser_worker_pages"); return v == 0 }) {
		t.Fatal("the worker still runs pages whose rooms are gone")
	}
	// Nothing came back: no room was made again by a page rejoining.
	time.Sleep(3 * time.Second)
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := rooms.ListRooms(ctx, &livekit.ListRoomsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rooms {
		t.Errorf("room %q exists again (%d participants)", r.Name, r.NumParticipants)
	}
}

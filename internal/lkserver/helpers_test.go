package lkserver

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
)

// startTimeout is generous: a 2-core machine running other tests.
const startTimeout = 90 * time.Second

// nsConfig returns the config of a server inside the test namespace
// (design.md §4.7).
func nsConfig(t *testing.T) Config {
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return Config{
		BindAddresses: []string{"127.0.0.1", netns.Addr},
		NodeIP:        netns.Addr,
		Interfaces:    []string{"lo", netns.Veth},
		Logger:        slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("test", t.Name()),
	}
}

// startServer starts a server and closes it when the test ends.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// join connects to room as identity with a token from the server's key
// pair.
func join(t *testing.T, s *Server, room, identity string) *lksdk.Room {
	t.Helper()
	r, err := lksdk.ConnectToRoom(s.URL(), lksdk.ConnectInfo{
		APIKey:              s.APIKey(),
		APISecret:           s.APISecret(),
		RoomName:            room,
		ParticipantIdentity: identity,
	}, &lksdk.RoomCallback{}, lksdk.WithAutoSubscribe(false), lksdk.WithConnectTimeout(30*time.Second))
	if err != nil {
		t.Fatalf("connect to %s: %v\nserver output:\n%s", s.URL(), err, s.Output())
	}
	return r
}

// connect joins room as identity with a token from the server's key pair,
// checks that the room is connected and that the server lists the
// participant (through its API, with the same keys), and leaves.
func connect(t *testing.T, s *Server, room, identity string) {
	t.Helper()
	r := join(t, s, room, identity)
	defer r.Disconnect()
	if st := r.ConnectionState(); st != lksdk.ConnectionStateConnected {
		t.Errorf("room state %v, want connected", st)
	}

	api := lksdk.NewRoomServiceClient("http"+strings.TrimPrefix(s.URL(), "ws"), s.APIKey(), s.APISecret())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := api.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: room})
	if err != nil {
		t.Fatalf("list participants: %v", err)
	}
	var ids []string
	for _, p := range resp.Participants {
		ids = append(ids, p.Identity)
	}
	if len(ids) != 1 || ids[0] != identity {
		t.Errorf("participants %v, want [%s]", ids, identity)
	}
}

// itoa formats a port.
func itoa(n int) string { return strconv.Itoa(n) }

// jsonEqual compares decoded JSON values.
func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

// gone reports whether no process of process group pgid is left.
func gone(pgid int) bool {
	return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

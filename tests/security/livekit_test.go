package security

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/lkserver"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

var (
	lkOnce   sync.Once
	lk       *lkserver.Server
	lkErr    error
	lkSecret string // the server's API secret, a known string to look for

	cliBuild testsupport.CLI
)

// liveKit returns the package's livekit-server (started on first use,
// inside the namespace; closed by TestMain), whose API secret is lkSecret.
func liveKit(t *testing.T) *lkserver.Server {
	t.Helper()
	lkOnce.Do(func() {
		b := make([]byte, 20)
		rand.Read(b)
		lkSecret = "lkb-secret-" + hex.EncodeToString(b)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		lk, lkErr = lkserver.Start(ctx, lkserver.Config{
			BindAddresses: []string{"127.0.0.1", netns.Addr},
			NodeIP:        netns.Addr,
			Interfaces:    []string{"lo", netns.Veth},
			APIKey:        "lkb-key",
			APISecret:     lkSecret,
			Logger:        testLog,
		})
	})
	if lkErr != nil {
		t.Fatalf("livekit-server: %v", lkErr)
	}
	return lk
}

// closeLiveKit stops the package's livekit-server, if it was started.
func closeLiveKit() error {
	if lk == nil {
		return nil
	}
	return lk.Close()
}

// subscribe joins room on the package's server as identity.
func subscribe(t *testing.T, room, identity string) *roomtest.Subscriber {
	t.Helper()
	srv := liveKit(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := roomtest.Join(ctx, srv.URL(), srv.APIKey(), srv.APISecret(), room, identity)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// cliBinary builds cmd/lkbrowser once per test run and returns its path.
func cliBinary(t *testing.T) string { return cliBuild.Path(t, tmpDir) }

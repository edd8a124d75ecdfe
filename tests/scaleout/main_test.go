// Package scaleout holds the end-to-end tests of lkbrowser's scale-out:
// `lkbrowser worker` processes registered with real livekit-server nodes
// (one, or two sharing a real Redis), pages placed on them with package
// dispatch, and subscribers that decode the pages' video. Everything runs
// inside a private network namespace made by the test binary itself
// (internal/testing/netns); Redis listens on loopback inside it.
package scaleout

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

var (
	web     *httptest.Server
	testLog *slog.Logger
	tmpDir  string
	cliPath string // the lkbrowser binary built for the tests
)

func TestMain(m *testing.M) {
	netns.Main(func() int { return run(m) })
}

func run(m *testing.M) int {
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	} else {
		lksdk.SetLogger(protoLogger.GetDiscardLogger())
	}
	testLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	tmp, err := os.MkdirTemp("", "lkbrowser-scaleout-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	tmpDir = tmp

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if cliPath, err = testsupport.BuildCLI(ctx, tmp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	web = httptest.NewServer(http.FileServer(http.Dir("testdata")))
	defer web.Close()

	code := m.Run()
	if kids := proc.Children(os.Getpid()); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	return code
}

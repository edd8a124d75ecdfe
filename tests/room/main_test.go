// Package room holds the end-to-end tests of the LiveKit session and of
// `lkbrowser publish`: real Chromium, Xvfb and PulseAudio, a real
// livekit-server started here, and subscribers built on server-sdk-go that
// decode what they receive. Everything runs inside a private network
// namespace made by the test binary itself (internal/testing/netns), so no packet
// leaves it.
package room

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/lkserver"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
)

var (
	engine  *lkbrowser.Engine
	web     *httptest.Server
	lk      *lkserver.Server
	clicked atomic.Int64 // clicks reported by the test page
	testLog *slog.Logger
	tmpDir  string // removed after the tests
	madeDir string // files the tests make, served as /made/
)

func TestMain(m *testing.M) {
	netns.Main(func() int { return run(m) })
}

// serverConfig is a livekit-server reachable inside the namespace.
func serverConfig() lkserver.Config {
	return lkserver.Config{
		BindAddresses: []string{"127.0.0.1", netns.Addr},
		NodeIP:        netns.Addr,
		Interfaces:    []string{"lo", "lkt0"},
		Logger:        serverLog,
	}
}

// serverLog receives the shared livekit-server's output: testLog, or
// with -soak-logs a file there.
var serverLog *slog.Logger

func run(m *testing.M) int {
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	} else {
		lksdk.SetLogger(protoLogger.GetDiscardLogger())
	}
	testLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	serverLog = testLog
	flag.Parse()
	if *soakLogs != "" {
		f, err := os.Create(filepath.Join(*soakLogs, "livekit-server.log"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		serverLog = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	tmp, err := os.MkdirTemp("", "lkbrowser-room-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	tmpDir = tmp
	if err := os.Mkdir(filepath.Join(tmp, "engine"), 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	madeDir = filepath.Join(tmp, "made")
	if err := os.Mkdir(madeDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("testdata")))
	mux.Handle("/made/", http.StripPrefix("/made/", http.FileServer(http.Dir(madeDir))))
	// The page API's test pages, for room tests of the same behaviour.
	mux.Handle("/pages/", http.StripPrefix("/pages/", http.FileServer(http.Dir("../testdata"))))
	mux.HandleFunc("/clicked", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		clicked.Store(int64(n))
	})
	web = httptest.NewServer(mux)
	defer web.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lk, err = lkserver.Start(ctx, serverConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, "livekit-server:", err)
		return 1
	}
	engine, err = lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: testLog, TempDir: filepath.Join(tmp, "engine"), CacheDir: filepath.Join(tmp, "cache")})
	if err != nil {
		lk.Close()
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	code := m.Run()
	if err := engine.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "engine close:", err)
		code = 1
	}
	if err := lk.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "livekit-server close:", err)
		code = 1
	}
	if kids := proc.Children(os.Getpid()); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	return code
}

// Package security holds the security tests of lkbrowser: what a page, a
// room participant or another local user can reach, and what must never
// leak. Real Chromium, Xvfb, PulseAudio and livekit-server; everything runs
// inside a private network namespace made by the test binary itself
// (internal/testing/netns), whose veth address netns.Addr stands for "another
// address of the machine".
//
// The test binary is also its own helper: with envHelper set it runs one
// helper job (helpers_test.go) instead of the tests, e.g. as another user or
// as a second engine in another process.
package security

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

var (
	engine    *lkbrowser.Engine
	engineDir string // the engine's Options.TempDir
	web       *httptest.Server
	tmpDir    string       // removed after the tests
	testLog   *slog.Logger // warnings and errors to stderr
	downloads atomic.Int64 // requests for the download probe
)

func TestMain(m *testing.M) {
	if job := os.Getenv(envHelper); job != "" {
		os.Exit(runHelper(job))
	}
	netns.Main(func() int { return run(m) })
}

func run(m *testing.M) int {
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	if level != slog.LevelDebug {
		lksdk.SetLogger(protoLogger.GetDiscardLogger()) // the SDK's and pion's own logs
	}
	testLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	tmp, err := os.MkdirTemp("", "lkbrowser-security-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	tmpDir = tmp
	engineDir = filepath.Join(tmp, "engine")
	if err := os.Mkdir(engineDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("testdata")))
	mux.HandleFunc("/file/", func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte("lkbrowser download probe\n"))
	})
	web = httptest.NewServer(mux)
	defer web.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	engine, err = lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: testLog, TempDir: engineDir, CacheDir: filepath.Join(tmp, "cache")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	code := m.Run()
	if err := closeLiveKit(); err != nil {
		fmt.Fprintln(os.Stderr, "livekit-server close:", err)
		code = 1
	}
	if err := engine.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "engine close:", err)
		code = 1
	}
	if left, _ := os.ReadDir(engineDir); len(left) > 0 {
		fmt.Fprintln(os.Stderr, "leaked runtime dirs:", left)
		code = 1
	}
	if kids := proc.Children(os.Getpid()); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	return code
}

// openPage opens a page on the package's engine and closes it when the
// test ends.
func openPage(t *testing.T, opts lkbrowser.PageOptions) *lkbrowser.Page {
	t.Helper()
	return testsupport.OpenPage(t, engine, opts)
}

// url returns the address of a test page.
func url(name string) string { return web.URL + "/" + name }

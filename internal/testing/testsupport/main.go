package testsupport

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
)

// Shared is what EngineMain gives a test package: one engine for all its
// tests, a local test server and the tests' logger.
type Shared struct {
	Engine *lkbrowser.Engine
	Server *httptest.Server
	Log    *slog.Logger // warnings to stderr; debug with LKBROWSER_TEST_DEBUG
}

// EngineMain runs a test package's tests (call it from TestMain and exit
// with its result) against one engine made with opts, in a runtime and a
// cache directory of its own, with handler served on a local test server;
// started receives them before the tests run. After the tests it closes
// the engine and the server and fails the run if anything outlived them:
// child processes, runtime directories, goroutines.
func EngineMain(m *testing.M, name string, opts lkbrowser.Options, handler http.Handler, started func(Shared)) int {
	before := goleak.IgnoreCurrent() // the goroutines of the test binary itself
	tmp, err := os.MkdirTemp("", "lkbrowser-"+name+"-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	cache, err := os.MkdirTemp("", "lkbrowser-"+name+"-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(cache)
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts.Logger, opts.TempDir, opts.CacheDir = log, tmp, cache
	server := httptest.NewServer(handler)
	eng, err := lkbrowser.NewEngine(context.Background(), opts)
	if err != nil {
		server.Close()
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	started(Shared{Engine: eng, Server: server, Log: log})
	code := m.Run()
	if err := eng.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "engine close:", err)
		code = 1
	}
	server.Close()
	if kids := proc.Children(os.Getpid()); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		fmt.Fprintln(os.Stderr, "leaked runtime dirs:", left)
		code = 1
	}
	if err := goleak.Find(before); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
		code = 1
	}
	return code
}

// Package computer holds the end-to-end tests of package computer: the
// actions of a computer-use model performed on real pages (Chromium on
// Xvfb) served by a local test HTTP server, asserting what the page saw
// (its DOM state and event log, read with Page.Eval) and what the model is
// shown (the screenshots' pixels). One engine is shared by the package;
// each test opens its own page and closes it.
package computer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
)

var (
	engine *lkbrowser.Engine
	server *httptest.Server
	logger *slog.Logger // warnings to stderr; debug with LKBROWSER_TEST_DEBUG
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	before := goleak.IgnoreCurrent() // the goroutines of the test binary itself
	tmp, err := os.MkdirTemp("", "lkbrowser-computer-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	cache, err := os.MkdirTemp("", "lkbrowser-computer-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(cache)
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("testdata")))
	// /slow?ms=N answers with a green page after N milliseconds: a
	// navigation whose old document stays on screen, still, meanwhile.
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><html><head><title>slow</title></head><body style="margin:0;background:#00ff00"></body></html>`)
	})
	server = httptest.NewServer(mux)
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	engine, err = lkbrowser.NewEngine(context.Background(), lkbrowser.Options{Logger: logger, TempDir: tmp, CacheDir: cache, NoAudio: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	code := m.Run()
	if err := engine.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "engine close:", err)
		code = 1
	}
	server.Close()
	// Nothing may outlive the engine: processes, runtime files, goroutines
	// (a watch that left a subscription's reader running would show here).
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

// url returns the address of a test page.
func url(name string) string { return server.URL + "/" + name }

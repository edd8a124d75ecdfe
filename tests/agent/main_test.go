// Package agent holds the end-to-end tests of the agent loop (package
// agent) with the Anthropic provider (agent/anthropic) on a real page
// driven by a real computer.Computer: real Chromium and Xvfb, pages served
// by a local HTTP server, and a local stand-in for the Messages API
// (internal/testing/fakeanthropic) playing a scripted model that checks
// what it is sent. One engine is shared by the package; each test opens
// its own page.
package agent

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

var (
	engine *lkbrowser.Engine
	web    *httptest.Server
	log    *slog.Logger
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "lkbrowser-agent-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	web = httptest.NewServer(http.FileServer(http.Dir("testdata")))
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	engine, err = lkbrowser.NewEngine(context.Background(), lkbrowser.Options{Logger: log, TempDir: tmp})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	code := m.Run()
	if err := engine.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "engine close:", err)
		code = 1
	}
	web.Close()
	if kids := proc.Children(os.Getpid()); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	if err := goleak.Find(goleak.IgnoreCurrent()); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
		code = 1
	}
	return code
}

// pageURL returns the address of a test page.
func pageURL(name string) string { return web.URL + "/" + name }

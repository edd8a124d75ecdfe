// Package agent holds the end-to-end tests of the agent loop (package
// agent) with the Anthropic provider (agent/anthropic) on a real page
// driven by a real computer.Computer: real Chromium and Xvfb, pages served
// by a local HTTP server, and a local stand-in for the Messages API
// (internal/testing/fakeanthropic) playing a scripted model that checks
// what it is sent. One engine is shared by the package; each test opens
// its own page.
package agent

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

var (
	engine *lkbrowser.Engine
	web    *httptest.Server
	log    *slog.Logger
)

func TestMain(m *testing.M) {
	os.Exit(testsupport.EngineMain(m, "agent", lkbrowser.Options{}, http.FileServer(http.Dir("testdata")), func(s testsupport.Shared) {
		engine, web, log = s.Engine, s.Server, s.Log
	}))
}

// pageURL returns the address of a test page.
func pageURL(name string) string { return web.URL + "/" + name }

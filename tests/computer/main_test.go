// Package computer holds the end-to-end tests of package computer: the
// actions of a computer-use model performed on real pages (Chromium on
// Xvfb) served by a local test HTTP server, asserting what the page saw
// (its DOM state and event log, read with Page.Eval) and what the model is
// shown (the screenshots' pixels). One engine is shared by the package;
// each test opens its own page and closes it.
package computer

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

var (
	engine *lkbrowser.Engine
	server *httptest.Server
	logger *slog.Logger // warnings to stderr; debug with LKBROWSER_TEST_DEBUG
)

func TestMain(m *testing.M) {
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
	os.Exit(testsupport.EngineMain(m, "computer", lkbrowser.Options{NoAudio: true}, mux, func(s testsupport.Shared) {
		engine, server, logger = s.Engine, s.Server, s.Log
	}))
}

// url returns the address of a test page.
func url(name string) string { return server.URL + "/" + name }

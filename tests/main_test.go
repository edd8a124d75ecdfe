// Package tests holds the end-to-end tests of lkbrowser: real Chromium and
// Xvfb, pages served by a local test HTTP server. One engine is shared by the
// package; tests that need a page open their own and close it.
package tests

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

var (
	engine  *lkbrowser.Engine
	server  *httptest.Server
	madeDir string // files the tests make (the CLI, a clip), served as /made/
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "lkbrowser-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// A cache of our own, so the cursor calibration runs in every test run.
	cache, err := os.MkdirTemp("", "lkbrowser-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(cache)
	if madeDir, err = os.MkdirTemp("", "lkbrowser-made-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(madeDir)
	shmBefore := countShm()
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("testdata")))
	mux.Handle("/made/", http.StripPrefix("/made/", http.FileServer(http.Dir(madeDir))))
	server = httptest.NewServer(mux)
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	engine, err = lkbrowser.NewEngine(context.Background(), lkbrowser.Options{Logger: log, TempDir: tmp, CacheDir: cache})
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
	// Nothing may outlive the engine: processes, files, shared memory,
	// goroutines.
	if kids := childProcesses(); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		fmt.Fprintln(os.Stderr, "leaked runtime dirs:", left)
		code = 1
	}
	if after := countShm(); after > shmBefore {
		fmt.Fprintf(os.Stderr, "leaked shared-memory segments: %d before, %d after\n", shmBefore, after)
		code = 1
	}
	if err := goleak.Find(goleak.IgnoreCurrent()); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
		code = 1
	}
	return code
}

// url returns the address of a test page.
func url(name string) string { return server.URL + "/" + name }

// childProcesses lists the live processes whose parent is this process.
func childProcesses() []string { return proc.Children(os.Getpid()) }

// countShm counts the SysV shared-memory segments this process created
// (other programs on the machine may create their own meanwhile).
func countShm() int {
	b, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		return 0
	}
	self := strconv.Itoa(os.Getpid())
	n := 0
	for _, line := range strings.Split(string(b), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 4 && f[4] == self { // cpid
			n++
		}
	}
	return n
}

// openPage opens a page on the package's engine and closes it when the
// test ends.
func openPage(t *testing.T, opts lkbrowser.PageOptions) *lkbrowser.Page {
	t.Helper()
	return testsupport.OpenPage(t, engine, opts)
}

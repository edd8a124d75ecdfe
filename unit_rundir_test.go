package lkbrowser

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnitStaleRunDirsSwept: NewEngine removes the runtime directories of
// dead engines (unlocked), with the short directories under /tmp they link
// to, and nothing else: not a live engine's directory (locked in this
// process or in another), not other lkbrowser-* directories, not links,
// not what a stale directory links to outside the short directories.
func TestUnitStaleRunDirsSwept(t *testing.T) {
	tmp := t.TempDir()
	mk := func(path string) string {
		t.Helper()
		if err := os.MkdirAll(path, 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// A live engine of this process.
	live := unitEngine(t, Options{TempDir: tmp})
	// A dead engine: made and locked, then its lock dropped (its process
	// died) with a page, a short dir linked from it, and a link to a
	// directory it does not own.
	stale, lock, err := makeRunDir(tmp)
	if err != nil || lock == nil {
		t.Fatalf("makeRunDir: %v, lock %v", err, lock)
	}
	mk(filepath.Join(stale, "page-1", "profile"))
	short, err := shortTempDir(filepath.Join(stale, "page-1", "tmp"), "lkb-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(short)
	if err := os.WriteFile(filepath.Join(short, "SingletonSocket"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := mk(filepath.Join(tmp, "foreign"))
	if err := os.Symlink(foreign, filepath.Join(stale, "link")); err != nil {
		t.Fatal(err)
	}
	lock.Close()

	// A live engine of another process (flock(1) holds its lock), and
	// things that are no engine's.
	other, olock, err := makeRunDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	olock.Close()
	holder := exec.Command("flock", "--nonblock", other, "sleep", "60")
	if err := holder.Start(); err != nil {
		t.Skipf("flock(1): %v", err)
	}
	defer func() { holder.Process.Kill(); holder.Wait() }()
	for !locked(other) {
		time.Sleep(10 * time.Millisecond)
	}
	behindLink := mk(filepath.Join(tmp, "dir-behind-link"))
	link := filepath.Join(tmp, runDirPrefix+"99")
	if err := os.Symlink(behindLink, link); err != nil {
		t.Fatal(err)
	}
	keep := []string{
		live.root, other, foreign, behindLink, link,
		mk(filepath.Join(tmp, "lkbrowser-12345")), // the old name, no lock
		mk(filepath.Join(tmp, "lkbrowser-tests-12345")),
		mk(filepath.Join(tmp, runDirPrefix+"12x")),
	}

	var logs bytes.Buffer
	e, err := NewEngine(context.Background(), Options{ChromiumPath: "/bin/true", XvfbPath: "/bin/true", TempDir: tmp,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, gone := range []string{stale, short} {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Errorf("%s not removed: %v", gone, err)
		}
	}
	for _, p := range keep {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	if !strings.Contains(logs.String(), "removed stale runtime dir") || !strings.Contains(logs.String(), stale) ||
		!strings.Contains(logs.String(), short) {
		t.Errorf("log does not tell what was removed:\n%s", logs.String())
	}
	// The new engine's own directory is locked too.
	if !locked(e.root) || !locked(live.root) {
		t.Errorf("engine dirs not locked")
	}
	// Closed, an engine leaves nothing to sweep.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.root); !os.IsNotExist(err) {
		t.Errorf("runtime dir after Close: %v", err)
	}
}

// locked reports whether dir's lock is held (by an open file of this or
// another process).
func locked(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	return tryLock(f) != nil
}

package security

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// ownEngine starts an engine of the test's own under a fresh TempDir and
// returns it with that directory.
func ownEngine(t *testing.T, opts lkbrowser.Options) (*lkbrowser.Engine, string) {
	t.Helper()
	dir, err := os.MkdirTemp(tmpDir, "e-") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	opts.TempDir = dir
	if opts.Logger == nil {
		opts.Logger = testLog
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := lkbrowser.NewEngine(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, dir
}

// tree lists every path under root with its mode.
func tree(root string) map[string]fs.FileMode {
	out := map[string]fs.FileMode{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			out[path] = fi.Mode()
		}
		return nil
	})
	return out
}

// The engine's runtime directory, each page's directory, Chromium's
// profile, cache, config and temporary directories and the sound server's
// directory are 0700 while the page is open, nothing under them is open to
// other users, and all of it is gone after Close.
func TestRuntimeDirsArePrivateAndRemoved(t *testing.T) {
	e, dir := ownEngine(t, lkbrowser.Options{})
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("solid.html#0000ff"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0, 0, 0xff})
	testsupport.EvalAs[bool](t, p, "localStorage.setItem('k', 'v'), true") // the profile holds something

	roots, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(roots) != 1 {
		t.Fatalf("engine TempDir holds %v, want one runtime directory", roots)
	}
	root := roots[0]
	pdir := pageDir(t, dir, p)
	checkMode(t, root, 0o700)
	checkMode(t, pdir, 0o700)
	for _, sub := range []string{"profile", "cache", "config"} {
		if _, err := os.Lstat(filepath.Join(pdir, sub)); err == nil {
			checkMode(t, filepath.Join(pdir, sub), 0o700)
		}
	}
	checkMode(t, filepath.Join(pdir, "profile"), 0o700)
	// Directories kept outside the runtime directory (short paths for unix
	// sockets) are linked from it.
	var outside []string
	all := tree(root)
	for path, mode := range all {
		if mode&fs.ModeSymlink == 0 {
			continue
		}
		target, err := filepath.EvalSymlinks(path)
		if err != nil || strings.HasPrefix(target, root+"/") {
			continue
		}
		// The directory directly under /tmp that holds the target.
		rel, err := filepath.Rel("/tmp", target)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s links to %s, outside the runtime directory and /tmp", path, target)
			continue
		}
		top := filepath.Join("/tmp", strings.Split(rel, "/")[0])
		if !slices.Contains(outside, top) {
			outside = append(outside, top)
		}
	}
	for _, top := range outside {
		checkMode(t, top, 0o700)
		for p, m := range tree(top) {
			all[p] = m
		}
	}
	t.Logf("%d paths under %s; directories outside it: %v", len(all), root, outside)
	var open []string
	pulse := false
	for path, mode := range all {
		if strings.Contains(filepath.Base(path), "pulse") && mode.IsDir() {
			pulse = true
			checkMode(t, path, 0o700)
		}
		if mode&fs.ModeSymlink == 0 && mode&fs.ModeSocket == 0 && mode.Perm()&0o077 != 0 {
			open = append(open, path+" "+mode.String())
		}
	}
	if !pulse {
		t.Errorf("no sound server directory found under %s", root)
	}
	// Directories in the chain above are 0700, so a file's own bits do not
	// open it to others; still, list what is not owner-only.
	if len(open) > 0 {
		t.Logf("not owner-only (inside 0700 directories): %v", open)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(pdir); err == nil {
		t.Errorf("page directory %s still there after Close", pdir)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("left in the engine's TempDir after Close: %v", left)
	}
	for _, o := range outside {
		if _, err := os.Lstat(o); err == nil {
			t.Errorf("%s still there after Close", o)
		}
	}
}

// A page cannot save files: a click on an <a download> link writes
// nothing, neither where Chromium saves downloads ($HOME/Downloads) nor
// anywhere under the page's directory, and nothing is left after Close.
func TestDownloadsAreRefused(t *testing.T) {
	home, realHome := t.TempDir(), os.Getenv("HOME")
	t.Setenv("HOME", home) // Chromium's default download directory is $HOME/Downloads
	e, dir := ownEngine(t, lkbrowser.Options{NoAudio: true})
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("download.html"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0xff, 0, 0})
	before := downloads.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Click(ctx, 50, 50); err != nil {
		t.Fatal(err)
	}
	mustColour(t, p, 10, 10, rgb{0, 0xff, 0}) // the link was clicked
	// Give a download time to be written.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && downloads.Load() == before {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	t.Logf("clicks %v, requests for the file %d", testsupport.EvalAs[int](t, p, "window.clicks"), downloads.Load()-before)
	// Where a download could land: the fake $HOME (Chromium's default
	// Downloads), the real one's Downloads, the engine's files, Chromium's
	// temporary directories and /tmp itself.
	realDownloads := filepath.Join(realHome, "Downloads")
	found := func() []string {
		var hits []string
		roots := []string{home, dir, realDownloads}
		short, _ := filepath.Glob("/tmp/lkb-*")
		roots = append(roots, short...)
		for _, root := range roots {
			filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err == nil && isProbe(d.Name()) {
					hits = append(hits, path)
				}
				return nil
			})
		}
		top, _ := os.ReadDir("/tmp")
		for _, d := range top {
			if isProbe(d.Name()) {
				hits = append(hits, filepath.Join("/tmp", d.Name()))
			}
		}
		return hits
	}
	if hits := found(); len(hits) > 0 {
		t.Errorf("the download was written: %v", hits)
	}
	if fs, _ := os.ReadDir(home); len(fs) > 0 {
		t.Errorf("files appeared in $HOME: %v", fs)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if hits := found(); len(hits) > 0 {
		t.Errorf("left after Close: %v", hits)
	}
}

// isProbe reports whether a file name is the download probe's, or one of
// Chromium's partial downloads.
func isProbe(name string) bool {
	return strings.Contains(name, "lkbrowser-download-probe") || strings.HasSuffix(name, ".crdownload")
}

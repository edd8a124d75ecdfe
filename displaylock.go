package lkbrowser

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Display numbers. Xvfb's own choice (-displayfd without a number) looks
// only at the listening sockets of its network namespace and ignores lock
// files: from another namespace it takes a number in use and replaces that
// display's socket in /tmp/.X11-unix (measured). So lkbrowser picks the
// number itself, the way X servers share them: the display's lock file
// /tmp/.X<N>-lock, created atomically, holding the pid of its owner. A
// number is taken only when neither its lock file nor its socket exists;
// Xvfb then gets it explicitly (:N).
const (
	// displayBase is the first number tried, above those of desktops and
	// of xvfb-run (99).
	displayBase = 100
	// displaySpan is how many numbers are tried.
	displaySpan = 10000
)

// xDir is where X servers keep lock files and sockets, whatever $TMPDIR
// says.
var xDir = "/tmp"

func displayLockPath(n int) string { return filepath.Join(xDir, ".X"+strconv.Itoa(n)+"-lock") }

func displaySocketPath(n int) string {
	return filepath.Join(xDir, ".X11-unix", "X"+strconv.Itoa(n))
}

// displayLock is a display number held through its lock file.
type displayLock struct {
	num  int
	path string
}

// lockDisplayNumber takes the first free display number from from on and
// returns its lock.
func lockDisplayNumber(from int) (*displayLock, error) {
	for n := max(from, displayBase); n < displayBase+displaySpan; n++ {
		if displayInUse(n) {
			continue
		}
		l, err := tryLockDisplay(n)
		if err != nil {
			return nil, err
		}
		if l == nil {
			continue // taken meanwhile
		}
		// A server that keeps no lock file may have appeared meanwhile.
		if pathExists(displaySocketPath(n)) {
			l.release()
			continue
		}
		return l, nil
	}
	return nil, fmt.Errorf("no free X display number in :%d..:%d", displayBase, displayBase+displaySpan-1)
}

// displayInUse reports whether display n has a lock file or a socket
// (stale ones included: they cost a number, never a collision).
func displayInUse(n int) bool {
	return pathExists(displayLockPath(n)) || pathExists(displaySocketPath(n))
}

// pathExists reports whether path exists; anything but a clear "does not
// exist" counts as existing.
func pathExists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// tryLockDisplay creates display n's lock file as X servers do: a complete
// file linked into place, which fails when one exists. It returns nil
// without error when the number is taken.
func tryLockDisplay(n int) (*displayLock, error) {
	f, err := os.CreateTemp(xDir, ".lkbrowser-X"+strconv.Itoa(n)+"-lock-")
	if err != nil {
		return nil, fmt.Errorf("display lock: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	// X servers read the pid of the owner (10 digits and a newline) and
	// check that it lives; the file is readable by all, as theirs are.
	_, err = fmt.Fprintf(f, "%10d\n", os.Getpid())
	if err == nil {
		err = f.Chmod(0o444)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("display lock: %w", err)
	}
	path := displayLockPath(n)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("display lock: %w", err)
	}
	return &displayLock{num: n, path: path}, nil
}

// release removes the lock file.
func (l *displayLock) release() error {
	if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove display lock: %w", err)
	}
	return nil
}

// displayBusy reports whether Xvfb's output says that its display number
// is in use (its sockets are taken in this network namespace).
func displayBusy(output string) bool {
	return strings.Contains(output, "server already running") ||
		strings.Contains(output, "Cannot establish any listening sockets") ||
		strings.Contains(output, "already active")
}

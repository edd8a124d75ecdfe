package lkbrowser

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// An engine's runtime directory is named runDirPrefix plus digits (as
// os.MkdirTemp makes them) and is locked (flock, exclusive) by the engine for
// its whole life through a descriptor that no child inherits. The kernel
// drops the lock when the engine's process dies, however it dies, so a
// directory of that name whose lock can be taken belongs to an engine that
// died without Close: NewEngine removes such stale directories. Directories
// of live engines, in this process or any other, stay locked and are never
// touched; other directories (other names, symbolic links, other users')
// are never considered.
const runDirPrefix = "lkbrowser-engine-"

// shortTempParent is where directories for unix sockets go when the
// runtime directory's path is too long for them (see shortTempDir); their
// names start with shortTempPrefix.
const (
	shortTempParent = "/tmp"
	shortTempPrefix = "lkb-"
)

// makeRunDir creates and locks a new runtime directory under parent
// (os.TempDir() when empty). It returns the directory and the open file that
// holds its lock until closed; that file is nil when the file system has no
// locks.
func makeRunDir(parent string) (string, *os.File, error) {
	for range 10 {
		dir, err := os.MkdirTemp(parent, runDirPrefix)
		if err != nil {
			return "", nil, err
		}
		// Between MkdirTemp and the lock, another engine may see the new
		// directory unlocked and remove it as stale: then take another one.
		f, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			os.Remove(dir)
			return "", nil, err
		}
		switch err := tryLock(f); {
		case err == nil:
		case errors.Is(err, syscall.EWOULDBLOCK):
			f.Close() // being removed by another engine
			continue
		default:
			// No locks on this file system: the directory works but
			// can never be told stale (sweepOne cannot lock it either).
			f.Close()
			return dir, nil, nil
		}
		if sameDir(f, dir) {
			return dir, f, nil
		}
		f.Close() // removed by another engine before we locked it
	}
	return "", nil, fmt.Errorf("no runtime directory in %s stayed ours", parent)
}

// isRunDirName reports whether name is that of an engine's runtime
// directory: runDirPrefix and digits only.
func isRunDirName(name string) bool {
	digits, ok := strings.CutPrefix(name, runDirPrefix)
	if !ok || digits == "" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// sweepStaleRunDirs removes the runtime directories in parent (os.TempDir()
// when empty) left by engines that died without Close, and the directories
// they linked to (shortTempDir). It logs what it removed; failures are
// logged, never returned.
func sweepStaleRunDirs(parent string, log *slog.Logger) {
	if parent == "" {
		parent = os.TempDir()
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		log.Warn("cannot look for stale runtime dirs", "dir", parent, "err", err)
		return
	}
	for _, ent := range entries {
		// ReadDir does not follow links: a link is never a directory here.
		if !ent.IsDir() || !isRunDirName(ent.Name()) {
			continue
		}
		dir := filepath.Join(parent, ent.Name())
		removed, linked, err := sweepOne(dir)
		switch {
		case err != nil:
			log.Warn("cannot remove stale runtime dir", "dir", dir, "err", err)
		case removed:
			log.Info("removed stale runtime dir of an engine that died", "dir", dir, "linked", linked)
		}
	}
}

// sweepOne removes dir, and the directories it links to, when its engine is
// dead: when its lock can be taken. It holds the lock meanwhile, so that
// two engines never sweep the same directory.
func sweepOne(dir string) (removed bool, linked []string, err error) {
	f, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.ELOOP) {
			return false, nil, nil // gone meanwhile, someone else's, or a link
		}
		return false, nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !ownedByUs(st) {
		return false, nil, err
	}
	if err := tryLock(f); err != nil {
		// Locked: its engine lives. Any other error: cannot tell.
		return false, nil, nil
	}
	if !sameDir(f, dir) {
		return false, nil, nil // removed (or replaced) meanwhile
	}
	linked = removeLinked(dir)
	if err := os.RemoveAll(dir); err != nil {
		return false, linked, err
	}
	return true, linked, nil
}

// removeLinked removes the directories made by shortTempDir that the
// symbolic links inside root point to, and returns them.
func removeLinked(root string) []string {
	var removed []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := os.Readlink(path)
		if err != nil || !filepath.IsAbs(target) || filepath.Dir(target) != shortTempParent ||
			!strings.HasPrefix(filepath.Base(target), shortTempPrefix) {
			return nil
		}
		if st, err := os.Lstat(target); err != nil || !st.IsDir() || !ownedByUs(st) {
			return nil
		}
		if os.RemoveAll(target) == nil {
			removed = append(removed, target)
		}
		return nil
	})
	return removed
}

// shortTempDir makes a directory under /tmp for files whose path must stay
// short (a unix socket's path holds 108 bytes), when the runtime directory's
// path is too long for them. A symbolic link to it is left at link, inside
// the runtime directory, so that if the engine dies without Close, the next
// engine that sweeps the runtime directory removes this one too. prefix
// must start with shortTempPrefix.
func shortTempDir(link, prefix string) (string, error) {
	dir, err := os.MkdirTemp(shortTempParent, prefix)
	if err != nil {
		return "", err
	}
	if err := os.Symlink(dir, link); err != nil {
		os.Remove(dir)
		return "", err
	}
	return dir, nil
}

// tryLock takes f's exclusive lock without waiting; EWOULDBLOCK means that
// another open file holds it. The lock lasts until f is closed.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// sameDir reports whether the open directory f is still the one at path.
func sameDir(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Lstat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// ownedByUs reports whether st belongs to this process's effective user.
func ownedByUs(st fs.FileInfo) bool {
	s, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(s.Uid) == os.Geteuid()
}

package chromium

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Download fetches the Chromium archive described by opts (the request is
// bounded by ctx), installs it into <CacheDir>/<Version>/<Platform>/ and
// returns that directory. It returns immediately, without network access, if
// the installation is already complete.
//
// Installation is atomic and safe against concurrent Downloads of the same
// version, in this process or others: a file lock serialises them, the
// archive is extracted into a temp directory that is renamed into place once
// complete, and temp files are removed on failure.
func Download(ctx context.Context, opts Options) (dir string, err error) {
	o, err := opts.normalize()
	if err != nil {
		return "", err
	}
	final := o.installDir()
	log := o.Logger.With("version", o.Version, "platform", o.Platform)
	if isComplete(final) {
		log.Debug("chromium already downloaded", "dir", final)
		return final, nil
	}
	verDir := o.versionDir()
	if err := os.MkdirAll(verDir, 0o755); err != nil {
		return "", fmt.Errorf("chromium: create cache dir: %w", err)
	}
	unlock, err := lockDir(ctx, filepath.Join(verDir, o.Platform+".lock"))
	if err != nil {
		return "", fmt.Errorf("chromium: lock %s: %w", final, err)
	}
	defer unlock()
	// Another process may have finished while we waited for the lock.
	if isComplete(final) {
		log.Debug("chromium downloaded concurrently", "dir", final)
		return final, nil
	}
	// We hold the lock, so any temp entry or unmarked install dir was left
	// by a crashed process.
	stale, _ := filepath.Glob(filepath.Join(verDir, o.tmpPrefix()+"*"))
	if _, err := os.Lstat(final); err == nil {
		stale = append(stale, final)
	}
	for _, p := range stale {
		log.Debug("removing leftover", "path", p)
		if err := os.RemoveAll(p); err != nil {
			return "", fmt.Errorf("chromium: remove leftover: %w", err)
		}
	}

	archive, err := os.CreateTemp(verDir, o.tmpPrefix()+"*.zip")
	if err != nil {
		return "", fmt.Errorf("chromium: %w", err)
	}
	defer func() {
		archive.Close()
		os.Remove(archive.Name())
	}()
	url := o.archiveURL()
	log.Info("downloading chromium", "url", url)
	start := time.Now()
	size, digest, err := fetch(ctx, o, url, archive)
	if err != nil {
		return "", err
	}
	log.Debug("downloaded archive", "bytes", size, "sha256", digest, "elapsed", time.Since(start))
	if o.SHA256 != "" && !strings.EqualFold(o.SHA256, digest) {
		return "", fmt.Errorf("%w: %s: expected %s, got %s", ErrChecksumMismatch, url, strings.ToLower(o.SHA256), digest)
	}

	tmp, err := os.MkdirTemp(verDir, o.tmpPrefix()+"*")
	if err != nil {
		return "", fmt.Errorf("chromium: %w", err)
	}
	installed := false
	defer func() {
		if !installed {
			os.RemoveAll(tmp)
		}
	}()
	if err := extractZip(ctx, archive, size, tmp); err != nil {
		return "", err
	}
	marker := fmt.Sprintf("version=%s\nplatform=%s\nurl=%s\nsha256=%s\n", o.Version, o.Platform, url, digest)
	if err := os.WriteFile(filepath.Join(tmp, markerFile), []byte(marker), 0o644); err != nil {
		return "", fmt.Errorf("chromium: %w", err)
	}
	// MkdirTemp creates the dir as 0700; give it normal permissions.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("chromium: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("chromium: install: %w", err)
	}
	installed = true
	log.Info("chromium installed", "dir", final, "elapsed", time.Since(start))
	return final, nil
}

// lockDir takes an exclusive flock on path. It polls with LOCK_NB instead of
// blocking so that waiting can be abandoned when ctx is done. flock locks
// belong to the open file description, so they also exclude other goroutines
// of this process (each call opens the file anew).
func lockDir(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	var tick *time.Ticker
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, err
		}
		if tick == nil {
			tick = time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
	// The lock file itself is left in place: deleting it would let a waiter
	// lock an unlinked inode while a newcomer locks a fresh file.
	return func() { f.Close() }, nil // closing releases the lock
}

// fetch downloads url into w and returns the byte count and hex SHA-256.
func fetch(ctx context.Context, o Options, url string, w io.Writer) (int64, string, error) {
	fail := func(status int, err error) (int64, string, error) {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %v", ctxErr, err)
		}
		return 0, "", &DownloadError{URL: url, StatusCode: status, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fail(0, err)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return fail(0, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fail(resp.StatusCode, fmt.Errorf("not found: no build for version %s platform %s at %s", o.Version, o.Platform, url))
	case resp.StatusCode != http.StatusOK:
		return fail(resp.StatusCode, errors.New(resp.Status))
	}
	h := sha256.New()
	pw := &progress{fn: o.Progress, total: resp.ContentLength}
	n, err := io.Copy(io.MultiWriter(w, h, pw), resp.Body)
	if err != nil {
		// The client reports a body shorter than Content-Length as
		// io.ErrUnexpectedEOF.
		if errors.Is(err, io.ErrUnexpectedEOF) && ctx.Err() == nil {
			err = fmt.Errorf("%w: got %d of %d bytes: %v", ErrIncompleteDownload, n, resp.ContentLength, err)
		}
		return fail(0, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fail(0, fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteDownload, n, resp.ContentLength))
	}
	pw.report(true)
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// progress counts bytes and reports them, throttled, to fn.
type progress struct {
	fn           func(done, total int64)
	done, total  int64
	lastReported int64
	last         time.Time
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	p.report(false)
	return len(b), nil
}

func (p *progress) report(final bool) {
	if p.fn == nil || p.done == p.lastReported && !p.last.IsZero() {
		return
	}
	if now := time.Now(); final || now.Sub(p.last) >= 100*time.Millisecond {
		p.last, p.lastReported = now, p.done
		p.fn(p.done, p.total)
	}
}

package lkbrowser

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Errors returned by Download. They are all usable with errors.Is / errors.As.

// ErrChecksumMismatch is returned (wrapped, with the expected and actual
// digests in the message) when DownloadOptions.SHA256 is set and the archive
// does not match it. Nothing is installed in that case.
var ErrChecksumMismatch = errors.New("lkbrowser: archive checksum mismatch")

// ErrCorruptArchive is returned (wrapped) when the downloaded archive is not a
// zip file, is truncated or damaged, or contains unsafe entries such as paths
// escaping the install directory (see UnsafeArchivePathError).
var ErrCorruptArchive = errors.New("lkbrowser: corrupt archive")

// ErrIncompleteDownload is returned (wrapped in a *DownloadError) when the
// server announced a Content-Length but the connection ended before that many
// bytes arrived. It is deliberately distinct from ErrCorruptArchive: the
// archive itself may be fine and retrying the download is reasonable.
var ErrIncompleteDownload = errors.New("incomplete download")

// DownloadError reports a failure to fetch the archive over HTTP. StatusCode
// is set when the server answered with a status other than 200 OK; it is 0
// for transport errors and incomplete bodies (Err then wraps
// ErrIncompleteDownload). When the download is aborted by the context, Err
// wraps ctx.Err().
type DownloadError struct {
	URL        string
	StatusCode int
	Err        error
}

// Error implements error; the message contains the URL and the HTTP status.
func (e *DownloadError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("lkbrowser: download %s: HTTP %d: %v", e.URL, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("lkbrowser: download %s: %v", e.URL, e.Err)
}

// Unwrap returns the underlying error.
func (e *DownloadError) Unwrap() error { return e.Err }

// DownloadOptionError reports an invalid field of DownloadOptions.
type DownloadOptionError struct {
	Field  string // name of the DownloadOptions field, e.g. "Version"
	Value  string // offending value
	Reason string // human readable explanation
}

// Error implements error.
func (e *DownloadOptionError) Error() string {
	return fmt.Sprintf("lkbrowser: invalid DownloadOptions.%s %q: %s", e.Field, e.Value, e.Reason)
}

// UnsafeArchivePathError reports an archive entry that would be written, or a
// symbolic link that would point, outside the install directory ("zip slip").
// It matches ErrCorruptArchive with errors.Is.
type UnsafeArchivePathError struct {
	Name   string // entry name inside the archive
	Target string // symlink target, empty for regular entries
}

// Error implements error.
func (e *UnsafeArchivePathError) Error() string {
	if e.Target != "" {
		return fmt.Sprintf("%v: symlink %q -> %q escapes the install directory", ErrCorruptArchive, e.Name, e.Target)
	}
	return fmt.Sprintf("%v: entry %q escapes the install directory", ErrCorruptArchive, e.Name)
}

// Unwrap returns ErrCorruptArchive.
func (e *UnsafeArchivePathError) Unwrap() error { return ErrCorruptArchive }

// DefaultDownloadBaseURL is the Chrome-for-Testing bucket used when
// DownloadOptions.BaseURL is empty.
const DefaultDownloadBaseURL = "https://storage.googleapis.com/chrome-for-testing-public"

// dlMarker is written last inside an install directory; its presence
// means the directory is complete.
const dlMarker = ".downloaded"

// dlPlatforms are the Chrome-for-Testing platform names accepted in
// DownloadOptions.Platform. None contains a dot, which keeps the temp names
// built by tmpPrefix unambiguous.
var dlPlatforms = []string{"linux64", "linux-arm64", "mac-arm64", "mac-x64", "win32", "win64"}

// DownloadOptions configures Download.
type DownloadOptions struct {
	// Version is the Chromium version to fetch, e.g. "131.0.6778.85".
	// Required; it may only contain [0-9A-Za-z._-], must not start with "."
	// and must not contain "..".
	Version string
	// Platform is the Chrome-for-Testing platform name; empty means
	// DefaultPlatform().
	Platform string
	// BaseURL is the root of the download tree; empty means
	// DefaultDownloadBaseURL. The archive is fetched from
	// BaseURL/Version/Platform/chrome-Platform.zip.
	BaseURL string
	// SHA256 is the optional hex digest of the archive. When set, it is
	// verified before anything is extracted.
	SHA256 string
	// CacheDir is the cache root; empty means DefaultCacheDir().
	CacheDir string
	// Client performs the HTTP request; nil means http.DefaultClient.
	Client *http.Client
	// Progress, if set, is called as bytes arrive with the number of bytes
	// received so far and the total (-1 when unknown): at most about ten
	// times per second, plus once at the end. It is called synchronously from
	// the goroutine running Download, so never concurrently.
	Progress func(done, total int64)
	// Logger receives debug/info logs; nil discards them.
	Logger *slog.Logger
}

// DefaultPlatform returns the Chrome-for-Testing platform name for the
// running GOOS/GOARCH ("linux64", "linux-arm64", "mac-arm64", "mac-x64",
// "win64" or "win32"), or "" when there is no such build.
func DefaultPlatform() string {
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64":
		return "linux64"
	case "linux/arm64":
		return "linux-arm64"
	case "darwin/arm64":
		return "mac-arm64"
	case "darwin/amd64":
		return "mac-x64"
	case "windows/amd64", "windows/arm64":
		return "win64"
	case "windows/386":
		return "win32"
	}
	return ""
}

// DefaultCacheDir returns the default cache root: $XDG_CACHE_HOME/lkbrowser
// when XDG_CACHE_HOME is an absolute path (on every OS), otherwise
// os.UserCacheDir()/lkbrowser (~/.cache/lkbrowser on Linux).
func DefaultCacheDir() (string, error) {
	if dir := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "lkbrowser"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("lkbrowser: cache directory: %w", err)
	}
	return filepath.Join(dir, "lkbrowser"), nil
}

// normalize validates opts and fills in defaults.
func (o DownloadOptions) normalize() (DownloadOptions, error) {
	if err := dlValidateVersion(o.Version); err != nil {
		return o, err
	}
	if o.Platform == "" {
		o.Platform = DefaultPlatform()
		if o.Platform == "" {
			return o, &DownloadOptionError{"Platform", "", "no Chrome-for-Testing build for " + runtime.GOOS + "/" + runtime.GOARCH}
		}
	}
	if !slices.Contains(dlPlatforms, o.Platform) {
		return o, &DownloadOptionError{"Platform", o.Platform, "unsupported, want one of " + strings.Join(dlPlatforms, ", ")}
	}
	if o.SHA256 != "" {
		if b, err := hex.DecodeString(o.SHA256); err != nil || len(b) != sha256.Size {
			return o, &DownloadOptionError{"SHA256", o.SHA256, "want 64 hex digits"}
		}
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultDownloadBaseURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.CacheDir == "" {
		dir, err := DefaultCacheDir()
		if err != nil {
			return o, err
		}
		o.CacheDir = dir
	}
	// Absolute, so that the returned directory stays valid if the caller
	// changes its working directory.
	dir, err := filepath.Abs(o.CacheDir)
	if err != nil {
		return o, &DownloadOptionError{"CacheDir", o.CacheDir, err.Error()}
	}
	o.CacheDir = dir
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

func dlValidateVersion(v string) error {
	bad := func(reason string) error { return &DownloadOptionError{"Version", v, reason} }
	switch {
	case v == "":
		return bad("required")
	case len(v) > 64:
		return bad("too long")
	case strings.Contains(v, ".."), v[0] == '.':
		// The version is a directory name: ".", ".." or hidden names would
		// escape or collide with our own temp entries.
		return bad(`must not start with "." or contain ".."`)
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' || c == '-') {
			return bad("may only contain [0-9A-Za-z._-]")
		}
	}
	return nil
}

func (o DownloadOptions) archiveURL() string {
	return o.BaseURL + "/" + o.Version + "/" + o.Platform + "/chrome-" + o.Platform + ".zip"
}

func (o DownloadOptions) versionDir() string { return filepath.Join(o.CacheDir, o.Version) }
func (o DownloadOptions) installDir() string { return filepath.Join(o.versionDir(), o.Platform) }

// tmpPrefix is the name prefix of the temp archive and extraction dir in the
// version dir. Platforms contain no dot, so ".linux64.tmp-*" never matches
// the temp entries of another platform.
func (o DownloadOptions) tmpPrefix() string { return "." + o.Platform + ".tmp-" }

// ResourcesDir returns the install directory for opts.Version and
// opts.Platform (defaults applied, nothing downloaded) and whether it is
// complete, i.e. holds the marker that Download writes last.
func ResourcesDir(opts DownloadOptions) (dir string, complete bool, err error) {
	o, err := opts.normalize()
	if err != nil {
		return "", false, err
	}
	dir = o.installDir()
	return dir, dlComplete(dir), nil
}

func dlComplete(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, dlMarker))
	return err == nil && fi.Mode().IsRegular()
}

// Download fetches the Chromium archive described by opts (the request is
// bounded by ctx), installs it into <CacheDir>/<Version>/<Platform>/ and
// returns that directory. It returns immediately, without network access, if
// the installation is already complete.
//
// Installation is atomic and safe against concurrent Downloads of the same
// version, in this process or others: a file lock serialises them, the
// archive is extracted into a temp directory that is renamed into place once
// complete, and temp files are removed on failure.
func Download(ctx context.Context, opts DownloadOptions) (dir string, err error) {
	o, err := opts.normalize()
	if err != nil {
		return "", err
	}
	final := o.installDir()
	log := o.Logger.With("version", o.Version, "platform", o.Platform)
	if dlComplete(final) {
		log.Debug("chromium already downloaded", "dir", final)
		return final, nil
	}
	verDir := o.versionDir()
	if err := os.MkdirAll(verDir, 0o755); err != nil {
		return "", fmt.Errorf("lkbrowser: create cache dir: %w", err)
	}
	unlock, err := dlLock(ctx, filepath.Join(verDir, o.Platform+".lock"))
	if err != nil {
		return "", fmt.Errorf("lkbrowser: lock %s: %w", final, err)
	}
	defer unlock()
	// Another process may have finished while we waited for the lock.
	if dlComplete(final) {
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
			return "", fmt.Errorf("lkbrowser: remove leftover: %w", err)
		}
	}

	archive, err := os.CreateTemp(verDir, o.tmpPrefix()+"*.zip")
	if err != nil {
		return "", fmt.Errorf("lkbrowser: %w", err)
	}
	defer func() {
		archive.Close()
		os.Remove(archive.Name())
	}()
	url := o.archiveURL()
	log.Info("downloading chromium", "url", url)
	start := time.Now()
	size, digest, err := dlFetch(ctx, o, url, archive)
	if err != nil {
		return "", err
	}
	log.Debug("downloaded archive", "bytes", size, "sha256", digest, "elapsed", time.Since(start))
	if o.SHA256 != "" && !strings.EqualFold(o.SHA256, digest) {
		return "", fmt.Errorf("%w: %s: expected %s, got %s", ErrChecksumMismatch, url, strings.ToLower(o.SHA256), digest)
	}

	tmp, err := os.MkdirTemp(verDir, o.tmpPrefix()+"*")
	if err != nil {
		return "", fmt.Errorf("lkbrowser: %w", err)
	}
	installed := false
	defer func() {
		if !installed {
			os.RemoveAll(tmp)
		}
	}()
	if err := dlExtractZip(ctx, archive, size, tmp); err != nil {
		return "", err
	}
	marker := fmt.Sprintf("version=%s\nplatform=%s\nurl=%s\nsha256=%s\n", o.Version, o.Platform, url, digest)
	if err := os.WriteFile(filepath.Join(tmp, dlMarker), []byte(marker), 0o644); err != nil {
		return "", fmt.Errorf("lkbrowser: %w", err)
	}
	// MkdirTemp creates the dir as 0700; give it normal permissions.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("lkbrowser: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("lkbrowser: install: %w", err)
	}
	installed = true
	log.Info("chromium installed", "dir", final, "elapsed", time.Since(start))
	return final, nil
}

// dlLock takes an exclusive flock on path. It polls with LOCK_NB instead of
// blocking so that waiting can be abandoned when ctx is done. flock locks
// belong to the open file description, so they also exclude other goroutines
// of this process (each call opens the file anew).
func dlLock(ctx context.Context, path string) (unlock func(), err error) {
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

// dlFetch downloads url into w and returns the byte count and hex SHA-256.
func dlFetch(ctx context.Context, o DownloadOptions, url string, w io.Writer) (int64, string, error) {
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
	pw := &dlProgress{fn: o.Progress, total: resp.ContentLength}
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

// dlProgress counts bytes and reports them, throttled, to fn.
type dlProgress struct {
	fn           func(done, total int64)
	done, total  int64
	lastReported int64
	last         time.Time
}

func (p *dlProgress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	p.report(false)
	return len(b), nil
}

func (p *dlProgress) report(final bool) {
	if p.fn == nil || p.done == p.lastReported && !p.last.IsZero() {
		return
	}
	if now := time.Now(); final || now.Sub(p.last) >= 100*time.Millisecond {
		p.last, p.lastReported = now, p.done
		p.fn(p.done, p.total)
	}
}

// dlExtractZip extracts the zip archive r (size bytes) into the directory dst.
// All writes go through os.Root, so even a symlink planted by an earlier
// entry cannot redirect a write outside dst.
func dlExtractZip(ctx context.Context, r io.ReaderAt, size int64, dst string) error {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil || !bytes.Equal(magic[:2], []byte("PK")) {
		what := "not a zip archive"
		if magic[0] == 0x1f && magic[1] == 0x8b {
			what = "got a gzip/tar.gz file, only zip archives are supported"
		}
		return fmt.Errorf("%w: %s", ErrCorruptArchive, what)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are checked below
		return fmt.Errorf("%w: %w", ErrCorruptArchive, err)
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return fmt.Errorf("lkbrowser: %w", err)
	}
	defer root.Close()
	var links []string
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("lkbrowser: extract: %w", err)
		}
		name := strings.TrimSuffix(f.Name, "/")
		// Backslashes are rejected too: they are separators on Windows.
		if !filepath.IsLocal(name) || strings.Contains(name, `\`) {
			return &UnsafeArchivePathError{Name: f.Name}
		}
		if name == dlMarker {
			continue // never let the archive fake completeness
		}
		mode := f.Mode()
		if mode.IsDir() {
			if err := root.MkdirAll(name, 0o755); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
			}
			continue
		}
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
			}
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			target, err := dlReadLink(f, 4096)
			if err != nil {
				return err
			}
			t := string(target)
			if t == "" || filepath.IsAbs(t) || strings.Contains(t, `\`) || !filepath.IsLocal(path.Join(path.Dir(name), t)) {
				return &UnsafeArchivePathError{Name: f.Name, Target: t}
			}
			if err := root.Symlink(t, name); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
			}
			links = append(links, name)
		case mode.IsRegular():
			if err := dlWriteEntry(root, f, name); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: %s: unsupported entry type %v", ErrCorruptArchive, f.Name, mode.Type())
		}
	}
	// A lexically local target can still escape through another link (e.g.
	// "x" -> "." and "y" -> "x/.."), so resolve every link inside the root
	// once all entries exist. Dangling links that stay inside are tolerated.
	for _, name := range links {
		if _, err := root.Stat(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t, _ := root.Readlink(name)
			return &UnsafeArchivePathError{Name: name, Target: t}
		}
	}
	return nil
}

// dlWriteEntry extracts the regular file f to name, preserving its permission
// bits (minus setuid/setgid/sticky, and subject to the umask).
func dlWriteEntry(root *os.Root, f *zip.File, name string) error {
	perm := f.Mode().Perm()
	if perm == 0 { // archives made without Unix attributes
		perm = 0o644
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	defer rc.Close()
	// O_EXCL: a duplicate entry or a pre-planted symlink is an error rather
	// than something to write through.
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	// archive/zip checks the declared size and CRC-32 while reading.
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("lkbrowser: %w", err)
	}
	return nil
}

func dlReadLink(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errors.New("symlink target too long")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	return b, nil
}

// DownloadedChromium returns the path of the Chromium executable of the
// newest complete download in cacheDir ("" means DefaultCacheDir()) for
// DefaultPlatform(), or "" and false if there is none. Versions are compared
// by their dot-separated numeric parts. Inside an install directory the
// executable is looked up at its Chrome-for-Testing location
// (chrome-<platform>/chrome on Linux), then as "chrome" or "chromium" at the
// top level.
func DownloadedChromium(cacheDir string) (path string, ok bool) {
	if cacheDir == "" {
		var err error
		if cacheDir, err = DefaultCacheDir(); err != nil {
			return "", false
		}
	}
	platform := DefaultPlatform()
	if platform == "" {
		return "", false
	}
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return "", false
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() && dlValidateVersion(e.Name()) == nil {
			versions = append(versions, e.Name())
		}
	}
	slices.SortFunc(versions, func(a, b string) int { return dlCompareVersions(b, a) }) // newest first
	for _, v := range versions {
		dir := filepath.Join(cacheDir, v, platform)
		if !dlComplete(dir) {
			continue
		}
		for _, rel := range dlChromiumCandidates(platform) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if dlIsExecutable(p) {
				return p, true
			}
		}
	}
	return "", false
}

// dlChromiumCandidates lists the executable locations, relative to an install
// dir, for a Chrome-for-Testing platform; the CfT layout comes first.
func dlChromiumCandidates(platform string) []string {
	top := "chrome-" + platform + "/"
	switch {
	case strings.HasPrefix(platform, "mac"):
		return []string{
			top + "Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
			"chrome", "chromium",
		}
	case strings.HasPrefix(platform, "win"):
		return []string{top + "chrome.exe", "chrome.exe", "chromium.exe"}
	}
	return []string{top + "chrome", "chrome", "chromium"}
}

func dlIsExecutable(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}

// dlCompareVersions compares dot-separated versions part by part, numerically
// when both parts are numbers and lexically otherwise; a version that is a
// prefix of another is older ("1.2" < "1.2.0").
func dlCompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(pa), len(pb)) {
		na, errA := strconv.ParseUint(pa[i], 10, 64)
		nb, errB := strconv.ParseUint(pb[i], 10, 64)
		var c int
		switch {
		case errA == nil && errB == nil:
			c = cmp.Compare(na, nb)
		case errA == nil: // numbers sort before words
			c = -1
		case errB == nil:
			c = 1
		default:
			c = strings.Compare(pa[i], pb[i])
		}
		if c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}

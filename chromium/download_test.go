package chromium

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const dlTestVersion = "131.0.6778.85"

type dlEntry struct {
	name string
	mode fs.FileMode
	body string
}

// testZip builds a Chrome-for-Testing-like archive for platform: the
// executable (0755), a nested data file, a directory symlink, plus extra.
func testZip(t testing.TB, platform string, extra ...dlEntry) []byte {
	t.Helper()
	top := "chrome-" + platform + "/"
	entries := append([]dlEntry{
		{top, fs.ModeDir | 0o755, ""},
		{candidates(platform)[0], 0o755, "#!/bin/sh\necho fake chrome\n"},
		{top + "resources/locales/en-US.pak", 0o644, "locale data"},
		{top + "locales", fs.ModeSymlink | 0o777, "resources/locales"},
	}, extra...)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dlServer is a loopback Chrome-for-Testing mirror that counts requests.
type dlServer struct {
	*httptest.Server
	hits atomic.Int32
}

func serve(t *testing.T, h http.HandlerFunc) *dlServer {
	t.Helper()
	s := &dlServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// archive serves data at the CfT URL of dlTestVersion/platform, 404 elsewhere.
func archive(platform string, data []byte) http.HandlerFunc {
	want := "/" + dlTestVersion + "/" + platform + "/chrome-" + platform + ".zip"
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != want {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	}
}

func testOpts(s *dlServer, cache string) Options {
	return Options{Version: dlTestVersion, Platform: "linux64", BaseURL: s.URL, CacheDir: cache, Client: s.Client()}
}

// assertClean fails if anything but the lock file and a complete install
// is left in the version dir, or if nothing but leftovers exists there.
func assertClean(t *testing.T, cache string, installed bool) {
	t.Helper()
	verDir := filepath.Join(cache, dlTestVersion)
	entries, _ := os.ReadDir(verDir)
	for _, e := range entries {
		switch {
		case e.Name() == "linux64.lock":
		case e.Name() == "linux64" && installed:
		default:
			t.Errorf("leftover in %s: %s", verDir, e.Name())
		}
	}
	_, complete, err := ResourcesDir(Options{Version: dlTestVersion, Platform: "linux64", CacheDir: cache})
	if err != nil || complete != installed {
		t.Errorf("ResourcesDir complete = %v, %v; want %v", complete, err, installed)
	}
}

func TestDownloadSuccess(t *testing.T) {
	platform := DefaultPlatform()
	if platform == "" {
		platform = "linux64"
	}
	s := serve(t, archive(platform, testZip(t, platform)))
	cache := t.TempDir()
	opts := testOpts(s, cache)
	opts.Platform = platform
	dir, err := Download(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, dlTestVersion, platform); dir != want {
		t.Errorf("dir = %q, want %q", dir, want)
	}
	if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
		t.Errorf("marker: %v", err)
	}
	exe := filepath.Join(dir, filepath.FromSlash(candidates(platform)[0]))
	fi, err := os.Stat(exe)
	if err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("executable %s: %v, %v", exe, fi, err)
	}
	top := filepath.Join(dir, "chrome-"+platform)
	fi, err = os.Stat(filepath.Join(top, "resources", "locales", "en-US.pak"))
	if err != nil || fi.Mode().Perm()&0o111 != 0 {
		t.Errorf("nested file: %v, %v (want present, not executable)", fi, err)
	}
	if target, err := os.Readlink(filepath.Join(top, "locales")); err != nil || target != "resources/locales" {
		t.Errorf("symlink = %q, %v", target, err)
	}
	if b, err := os.ReadFile(filepath.Join(top, "locales", "en-US.pak")); err != nil || string(b) != "locale data" {
		t.Errorf("read through symlink = %q, %v", b, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("install dir mode = %v, %v", fi, err)
	}
	if DefaultPlatform() != "" {
		if p, ok := Downloaded(cache); !ok || p != exe {
			t.Errorf("Downloaded = %q, %v; want %q", p, ok, exe)
		}
	}
	if platform == "linux64" {
		assertClean(t, cache, true)
	}
}

func TestDownloadIdempotent(t *testing.T) {
	s := serve(t, archive("linux64", testZip(t, "linux64")))
	cache := t.TempDir()
	if _, complete, err := ResourcesDir(testOpts(s, cache)); err != nil || complete {
		t.Fatalf("ResourcesDir before download: complete=%v err=%v", complete, err)
	}
	dir1, err := Download(t.Context(), testOpts(s, cache))
	if err != nil {
		t.Fatal(err)
	}
	dir2, err := Download(t.Context(), testOpts(s, cache))
	if err != nil {
		t.Fatal(err)
	}
	if dir1 != dir2 {
		t.Errorf("dirs differ: %q vs %q", dir1, dir2)
	}
	if n := s.hits.Load(); n != 1 {
		t.Errorf("server hit %d times, want 1", n)
	}
	if dir, complete, err := ResourcesDir(testOpts(s, cache)); err != nil || !complete || dir != dir1 {
		t.Errorf("ResourcesDir = %q, %v, %v", dir, complete, err)
	}
}

func TestDownloadSHA256(t *testing.T) {
	data := testZip(t, "linux64")
	sum := sha256.Sum256(data)
	s := serve(t, archive("linux64", data))

	t.Run("match", func(t *testing.T) {
		cache := t.TempDir()
		opts := testOpts(s, cache)
		opts.SHA256 = strings.ToUpper(hex.EncodeToString(sum[:]))
		if _, err := Download(t.Context(), opts); err != nil {
			t.Fatal(err)
		}
		assertClean(t, cache, true)
	})
	t.Run("mismatch", func(t *testing.T) {
		cache := t.TempDir()
		opts := testOpts(s, cache)
		opts.SHA256 = strings.Repeat("ab", 32)
		_, err := Download(t.Context(), opts)
		if !errors.Is(err, ErrChecksumMismatch) || !strings.Contains(err.Error(), hex.EncodeToString(sum[:])) {
			t.Fatalf("err = %v, want ErrChecksumMismatch with actual digest", err)
		}
		assertClean(t, cache, false)
	})
}

func TestDownloadNotFound(t *testing.T) {
	s := serve(t, http.NotFound)
	cache := t.TempDir()
	_, err := Download(t.Context(), testOpts(s, cache))
	var de *DownloadError
	if !errors.As(err, &de) || de.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %#v, want *DownloadError 404", err)
	}
	url := s.URL + "/" + dlTestVersion + "/linux64/chrome-linux64.zip"
	if de.URL != url || !strings.Contains(err.Error(), "not found: no build for version "+dlTestVersion+" platform linux64 at "+url) {
		t.Errorf("unexpected error: %v", err)
	}
	assertClean(t, cache, false)
}

func TestDownloadTruncated(t *testing.T) {
	data := testZip(t, "linux64")
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		// The server closes the connection because the handler wrote less
		// than the declared Content-Length.
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
	})
	cache := t.TempDir()
	_, err := Download(t.Context(), testOpts(s, cache))
	var de *DownloadError
	if !errors.Is(err, ErrIncompleteDownload) || !errors.As(err, &de) {
		t.Fatalf("err = %v, want ErrIncompleteDownload in a *DownloadError", err)
	}
	assertClean(t, cache, false)
}

func TestDownloadCorruptArchive(t *testing.T) {
	valid := testZip(t, "linux64")
	random := make([]byte, 4096)
	rand.Read(random)
	cases := map[string]struct {
		data []byte
		msg  string
	}{
		"random":    {random, "not a zip"},
		"gzip":      {append([]byte{0x1f, 0x8b, 8, 0}, random...), "gzip"},
		"truncated": {valid[:len(valid)-40], "zip"}, // served whole: the zip itself is cut
		"empty":     {nil, "not a zip"},
		"bad crc":   {badCRCZip(), "checksum"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := serve(t, archive("linux64", c.data))
			cache := t.TempDir()
			_, err := Download(t.Context(), testOpts(s, cache))
			if !errors.Is(err, ErrCorruptArchive) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want ErrCorruptArchive mentioning %q", err, c.msg)
			}
			assertClean(t, cache, false)
		})
	}
}

// badCRCZip returns a zip whose only entry's stored bytes no longer match
// its CRC-32.
func badCRCZip() []byte {
	const body = "fake chrome"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "chrome-linux64/chrome", Method: zip.Store}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte(body))
	zw.Close()
	out := buf.Bytes()
	out[bytes.Index(out, []byte(body))] ^= 0xff
	return out
}

func TestDownloadZipSlip(t *testing.T) {
	cases := map[string][]dlEntry{
		"dotdot":         {{"../evil", 0o644, "x"}},
		"nested dotdot":  {{"chrome-linux64/../../evil", 0o644, "x"}},
		"absolute":       {{"/tmp/evil", 0o644, "x"}},
		"backslash":      {{`..\evil`, 0o644, "x"}},
		"abs symlink":    {{"chrome-linux64/evil", fs.ModeSymlink | 0o777, "/etc/passwd"}},
		"escape symlink": {{"chrome-linux64/evil", fs.ModeSymlink | 0o777, "../../evil"}},
		// Lexically "chrome-linux64/x/../.." is inside, but x is a link to
		// chrome-linux64 itself, so the real target is the parent of root.
		"symlink chain": {
			{"chrome-linux64/x", fs.ModeSymlink | 0o777, "."},
			{"chrome-linux64/evil", fs.ModeSymlink | 0o777, "x/../.."},
		},
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			s := serve(t, archive("linux64", testZip(t, "linux64", extra...)))
			cache := t.TempDir()
			_, err := Download(t.Context(), testOpts(s, cache))
			var ue *UnsafeArchivePathError
			if !errors.Is(err, ErrCorruptArchive) || !errors.As(err, &ue) {
				t.Fatalf("err = %v, want *UnsafeArchivePathError", err)
			}
			assertClean(t, cache, false)
			filepath.WalkDir(filepath.Dir(cache), func(p string, d fs.DirEntry, err error) error {
				if d != nil && d.Name() == "evil" {
					t.Errorf("written outside the install dir: %s", p)
				}
				return nil
			})
		})
	}
}

func TestDownloadConcurrentGoroutines(t *testing.T) {
	data := testZip(t, "linux64")
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // widen the race window
		archive("linux64", data)(w, r)
	})
	cache := t.TempDir()
	const n = 4
	var wg sync.WaitGroup
	dirs := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			dirs[i], errs[i] = Download(t.Context(), testOpts(s, cache))
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || dirs[i] != dirs[0] {
			t.Errorf("goroutine %d: %q, %v", i, dirs[i], errs[i])
		}
	}
	if h := s.hits.Load(); h != 1 {
		t.Errorf("archive served %d times, want 1", h)
	}
	assertClean(t, cache, true)
}

// TestHelperProcessDownload is the second process of
// TestDownloadConcurrentProcesses; it does nothing in a normal run.
func TestHelperProcessDownload(t *testing.T) {
	if os.Getenv("LKBROWSER_DL_HELPER") != "1" {
		t.Skip("helper process")
	}
	_, err := Download(t.Context(), Options{
		Version: dlTestVersion, Platform: "linux64",
		BaseURL: os.Getenv("LKBROWSER_DL_URL"), CacheDir: os.Getenv("LKBROWSER_DL_CACHE"),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDownloadConcurrentProcesses(t *testing.T) {
	data := testZip(t, "linux64")
	requested := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(requested) })
		select { // hold the other process inside its locked section
		case <-release:
		case <-time.After(10 * time.Second):
		}
		archive("linux64", data)(w, r)
	})
	cache := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessDownload$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LKBROWSER_DL_HELPER=1", "LKBROWSER_DL_URL="+s.URL, "LKBROWSER_DL_CACHE="+cache)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) // no-op once it has exited
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-requested: // the helper holds the lock and is downloading
	case err := <-exited:
		close(release)
		t.Fatalf("helper exited before downloading: %v\n%s", err, out.Bytes())
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("helper never requested the archive")
	}

	type result struct {
		dir string
		err error
	}
	done := make(chan result, 1)
	go func() {
		dir, err := Download(t.Context(), testOpts(s, cache))
		done <- result{dir, err}
	}()
	select {
	case r := <-done:
		close(release)
		t.Fatalf("in-process Download did not wait for the helper's lock: %+v", r)
	case <-time.After(150 * time.Millisecond):
	}
	close(release)
	r := <-done
	if err := <-exited; err != nil {
		t.Fatalf("helper: %v\n%s", err, out.Bytes())
	}
	if r.err != nil || r.dir != filepath.Join(cache, dlTestVersion, "linux64") {
		t.Fatalf("in-process Download = %q, %v", r.dir, r.err)
	}
	if h := s.hits.Load(); h != 1 {
		t.Errorf("archive served %d times, want 1", h)
	}
	assertClean(t, cache, true)
}

func TestDownloadProgress(t *testing.T) {
	big := make([]byte, 512<<10)
	rand.Read(big) // incompressible, so the archive is about 512 KiB
	data := testZip(t, "linux64", dlEntry{"chrome-linux64/blob", 0o644, string(big)})
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		for chunk := range slices.Chunk(data, 64<<10) {
			w.Write(chunk)
			w.(http.Flusher).Flush()
			time.Sleep(15 * time.Millisecond)
		}
	})
	type call struct{ done, total int64 }
	var calls []call
	var inFlight atomic.Int32
	opts := testOpts(s, t.TempDir())
	opts.Progress = func(done, total int64) {
		if inFlight.Add(1) != 1 {
			t.Error("concurrent Progress calls")
		}
		calls = append(calls, call{done, total})
		inFlight.Add(-1)
	}
	start := time.Now()
	if _, err := Download(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if len(calls) == 0 {
		t.Fatal("Progress never called")
	}
	for i, c := range calls {
		if c.total != int64(len(data)) || i > 0 && c.done <= calls[i-1].done {
			t.Errorf("call %d = %+v (previous %+v, total %d)", i, c, calls[max(i-1, 0)], len(data))
		}
	}
	if last := calls[len(calls)-1]; last.done != last.total {
		t.Errorf("last call = %+v, want done == total", last)
	}
	if limit := int(elapsed/(100*time.Millisecond)) + 2; len(calls) > limit {
		t.Errorf("%d Progress calls in %v, want at most %d", len(calls), elapsed, limit)
	}
}

func TestDownloadContextCancel(t *testing.T) {
	t.Run("mid-download", func(t *testing.T) {
		release := make(chan struct{})
		s := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(1<<20))
			w.Write(make([]byte, 64<<10))
			w.(http.Flusher).Flush()
			select { // stall until the client goes away
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) }) // runs before s.Close
		cache := t.TempDir()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		opts := testOpts(s, cache)
		opts.Progress = func(done, total int64) { cancel() } // bytes are flowing: abort
		start := time.Now()
		_, err := Download(ctx, opts)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Download took %v after cancel", d)
		}
		assertClean(t, cache, false)
	})
	t.Run("waiting for lock", func(t *testing.T) {
		s := serve(t, http.NotFound)
		cache := t.TempDir()
		verDir := filepath.Join(cache, dlTestVersion)
		if err := os.MkdirAll(verDir, 0o755); err != nil {
			t.Fatal(err)
		}
		unlock, err := lockDir(t.Context(), filepath.Join(verDir, "linux64.lock"))
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		if _, err := Download(ctx, testOpts(s, cache)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		if h := s.hits.Load(); h != 0 {
			t.Errorf("%d requests made without the lock", h)
		}
	})
}

func TestDownloadRecoversLeftovers(t *testing.T) {
	s := serve(t, archive("linux64", testZip(t, "linux64")))
	cache := t.TempDir()
	verDir := filepath.Join(cache, dlTestVersion)
	for _, p := range []string{"linux64/junk", ".linux64.tmp-123/junk", ".linux64.tmp-456.zip", ".linux-arm64.tmp-7/keep"} {
		p = filepath.Join(verDir, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := Download(t.Context(), testOpts(s, cache))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "junk")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unmarked install dir was not replaced: %v", err)
	}
	// Another platform's temp entries belong to a different lock.
	if _, err := os.Stat(filepath.Join(verDir, ".linux-arm64.tmp-7", "keep")); err != nil {
		t.Errorf("other platform's temp dir removed: %v", err)
	}
	os.RemoveAll(filepath.Join(verDir, ".linux-arm64.tmp-7"))
	assertClean(t, cache, true)
}

func TestDownloadOptionValidation(t *testing.T) {
	cases := []struct {
		field string
		opts  Options
	}{
		{"Version", Options{}},
		{"Version", Options{Version: "../131"}},
		{"Version", Options{Version: "1..2"}},
		{"Version", Options{Version: "."}},
		{"Version", Options{Version: "131/0"}},
		{"Version", Options{Version: "131 0"}},
		{"Platform", Options{Version: "1.2", Platform: "linux32"}},
		{"Platform", Options{Version: "1.2", Platform: "../linux64"}},
		{"SHA256", Options{Version: "1.2", Platform: "linux64", SHA256: "abc"}},
	}
	for _, c := range cases {
		c.opts.CacheDir = t.TempDir()
		_, err := Download(t.Context(), c.opts)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Field != c.field {
			t.Errorf("Download(%+v) err = %v, want OptionError for %s", c.opts, err, c.field)
		}
		if _, _, err := ResourcesDir(c.opts); !errors.As(err, &oe) {
			t.Errorf("ResourcesDir(%+v) err = %v", c.opts, err)
		}
	}
	if p := DefaultPlatform(); p != "" {
		dir, _, err := ResourcesDir(Options{Version: "1.2", CacheDir: "/c"})
		if err != nil || dir != filepath.Join("/c", "1.2", p) {
			t.Errorf("ResourcesDir with default platform = %q, %v", dir, err)
		}
	}
}

func TestDownloadDefaultCacheDir(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", xdg)
	if dir, err := DefaultCacheDir(); err != nil || dir != filepath.Join(xdg, "lkbrowser") {
		t.Errorf("DefaultCacheDir = %q, %v; want %q", dir, err, filepath.Join(xdg, "lkbrowser"))
	}
	dir, _, err := ResourcesDir(Options{Version: "1.2", Platform: "linux64"})
	if want := filepath.Join(xdg, "lkbrowser", "1.2", "linux64"); err != nil || dir != want {
		t.Errorf("ResourcesDir = %q, %v; want %q", dir, err, want)
	}
	if runtime.GOOS == "linux" {
		home := t.TempDir()
		t.Setenv("XDG_CACHE_HOME", "")
		t.Setenv("HOME", home)
		if dir, err := DefaultCacheDir(); err != nil || dir != filepath.Join(home, ".cache", "lkbrowser") {
			t.Errorf("DefaultCacheDir without XDG = %q, %v", dir, err)
		}
	}
}

// fakeInstall creates an install dir by hand, with the executable at rel.
func fakeInstall(t *testing.T, cache, version, rel string, complete bool) string {
	t.Helper()
	dir := filepath.Join(cache, version, DefaultPlatform())
	exe := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if complete {
		if err := os.WriteFile(filepath.Join(dir, markerFile), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return exe
}

func TestDownloadedChromium(t *testing.T) {
	platform := DefaultPlatform()
	if platform == "" {
		t.Skip("no Chrome-for-Testing platform for this GOOS/GOARCH")
	}
	cft := candidates(platform)[0]

	cache := t.TempDir()
	if p, ok := Downloaded(cache); ok {
		t.Errorf("empty cache: got %q", p)
	}
	if p, ok := Downloaded(filepath.Join(cache, "missing")); ok {
		t.Errorf("missing cache: got %q", p)
	}
	fakeInstall(t, cache, "9.0.1", cft, true)
	want := fakeInstall(t, cache, "10.0.0", cft, true)
	fakeInstall(t, cache, "11.0.0", cft, false)     // no marker: incomplete
	fakeInstall(t, cache, "12.0.0", "README", true) // no executable
	if p, ok := Downloaded(cache); !ok || p != want {
		t.Errorf("Downloaded = %q, %v; want %q", p, ok, want)
	}

	// Top-level "chromium" is accepted too, and "" means the default cache.
	xdg := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", xdg)
	want = fakeInstall(t, filepath.Join(xdg, "lkbrowser"), "1.0", "chromium", true)
	if p, ok := Downloaded(""); !ok || p != want {
		t.Errorf("Downloaded(\"\") = %q, %v; want %q", p, ok, want)
	}
}

func TestDownloadCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"9.0.1", "10.0.0", -1},
		{"131.0.6778.85", "131.0.6778.108", -1},
		{"1.2", "1.2.0", -1},
		{"1.2.3", "1.2.3", 0},
		{"2.0", "1.99.99", 1},
		{"1.beta", "1.0", 1},
	}
	for _, c := range cases {
		got := compareVersions(c.a, c.b)
		if got < 0 {
			got = -1
		} else if got > 0 {
			got = 1
		}
		if got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

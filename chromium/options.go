package chromium

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// DefaultBaseURL is the Chrome-for-Testing bucket used when
// Options.BaseURL is empty.
const DefaultBaseURL = "https://storage.googleapis.com/chrome-for-testing-public"

// platforms are the Chrome-for-Testing platform names accepted in
// Options.Platform. None contains a dot, which keeps the temp names
// built by tmpPrefix unambiguous.
var platforms = []string{"linux64", "linux-arm64", "mac-arm64", "mac-x64", "win32", "win64"}

// Options configures Download.
type Options struct {
	// Version is the Chromium version to fetch, e.g. "131.0.6778.85".
	// Required; it may only contain [0-9A-Za-z._-], must not start with "."
	// and must not contain "..".
	Version string
	// Platform is the Chrome-for-Testing platform name; empty means
	// DefaultPlatform().
	Platform string
	// BaseURL is the root of the download tree; empty means
	// DefaultBaseURL. The archive is fetched from
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
		return "", fmt.Errorf("chromium: cache directory: %w", err)
	}
	return filepath.Join(dir, "lkbrowser"), nil
}

// normalize validates opts and fills in defaults.
func (o Options) normalize() (Options, error) {
	if err := validateVersion(o.Version); err != nil {
		return o, err
	}
	if o.Platform == "" {
		o.Platform = DefaultPlatform()
		if o.Platform == "" {
			return o, &OptionError{"Platform", "", "no Chrome-for-Testing build for " + runtime.GOOS + "/" + runtime.GOARCH}
		}
	}
	if !slices.Contains(platforms, o.Platform) {
		return o, &OptionError{"Platform", o.Platform, "unsupported, want one of " + strings.Join(platforms, ", ")}
	}
	if o.SHA256 != "" {
		if b, err := hex.DecodeString(o.SHA256); err != nil || len(b) != sha256.Size {
			return o, &OptionError{"SHA256", o.SHA256, "want 64 hex digits"}
		}
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
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
		return o, &OptionError{"CacheDir", o.CacheDir, err.Error()}
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

func validateVersion(v string) error {
	bad := func(reason string) error { return &OptionError{"Version", v, reason} }
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

func (o Options) archiveURL() string {
	return o.BaseURL + "/" + o.Version + "/" + o.Platform + "/chrome-" + o.Platform + ".zip"
}

func (o Options) versionDir() string { return filepath.Join(o.CacheDir, o.Version) }

func (o Options) installDir() string { return filepath.Join(o.versionDir(), o.Platform) }

// tmpPrefix is the name prefix of the temp archive and extraction dir in the
// version dir. Platforms contain no dot, so ".linux64.tmp-*" never matches
// the temp entries of another platform.
func (o Options) tmpPrefix() string { return "." + o.Platform + ".tmp-" }

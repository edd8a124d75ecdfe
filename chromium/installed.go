package chromium

import (
	"cmp"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// markerFile is written last inside an install directory; its presence
// means the directory is complete.
const markerFile = ".downloaded"

// ResourcesDir returns the install directory for opts.Version and
// opts.Platform (defaults applied, nothing downloaded) and whether it is
// complete, i.e. holds the marker that Download writes last.
func ResourcesDir(opts Options) (dir string, complete bool, err error) {
	o, err := opts.normalize()
	if err != nil {
		return "", false, err
	}
	dir = o.installDir()
	return dir, isComplete(dir), nil
}

func isComplete(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, markerFile))
	return err == nil && fi.Mode().IsRegular()
}

// Downloaded returns the path of the Chromium executable of the
// newest complete download in cacheDir ("" means DefaultCacheDir()) for
// DefaultPlatform(), or "" and false if there is none. Versions are compared
// by their dot-separated numeric parts. Inside an install directory the
// executable is looked up at its Chrome-for-Testing location
// (chrome-<platform>/chrome on Linux), then as "chrome" or "chromium" at the
// top level.
func Downloaded(cacheDir string) (path string, ok bool) {
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
		if e.IsDir() && validateVersion(e.Name()) == nil {
			versions = append(versions, e.Name())
		}
	}
	slices.SortFunc(versions, func(a, b string) int { return compareVersions(b, a) }) // newest first
	for _, v := range versions {
		dir := filepath.Join(cacheDir, v, platform)
		if !isComplete(dir) {
			continue
		}
		for _, rel := range candidates(platform) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if isExecutable(p) {
				return p, true
			}
		}
	}
	return "", false
}

// candidates lists the executable locations, relative to an install
// dir, for a Chrome-for-Testing platform; the CfT layout comes first.
func candidates(platform string) []string {
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

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}

// compareVersions compares dot-separated versions part by part, numerically
// when both parts are numbers and lexically otherwise; a version that is a
// prefix of another is older ("1.2" < "1.2.0").
func compareVersions(a, b string) int {
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

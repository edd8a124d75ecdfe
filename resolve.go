package lkbrowser

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/lkbrowser/lkbrowser/chromium"
)

// Environment variables that name the programs lkbrowser runs.
const (
	EnvChromium = "LKBROWSER_CHROMIUM"
	EnvXvfb     = "LKBROWSER_XVFB"
)

// systemChromium lists where Debian and other distributions put Chromium.
var systemChromium = []string{"/usr/lib/chromium/chromium"}

// chromiumOnPath lists the names looked up on $PATH, in order.
var chromiumOnPath = []string{"chromium", "chromium-browser", "google-chrome"}

// ResolveChromium finds the Chromium executable: the explicit path if given,
// then $LKBROWSER_CHROMIUM, then the newest build fetched by chromium.Download into
// cacheDir ("" means the default cache), then the system's Chromium. An
// explicit path or variable that names a missing file is an error, not a
// reason to look elsewhere.
func ResolveChromium(explicit, cacheDir string) (string, error) {
	var searched []string
	if explicit != "" {
		return checkExecutable("chromium", explicit, "Options.ChromiumPath")
	}
	if env := os.Getenv(EnvChromium); env != "" {
		return checkExecutable("chromium", env, "$"+EnvChromium)
	}
	searched = append(searched, "Options.ChromiumPath (unset)", "$"+EnvChromium+" (unset)")
	if p, ok := chromium.Downloaded(cacheDir); ok {
		return p, nil
	}
	dir := cacheDir
	if dir == "" {
		dir, _ = chromium.DefaultCacheDir()
	}
	searched = append(searched, "downloads in "+dir)
	for _, p := range systemChromium {
		if isExecutable(p) {
			return p, nil
		}
		searched = append(searched, p)
	}
	for _, name := range chromiumOnPath {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		searched = append(searched, name+" on $PATH")
	}
	return "", &NotFoundError{Program: "chromium", Searched: searched,
		Install: "apt-get install -y chromium (or bash scripts/setup.sh, or chromium.Download)"}
}

// ResolveXvfb finds the Xvfb executable: the explicit path if given, then
// $LKBROWSER_XVFB, then Xvfb on $PATH and in /usr/bin.
func ResolveXvfb(explicit string) (string, error) {
	if explicit != "" {
		return checkExecutable("Xvfb", explicit, "Options.XvfbPath")
	}
	if env := os.Getenv(EnvXvfb); env != "" {
		return checkExecutable("Xvfb", env, "$"+EnvXvfb)
	}
	searched := []string{"Options.XvfbPath (unset)", "$" + EnvXvfb + " (unset)", "Xvfb on $PATH"}
	if p, err := exec.LookPath("Xvfb"); err == nil {
		return p, nil
	}
	if isExecutable("/usr/bin/Xvfb") {
		return "/usr/bin/Xvfb", nil
	}
	searched = append(searched, "/usr/bin/Xvfb")
	return "", &NotFoundError{Program: "Xvfb", Searched: searched,
		Install: "apt-get install -y xvfb (or bash scripts/setup.sh)"}
}

func checkExecutable(program, path, source string) (string, error) {
	if isExecutable(path) {
		return path, nil
	}
	return "", &NotFoundError{Program: program,
		Searched: []string{fmt.Sprintf("%s = %s (missing or not executable)", source, path)},
		Install:  "fix " + source + ", or unset it to use the system's " + program}
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

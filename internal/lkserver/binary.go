package lkserver

import (
	"os"
	"os/exec"
)

// EnvBinary names the environment variable that points to the
// livekit-server binary when Config.Binary is empty.
const EnvBinary = "LKBROWSER_LIVEKIT_SERVER"

// installedBinary is where scripts/setup.sh installs livekit-server; a
// variable for the tests.
var installedBinary = "/usr/local/bin/livekit-server"

// findBinary returns the path of the livekit-server binary: configured (a
// path, or a name looked up on PATH), else $LKBROWSER_LIVEKIT_SERVER, else
// livekit-server on PATH, else installedBinary. A binary named explicitly
// (configured or in the environment) is the only one tried.
func findBinary(configured string) (string, error) {
	if configured != "" {
		return lookPath(configured, configured)
	}
	if env := os.Getenv(EnvBinary); env != "" {
		return lookPath(env, "$"+EnvBinary+"="+env)
	}
	if p, err := exec.LookPath("livekit-server"); err == nil {
		return p, nil
	}
	if p, err := exec.LookPath(installedBinary); err == nil {
		return p, nil
	}
	return "", notInstalled([]string{"$" + EnvBinary + " (unset)", "livekit-server on $PATH", installedBinary})
}

// lookPath finds one named binary or reports ErrNotInstalled, naming it as
// where.
func lookPath(name, where string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", notInstalled([]string{where})
	}
	return p, nil
}

// FindBinary returns the livekit-server binary that Start runs when
// Config.Binary is empty, or an error matching ErrNotInstalled.
func FindBinary() (string, error) { return findBinary("") }

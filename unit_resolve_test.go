package lkbrowser

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// unitExecutable writes a small executable script named name into dir.
func unitExecutable(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o755); err != nil { // regardless of umask
		t.Fatal(err)
	}
	return p
}

// unitNotFound checks that err is a *NotFoundError for program whose message
// mentions every word of want.
func unitNotFound(t *testing.T, err error, program string, want ...string) *NotFoundError {
	t.Helper()
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v (%T), want a *NotFoundError", err, err)
	}
	if nf.Program != program {
		t.Errorf("Program = %q, want %q", nf.Program, program)
	}
	if nf.Install == "" {
		t.Error("no install hint")
	}
	msg := err.Error()
	for _, w := range append(want, program, nf.Install) {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
	return nf
}

// unitResolveFixture makes an executable, a plain file and a directory.
func unitResolveFixture(t *testing.T) (exe, plain, dir, missing string) {
	d := t.TempDir()
	exe = unitExecutable(t, d, "prog")
	plain = filepath.Join(d, "plain")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(d, "dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe, plain, dir, filepath.Join(d, "missing")
}

func TestUnitResolveExplicit(t *testing.T) {
	exe, plain, dir, missing := unitResolveFixture(t)
	resolvers := []struct {
		program, env, source string
		resolve              func(string) (string, error)
	}{
		{"chromium", EnvChromium, "Options.ChromiumPath", func(p string) (string, error) { return ResolveChromium(p, t.TempDir()) }},
		{"Xvfb", EnvXvfb, "Options.XvfbPath", ResolveXvfb},
	}
	for _, r := range resolvers {
		t.Run(r.program, func(t *testing.T) {
			// A working fallback exists: an explicit path must not use it.
			t.Setenv(r.env, exe)
			for _, bad := range []string{missing, plain, dir} {
				p, err := r.resolve(bad)
				if p != "" {
					t.Errorf("resolve(%s) = %q, want no path", bad, p)
				}
				nf := unitNotFound(t, err, r.program, bad, r.source)
				if len(nf.Searched) != 1 {
					t.Errorf("resolve(%s) searched %v: an explicit path must not fall back", bad, nf.Searched)
				}
			}
			if p, err := r.resolve(exe); err != nil || p != exe {
				t.Errorf("resolve(%s) = %q, %v; want it back", exe, p, err)
			}
		})
	}
}

func TestUnitResolveEnv(t *testing.T) {
	exe, plain, dir, missing := unitResolveFixture(t)
	resolvers := []struct {
		program, env string
		resolve      func() (string, error)
	}{
		{"chromium", EnvChromium, func() (string, error) { return ResolveChromium("", t.TempDir()) }},
		{"Xvfb", EnvXvfb, func() (string, error) { return ResolveXvfb("") }},
	}
	for _, r := range resolvers {
		t.Run(r.program, func(t *testing.T) {
			// Even with the program on $PATH, a bad variable is an error.
			pathDir := t.TempDir()
			unitExecutable(t, pathDir, "chromium")
			unitExecutable(t, pathDir, "Xvfb")
			t.Setenv("PATH", pathDir)
			for _, bad := range []string{missing, plain, dir} {
				t.Setenv(r.env, bad)
				p, err := r.resolve()
				if p != "" {
					t.Errorf("$%s=%s: resolved %q", r.env, bad, p)
				}
				nf := unitNotFound(t, err, r.program, bad, "$"+r.env)
				if len(nf.Searched) != 1 {
					t.Errorf("$%s=%s searched %v: a set variable must not fall back", r.env, bad, nf.Searched)
				}
			}
			t.Setenv(r.env, exe)
			if p, err := r.resolve(); err != nil || p != exe {
				t.Errorf("$%s=%s: resolved %q, %v", r.env, exe, p, err)
			}
		})
	}
}

func TestUnitResolveChromiumSearch(t *testing.T) {
	saved := systemChromium
	t.Cleanup(func() { systemChromium = saved })
	t.Setenv(EnvChromium, "")
	cache := t.TempDir()
	sysDir := t.TempDir()
	system := filepath.Join(sysDir, "chromium")
	systemChromium = []string{system}
	pathDir := t.TempDir()
	t.Setenv("PATH", pathDir)

	// Nothing anywhere: the error lists every place, in order.
	p, err := ResolveChromium("", cache)
	if p != "" {
		t.Fatalf("resolved %q with nothing installed", p)
	}
	nf := unitNotFound(t, err, "chromium", "apt-get install -y chromium")
	want := []string{
		"Options.ChromiumPath (unset)", "$" + EnvChromium + " (unset)", "downloads in " + cache, system,
		"chromium on $PATH", "chromium-browser on $PATH", "google-chrome on $PATH",
	}
	if !slices.Equal(nf.Searched, want) {
		t.Errorf("Searched = %q\nwant %q", nf.Searched, want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message does not mention %q", w)
		}
	}

	// $PATH names in order: chromium-browser, then chromium before it.
	chrome := unitExecutable(t, pathDir, "google-chrome")
	if p, err := ResolveChromium("", cache); err != nil || p != chrome {
		t.Errorf("with google-chrome on $PATH: %q, %v", p, err)
	}
	browser := unitExecutable(t, pathDir, "chromium-browser")
	if p, err := ResolveChromium("", cache); err != nil || p != browser {
		t.Errorf("with chromium-browser on $PATH: %q, %v; want %q", p, err, browser)
	}
	onPath := unitExecutable(t, pathDir, "chromium")
	if p, err := ResolveChromium("", cache); err != nil || p != onPath {
		t.Errorf("with chromium on $PATH: %q, %v; want %q", p, err, onPath)
	}
	// The system's Chromium comes before $PATH.
	unitExecutable(t, sysDir, "chromium")
	if p, err := ResolveChromium("", cache); err != nil || p != system {
		t.Errorf("with the system's chromium: %q, %v; want %q", p, err, system)
	}
	// $LKBROWSER_CHROMIUM comes before everything but the explicit path.
	envExe := unitExecutable(t, t.TempDir(), "env-chrome")
	t.Setenv(EnvChromium, envExe)
	if p, err := ResolveChromium("", cache); err != nil || p != envExe {
		t.Errorf("with $%s: %q, %v; want %q", EnvChromium, p, err, envExe)
	}
	explicit := unitExecutable(t, t.TempDir(), "explicit")
	if p, err := ResolveChromium(explicit, cache); err != nil || p != explicit {
		t.Errorf("explicit: %q, %v; want %q", p, err, explicit)
	}
}

func TestUnitResolveXvfbSearch(t *testing.T) {
	t.Setenv(EnvXvfb, "")
	pathDir := t.TempDir()
	t.Setenv("PATH", pathDir)
	onPath := unitExecutable(t, pathDir, "Xvfb")
	if p, err := ResolveXvfb(""); err != nil || p != onPath {
		t.Errorf("with Xvfb on $PATH: %q, %v; want %q", p, err, onPath)
	}
	t.Setenv("PATH", t.TempDir())
	if isExecutable("/usr/bin/Xvfb") {
		if p, err := ResolveXvfb(""); err != nil || p != "/usr/bin/Xvfb" {
			t.Errorf("with /usr/bin/Xvfb: %q, %v", p, err)
		}
		return
	}
	_, err := ResolveXvfb("")
	nf := unitNotFound(t, err, "Xvfb", "apt-get install -y xvfb")
	want := []string{"Options.XvfbPath (unset)", "$" + EnvXvfb + " (unset)", "Xvfb on $PATH", "/usr/bin/Xvfb"}
	if !slices.Equal(nf.Searched, want) {
		t.Errorf("Searched = %q, want %q", nf.Searched, want)
	}
}

func TestUnitNotFoundErrorMessage(t *testing.T) {
	err := &NotFoundError{Program: "Xvfb", Searched: []string{"place one", "/usr/bin/Xvfb", "Xvfb on $PATH"}, Install: "apt-get install -y xvfb"}
	want := "lkbrowser: Xvfb not found (searched: place one, /usr/bin/Xvfb, Xvfb on $PATH); install it with: apt-get install -y xvfb"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q\nwant %q", got, want)
	}
}

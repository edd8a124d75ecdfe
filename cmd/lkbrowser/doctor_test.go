package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// libcParts are -l flags of the standard library's cgo that name parts of
// the C library itself, which every C compiler has.
var libcParts = []string{"pthread", "resolv", "dl", "m"}

// cgoLibs holds exactly the C libraries that `go list` says the build
// links (so doctor cannot miss a new bridge's library), and setup.sh
// installs the Debian package of each (so a fresh machine has them).
func TestCgoLibsCoverBuild(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "list", "-deps", "-f", `{{join .CgoPkgConfig " "}} {{join .CgoLDFLAGS " "}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	want := map[string]bool{}
	for _, f := range strings.Fields(string(out)) {
		switch lib, isLib := strings.CutPrefix(f, "-l"); {
		case isLib && !slices.Contains(libcParts, lib):
			want["-l"+lib] = true
		case !isLib && !strings.HasPrefix(f, "-"):
			want[f] = true
		}
	}
	have := map[string]bool{}
	for _, l := range cgoLibs {
		have[l.String()] = true
		if !want[l.String()] {
			t.Errorf("cgoLibs lists %s, which the build does not use", l)
		}
	}
	for name := range want {
		if !have[name] {
			t.Errorf("the build links %s, which cgoLibs lacks: doctor would not check it", name)
		}
	}

	setup, err := os.ReadFile("../../scripts/setup.sh")
	if err != nil {
		t.Fatal(err)
	}
	words := strings.FieldsFunc(string(setup), func(r rune) bool { return strings.ContainsRune(" \t\n()\"'", r) })
	for _, l := range cgoLibs {
		if !slices.Contains(words, l.deb) {
			t.Errorf("scripts/setup.sh does not install %s (for %s)", l.deb, l)
		}
	}
	for _, tool := range buildTools() {
		if !slices.Contains(words, tool[1]) {
			t.Errorf("scripts/setup.sh does not install %s", tool[1])
		}
	}
}

// Missing build libraries fail the check only for a binary without cgo;
// the install line names each Debian package once.
func TestBuildCheck(t *testing.T) {
	if c := buildCheck(true, nil, nil); !c.OK || c.Warning || c.Install != "" {
		t.Errorf("nothing missing: %+v", c)
	}
	missing := []string{"xcb-randr", "libpulse", "libpulse-simple"}
	debs := []string{"libxcb-randr0-dev", "libpulse-dev", "libpulse-dev"}
	c := buildCheck(true, missing, slices.Clone(debs))
	if !c.OK || !c.Warning || !strings.Contains(c.Detail, "xcb-randr, libpulse, libpulse-simple") {
		t.Errorf("built with cgo: %+v, want a warning naming the libraries", c)
	}
	if want := "apt-get install -y libpulse-dev libxcb-randr0-dev "; !strings.HasPrefix(c.Install, want) {
		t.Errorf("install %q, want it to start %q", c.Install, want)
	}
	if c := buildCheck(false, missing, debs); c.OK || c.Warning {
		t.Errorf("built without cgo: %+v, want a failure", c)
	}
}

// A missing or doubtful piece's line says which commands it stops; a
// line that is ok does not.
func TestPrintChecksAffects(t *testing.T) {
	var out strings.Builder
	printChecks(&out, withAffects([]check{
		{Name: "livekit-server", Detail: "not found", Install: "bash scripts/setup.sh"},
		{Name: "pulseaudio", OK: true, Detail: "/usr/bin/pulseaudio"},
		{Name: "build", OK: true, Warning: true, Detail: "cannot find vpx"},
	}))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"MISSING livekit-server  not found  affects: publish without --livekit-url  install: bash scripts/setup.sh",
		"ok      pulseaudio      /usr/bin/pulseaudio",
		"WARN    build           cannot find vpx  affects: rebuilding lkbrowser (go build, go run, go test)",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// Every check doctor runs names the commands that need it.
func TestDoctorChecksNameAffectedCommands(t *testing.T) {
	var stdout, stderr strings.Builder
	run([]string{"doctor", "--json"}, &stdout, &stderr)
	var checks []check
	if err := json.Unmarshal([]byte(stdout.String()), &checks); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, stdout.String())
	}
	if len(checks) != len(affects) {
		t.Errorf("doctor ran %d checks, affects names %d", len(checks), len(affects))
	}
	for _, c := range checks {
		if c.Affects == "" {
			t.Errorf("check %s names no command", c.Name)
		}
	}
}

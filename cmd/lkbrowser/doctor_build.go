package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// cgoLib is a C library the build links: found through pkg-config (pc) or,
// for a library without a .pc file, by the C compiler (lib, as in -llib).
// deb is the Debian package with its headers. The list holds every
// pkg-config name and -l library of the packages lkbrowser builds
// (internal/'s bridges and media-sdk's Opus and soxr);
// TestCgoLibsCoverBuild compares it with `go list`.
type cgoLib struct{ pc, lib, deb string }

var cgoLibs = []cgoLib{
	{pc: "xcb", deb: "libxcb1-dev"},
	{pc: "xcb-shm", deb: "libxcb-shm0-dev"},
	{pc: "xcb-damage", deb: "libxcb-damage0-dev"},
	{pc: "xcb-xfixes", deb: "libxcb-xfixes0-dev"},
	{pc: "xcb-xtest", deb: "libxcb-xtest0-dev"},
	{pc: "xcb-randr", deb: "libxcb-randr0-dev"},
	{pc: "xcb-keysyms", deb: "libxcb-keysyms1-dev"},
	{pc: "libpulse", deb: "libpulse-dev"},
	{pc: "libpulse-simple", deb: "libpulse-dev"},
	{pc: "vpx", deb: "libvpx-dev"},
	{lib: "yuv", deb: "libyuv-dev"},
	{pc: "opus", deb: "libopus-dev"},
	{pc: "opusfile", deb: "libopusfile-dev"},
	{pc: "soxr", deb: "libsoxr-dev"},
}

func (l cgoLib) String() string {
	if l.pc != "" {
		return l.pc
	}
	return "-l" + l.lib
}

// buildTools are the programs cgo runs, with their Debian packages.
func buildTools() [][2]string {
	cc := "gcc"
	if env := strings.Fields(os.Getenv("CC")); len(env) > 0 {
		cc = env[0]
	}
	return [][2]string{{cc, "gcc"}, {"pkg-config", "pkg-config"}}
}

// checkBuild checks that lkbrowser can be rebuilt here: a C compiler,
// pkg-config and every C library of cgoLibs. A binary built with cgo runs
// without them, so their absence is a warning then; without cgo it is a
// failure, as a rebuild with cgo is the only way to a working lkbrowser.
func checkBuild(ctx context.Context, log *slog.Logger, cgoBuilt bool) check {
	tools := buildTools()
	found := func(name string) bool { _, err := exec.LookPath(name); return err == nil }
	var missing []string // programs and libraries, as printed
	var debs []string
	for _, t := range tools {
		if !found(t[0]) {
			missing, debs = append(missing, t[0]), append(debs, t[1])
		}
	}
	have := func(l cgoLib) bool {
		if l.pc != "" {
			if !found("pkg-config") {
				return false
			}
			_, err := output(ctx, log, "pkg-config", "--exists", l.pc)
			return err == nil
		}
		if !found(tools[0][0]) {
			return false
		}
		// The compiler prints the library's path when it finds it, else
		// the bare name.
		out, err := output(ctx, log, tools[0][0], "-print-file-name=lib"+l.lib+".so")
		return err == nil && filepath.IsAbs(out)
	}
	for _, l := range cgoLibs {
		if !have(l) {
			missing, debs = append(missing, l.String()), append(debs, l.deb)
		}
	}
	return buildCheck(cgoBuilt, missing, debs)
}

// buildCheck is checkBuild's verdict on what it did not find.
func buildCheck(cgoBuilt bool, missing, debs []string) check {
	if len(missing) == 0 {
		return check{Name: "build", OK: true,
			Detail: fmt.Sprintf("C compiler, pkg-config and the %d C libraries of the build found", len(cgoLibs))}
	}
	slices.Sort(debs)
	c := check{Name: "build", OK: cgoBuilt, Warning: cgoBuilt,
		Detail:  "cannot find " + strings.Join(missing, ", "),
		Install: "apt-get install -y " + strings.Join(slices.Compact(debs), " ") + " (or " + setupHint + ")"}
	if cgoBuilt {
		c.Detail += "; this binary works, a rebuild fails"
	}
	return c
}

package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// cliBuild is the CLI, built on first use.
var cliBuild testsupport.CLI

// buildCLI builds cmd/lkbrowser once per test run and returns the binary's
// path.
func buildCLI(t *testing.T) string { return cliBuild.Path(t, madeDir) }

// cliResult is the outcome of one run of the lkbrowser command.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs bin with args and the extra environment variables env, with
// TMPDIR set to a fresh directory. Once the command has exited, nothing it
// started may remain: the directory must be empty and no process may mention
// it on its command line.
func runCLI(t *testing.T, bin string, env []string, args ...string) cliResult {
	t.Helper()
	// Not t.TempDir(): Chromium needs a short $TMPDIR (see openEngine in
	// cmd/lkbrowser), and the CLI would fall back to /tmp.
	tmp, err := os.MkdirTemp("", "cli-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append(os.Environ(), "TMPDIR="+tmp), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		res.code = ee.ExitCode()
	default:
		t.Fatalf("lkbrowser %q: %v\nstderr: %s", args, err, res.stderr)
	}
	t.Logf("lkbrowser %q: exit %d\nstdout: %s\nstderr: %s", args, res.code, res.stdout, res.stderr)

	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("lkbrowser %q left files in TMPDIR: %v", args, left)
	}
	// Processes killed at exit may take a moment to disappear. (TestMain's
	// machine-wide count of shared memory is disturbed by other test runs on
	// the machine, so look for the CLI's own segments.)
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		procs, shm := processesMentioning(tmp), shmCreatedBy(cmd.Process.Pid)
		if len(procs) == 0 && len(shm) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("lkbrowser %q left processes %v and shared-memory segments %v", args, procs, shm)
			break
		}
	}
	return res
}

// shmCreatedBy lists the ids of the SysV shared-memory segments that the
// process pid created.
func shmCreatedBy(pid int) []string {
	b, _ := os.ReadFile("/proc/sysvipc/shm")
	var ids []string
	for line := range strings.Lines(string(b)) {
		// key shmid perms size cpid lpid nattch ...
		if f := strings.Fields(line); len(f) > 4 && f[4] == strconv.Itoa(pid) {
			ids = append(ids, f[1])
		}
	}
	return ids
}

// processesMentioning lists the live processes whose command line contains s.
func processesMentioning(s string) []string {
	var found []string
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(s)) {
			found = append(found, filepath.Base(filepath.Dir(f))+": "+string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
		}
	}
	return found
}

// imageColorsMatch is colorsMatch for a decoded image.
func imageColorsMatch(img image.Image) bool {
	d := func(a uint32, b uint8) int { return max(int(a>>8), int(b)) - min(int(a>>8), int(b)) }
	for _, b := range colorBlocks {
		r, g, bl, _ := img.At(b.x, b.y).RGBA()
		if d(r, b.c.r) > 2 || d(g, b.c.g) > 2 || d(bl, b.c.b) > 2 {
			return false
		}
	}
	return true
}

// oneErrorLine checks that stderr is a single line starting with
// "lkbrowser:" and containing every one of want.
func oneErrorLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	line := strings.TrimSuffix(stderr, "\n")
	if line == "" || strings.Contains(line, "\n") || !strings.HasPrefix(line, "lkbrowser: ") {
		t.Errorf("stderr is not one line starting with \"lkbrowser: \": %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("stderr %q does not mention %q", line, w)
		}
	}
}

func TestCLIScreenshot(t *testing.T) {
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "shot.png")
	// Flags after the arguments work too.
	res := runCLI(t, bin, nil, "screenshot", "--width", "320", url("colors.html"), out, "--height=240", "--wait", "200ms")
	if res.code != 0 || res.stdout != "" || res.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and no output", res.code, res.stdout, res.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b != image.Rect(0, 0, 320, 240) {
		t.Fatalf("PNG is %v, want 320x240", b)
	}
	if !imageColorsMatch(img) {
		t.Error("PNG does not show the colour blocks of colors.html")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) > 0 {
		t.Errorf("temporary files left next to the PNG: %v", left)
	}
}

func TestCLIScreenshotErrors(t *testing.T) {
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "shot.png")
	bad := "http://" + closedPort(t) + "/nothing-listens-here"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"ZeroWidth", []string{"--width", "0", url("colors.html"), out}, 2, []string{"width"}},
		{"HugeHeight", []string{url("colors.html"), out, "--height", "5000"}, 2, []string{"height"}},
		{"FTP", []string{"ftp://x", out}, 2, []string{"ftp"}},
		{"BareHost", []string{"example.com", out}, 2, []string{"example.com"}},
		{"MissingArgs", []string{url("colors.html")}, 2, []string{"usage: lkbrowser screenshot"}},
		{"NotPNG", []string{url("colors.html"), filepath.Join(t.TempDir(), "shot.jpg")}, 2, []string{".png"}},
		{"UnknownFlag", []string{"--bogus", url("colors.html"), out}, 2, []string{"--bogus"}},
		{"Unreachable", []string{bad, out}, 1, []string{bad, "ERR_CONNECTION_REFUSED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, bin, nil, append([]string{"screenshot"}, tc.args...)...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d", res.code, tc.code)
			}
			oneErrorLine(t, res.stderr, tc.want...)
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed screenshot wrote %s (stat: %v)", out, err)
			}
		})
	}
}

func TestCLIHelp(t *testing.T) {
	bin := buildCLI(t)
	res := runCLI(t, bin, nil, "help")
	if res.code != 0 || !strings.Contains(res.stdout, "screenshot") || !strings.Contains(res.stdout, "doctor") {
		t.Errorf("help: exit %d, stdout %q", res.code, res.stdout)
	}
	if res = runCLI(t, bin, nil); res.code != 2 || !strings.Contains(res.stderr, "screenshot") {
		t.Errorf("no arguments: exit %d, stderr %q; want 2 and the usage", res.code, res.stderr)
	}
	if res = runCLI(t, bin, nil, "screenshot", "-h"); res.code != 0 || !strings.Contains(res.stdout, "--width") {
		t.Errorf("screenshot -h: exit %d, stdout %q", res.code, res.stdout)
	}
	res = runCLI(t, bin, nil, "frobnicate")
	if res.code != 2 {
		t.Errorf("unknown command: exit %d, want 2", res.code)
	}
	oneErrorLine(t, res.stderr, "frobnicate")
}

// doctorLine returns the line of doctor's output for the check named name.
func doctorLine(out, name string) string {
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 1 && f[1] == name {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func TestCLIDoctor(t *testing.T) {
	bin := buildCLI(t)
	res := runCLI(t, bin, nil, "doctor")
	if res.code != 0 {
		t.Errorf("exit %d, want 0", res.code)
	}
	for _, name := range []string{"chromium", "Xvfb", "cgo", "fonts"} {
		if line := doctorLine(res.stdout, name); !strings.HasPrefix(line, "ok ") {
			t.Errorf("%s: line %q, want it marked ok", name, line)
		}
	}
	if line := doctorLine(res.stdout, "chromium"); !strings.Contains(line, "Chromium") {
		t.Errorf("chromium line %q lacks the version", line)
	}

	res = runCLI(t, bin, []string{"LKBROWSER_XVFB=/nonexistent"}, "doctor")
	if res.code != 1 {
		t.Errorf("missing Xvfb: exit %d, want 1", res.code)
	}
	line := doctorLine(res.stdout, "Xvfb")
	for _, want := range []string{"MISSING ", "/nonexistent", "install: ", "LKBROWSER_XVFB"} {
		if !strings.Contains(line, want) {
			t.Errorf("missing Xvfb: line %q lacks %q", line, want)
		}
	}

	res = runCLI(t, bin, []string{"LKBROWSER_XVFB=/nonexistent"}, "doctor", "--json")
	var checks []struct {
		Name, Detail, Install string
		OK                    bool
	}
	if err := json.Unmarshal([]byte(res.stdout), &checks); err != nil {
		t.Fatalf("doctor --json: %v", err)
	}
	got := map[string]bool{}
	for _, c := range checks {
		got[c.Name] = c.OK
		if !c.OK && c.Install == "" {
			t.Errorf("doctor --json: %s failed without an install hint", c.Name)
		}
	}
	if res.code != 1 || !got["chromium"] || got["Xvfb"] {
		t.Errorf("doctor --json: exit %d, checks %v; want 1, chromium ok, Xvfb not", res.code, got)
	}
}

// pathWithout makes a directory of links to every program on $PATH except
// those named in hide, for a PATH on which they are missing.
func pathWithout(t *testing.T, hide ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if slices.Contains(hide, e.Name()) {
				continue
			}
			// The first directory on PATH wins, as for the shell.
			_ = os.Symlink(filepath.Join(d, e.Name()), filepath.Join(dir, e.Name()))
		}
	}
	for _, h := range hide {
		if p, err := exec.LookPath(h); err != nil {
			t.Fatalf("%s is not installed, so hiding it tests nothing: %v", h, err)
		} else if _, err := os.Lstat(filepath.Join(dir, h)); err == nil {
			t.Fatalf("%s (%s) is still on the new PATH", h, p)
		}
	}
	return dir
}

// doctor on a machine without PulseAudio and without livekit-server: each
// line says so and names the commands it stops; the rest stays ok, and the
// exit status is 1.
func TestCLIDoctorMissingPieces(t *testing.T) {
	bin := buildCLI(t)
	env := []string{"PATH=" + pathWithout(t, "pulseaudio"),
		// livekit-server is also looked for where setup.sh installs it,
		// whatever PATH says: name a binary that is not there.
		"LKBROWSER_LIVEKIT_SERVER=/nonexistent/livekit-server"}
	res := runCLI(t, bin, env, "doctor")
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	for name, want := range map[string][]string{
		"pulseaudio":     {"MISSING ", "pulseaudio on $PATH", "affects: record, publish and worker without --no-audio", "install: apt-get install -y pulseaudio"},
		"livekit-server": {"MISSING ", "/nonexistent/livekit-server", "affects: publish without --livekit-url", "install: "},
	} {
		line := doctorLine(res.stdout, name)
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: line %q lacks %q", name, line, w)
			}
		}
	}
	for _, name := range []string{"chromium", "Xvfb", "cgo", "fonts", "build"} {
		if line := doctorLine(res.stdout, name); !strings.HasPrefix(line, "ok ") {
			t.Errorf("%s: line %q, want it ok with only PulseAudio and livekit-server hidden", name, line)
		}
	}
	oneErrorLine(t, res.stderr, "2 of 9 checks failed")

	// As the lines say, a screenshot needs neither.
	out := filepath.Join(t.TempDir(), "shot.png")
	if res := runCLI(t, bin, env, "screenshot", "--width", "320", "--height", "240", url("colors.html"), out); res.code != 0 || res.stderr != "" {
		t.Errorf("screenshot without PulseAudio: exit %d, stderr %q; want 0 and no output", res.code, res.stderr)
	}
}

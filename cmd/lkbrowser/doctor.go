package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/lkserver"
)

const doctorHelp = `Checks that everything lkbrowser's commands need is installed: Chromium,
Xvfb, a capture build with cgo, fonts and shared memory (every command that
opens a page), PulseAudio (sound), livekit-server (publish's local server),
and the C compiler and libraries a rebuild needs. Prints one line per check;
for what is missing, which commands it stops and how to install it. Exits 0
when every required check passes (warnings do not count), 1 otherwise.`

// setupHint installs every dependency on Debian.
const setupHint = "bash scripts/setup.sh"

// check is the result of one doctor check.
type check struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Warning bool   `json:"warning,omitempty"` // OK, but may cause trouble
	Detail  string `json:"detail"`
	Affects string `json:"affects"` // the commands that need it
	Install string `json:"install"` // how to fix it; empty when OK
}

// pageCommands open pages: they need Chromium, Xvfb, the cgo capture,
// fonts and shared memory.
const pageCommands = "screenshot, record, publish, worker"

// affects names, for each check, the commands that fail without it.
var affects = map[string]string{
	"chromium":       pageCommands,
	"Xvfb":           pageCommands,
	"cgo":            pageCommands,
	"fonts":          pageCommands,
	"sysv-shm":       pageCommands,
	"/dev/shm":       pageCommands,
	"pulseaudio":     "record, publish and worker without --no-audio",
	"livekit-server": "publish without --livekit-url",
	"build":          "rebuilding lkbrowser (go build, go run, go test)",
}

// withAffects fills in each check's Affects.
func withAffects(checks []check) []check {
	for i := range checks {
		checks[i].Affects = affects[checks[i].Name]
	}
	return checks
}

func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("doctor")
	asJSON := fs.Bool("json", false, "print a JSON array of {name, ok, warning, detail, install}")
	verbose := fs.Bool("verbose", false, "log what happens to stderr")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(stdout, fs, "[flags]", doctorHelp)
		return err
	}
	if err != nil {
		return usageErrorf("doctor: %v (run 'lkbrowser help doctor')", err)
	}
	if len(pos) != 0 {
		return usageErrorf("doctor: takes no arguments, got %q", pos)
	}
	log := newLogger(*verbose, stderr)

	cgo := checkCgo()
	checks := withAffects([]check{checkChromium(ctx, log), checkXvfb(), cgo, checkFonts(ctx, log), checkSysVShm(), checkDevShm(),
		checkPulseAudio(ctx, log), checkLiveKitServer(ctx, log), checkBuild(ctx, log, cgo.OK)})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(checks); err != nil {
			return err
		}
	} else {
		printChecks(stdout, checks)
	}
	failed := 0
	for _, c := range checks {
		if !c.OK {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("doctor: %d of %d checks failed", failed, len(checks))
	}
	return nil
}

func printChecks(w io.Writer, checks []check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	for _, c := range checks {
		status := "ok"
		switch {
		case !c.OK:
			status = "MISSING"
		case c.Warning:
			status = "WARN"
		}
		line := fmt.Sprintf("%-7s %-*s  %s", status, width, c.Name, c.Detail)
		if status != "ok" && c.Affects != "" {
			line += "  affects: " + c.Affects
		}
		if c.Install != "" {
			line += "  install: " + c.Install
		}
		fmt.Fprintln(w, line)
	}
}

// notFound turns a resolve error into a failed check, with the library's
// install hint when it has one.
func notFound(name string, err error, hint string) check {
	c := check{Name: name, Detail: strings.TrimPrefix(err.Error(), "lkbrowser: "), Install: hint}
	var nf *lkbrowser.NotFoundError
	if errors.As(err, &nf) {
		c.Detail = "not found (searched: " + strings.Join(nf.Searched, ", ") + ")"
		c.Install = nf.Install
	}
	return c
}

func checkChromium(ctx context.Context, log *slog.Logger) check {
	path, err := lkbrowser.ResolveChromium("", "")
	if err != nil {
		return notFound("chromium", err, "apt-get install -y chromium (or "+setupHint+")")
	}
	return versionCheck(ctx, log, "chromium", path, "apt-get install --reinstall -y chromium (or fix $"+lkbrowser.EnvChromium+")")
}

// versionCheck is the check of a program found at path: ok with the
// version it prints, failed with reinstall as the fix when it cannot.
func versionCheck(ctx context.Context, log *slog.Logger, name, path, reinstall string) check {
	out, err := output(ctx, log, path, "--version")
	if err != nil {
		return check{Name: name, Detail: path + ": --version failed: " + err.Error(), Install: reinstall}
	}
	return check{Name: name, OK: true, Detail: fmt.Sprintf("%s (%s)", path, oneLine(out, 200))}
}

func checkXvfb() check {
	path, err := lkbrowser.ResolveXvfb("")
	if err != nil {
		return notFound("Xvfb", err, "apt-get install -y xvfb (or "+setupHint+")")
	}
	return check{Name: "Xvfb", OK: true, Detail: path}
}

func checkPulseAudio(ctx context.Context, log *slog.Logger) check {
	path, err := lkbrowser.ResolvePulseAudio("")
	if err != nil {
		c := notFound("pulseaudio", err, "")
		c.Detail += "; pages have no sound"
		c.Install = "apt-get install -y pulseaudio (or " + setupHint + "), or run with --no-audio"
		return c
	}
	return versionCheck(ctx, log, "pulseaudio", path, "apt-get install --reinstall -y pulseaudio (or fix $"+lkbrowser.EnvPulseAudio+")")
}

func checkLiveKitServer(ctx context.Context, log *slog.Logger) check {
	path, err := lkserver.FindBinary()
	if err != nil {
		c := check{Name: "livekit-server", Detail: err.Error(), Install: setupHint + " (or set $" + lkserver.EnvBinary + ")"}
		var ni *lkserver.NotInstalledError
		if errors.As(err, &ni) {
			c.Detail = "not found (looked for " + strings.Join(ni.Searched, ", ") + ")"
		}
		return c
	}
	return versionCheck(ctx, log, "livekit-server", path, setupHint+" (or fix $"+lkserver.EnvBinary+")")
}

// checkCgo reports whether this binary has the cgo frame capture; without
// cgo every page fails to open.
func checkCgo() check {
	c := check{Name: "cgo", Detail: "built with CGO_ENABLED=0: frame capture is unavailable",
		Install: "rebuild with CGO_ENABLED=1 (needs gcc and the libxcb headers: " + setupHint + ")"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		c.Detail = "no build information in this binary"
		return c
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" && s.Value == "1" {
			return check{Name: "cgo", OK: true, Detail: "built with CGO_ENABLED=1 (XShm capture)"}
		}
	}
	return c
}

const dejavuDir = "/usr/share/fonts/truetype/dejavu"

func checkFonts(ctx context.Context, log *slog.Logger) check {
	if out, err := output(ctx, log, "fc-list"); err == nil && out != "" {
		return check{Name: "fonts", OK: true, Detail: fmt.Sprintf("%d fonts (fc-list)", strings.Count(out, "\n")+1)}
	}
	if st, err := os.Stat(dejavuDir); err == nil && st.IsDir() {
		return check{Name: "fonts", OK: true, Detail: dejavuDir}
	}
	return check{Name: "fonts", Detail: "fc-list lists no fonts and " + dejavuDir + " is missing",
		Install: "apt-get install -y fonts-dejavu-core (or " + setupHint + ")"}
}

// minShm is the shared memory a large page needs: one 4096x4096 BGRX frame
// buffer is 64 MiB, and a page keeps four.
const minShm = 64 << 20

// checkSysVShm checks the System V shared memory that frame capture (XShm)
// uses. Small limits are a warning: they only hurt large pages.
func checkSysVShm() check {
	c := check{Name: "sysv-shm", Install: "a kernel with System V IPC (CONFIG_SYSVIPC); in a container, do not disable IPC"}
	shmmax, err := readUint("/proc/sys/kernel/shmmax")
	if err != nil {
		c.Detail = "unavailable: " + err.Error()
		return c
	}
	shmall, err := readUint("/proc/sys/kernel/shmall") // in pages
	if err != nil {
		c.Detail = "unavailable: " + err.Error()
		return c
	}
	total := shmall * uint64(os.Getpagesize())
	if shmall > 0 && total/shmall != uint64(os.Getpagesize()) { // overflow: no real limit
		total = ^uint64(0)
	}
	c = check{Name: "sysv-shm", OK: true, Detail: fmt.Sprintf("shmmax %s, shmall %s", size(shmmax), size(total))}
	if shmmax < minShm || total < 4*minShm {
		c.Warning = true
		c.Detail += "; warning: large pages may fail (want shmmax >= 64 MiB, shmall >= 256 MiB)"
		c.Install = "sysctl -w kernel.shmmax=1073741824 kernel.shmall=1048576"
	}
	return c
}

// checkDevShm checks /dev/shm, where Chromium keeps its own shared memory.
func checkDevShm() check {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil {
		return check{Name: "/dev/shm", Detail: "unavailable: " + err.Error(),
			Install: "mount -t tmpfs -o size=512m tmpfs /dev/shm"}
	}
	free := st.Bavail * uint64(st.Bsize)
	c := check{Name: "/dev/shm", OK: true, Detail: size(free) + " free"}
	if free < 4*minShm {
		c.Warning = true
		c.Detail += "; warning: Chromium may run out of shared memory (want >= 256 MiB)"
		c.Install = "mount -o remount,size=512m /dev/shm (docker: --shm-size=512m)"
	}
	return c
}

// output runs a program for at most 10 seconds and returns its trimmed
// standard output. The program's whole process group is killed on timeout.
func output(ctx context.Context, log *slog.Logger, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	log.Debug("running", "cmd", cmd.String())
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, oneLine(string(ee.Stderr), 200))
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", err, ctx.Err())
		}
		log.Debug("failed", "cmd", cmd.String(), "err", err)
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// oneLine joins the lines of s and cuts the result to at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n-3] + "..."
	}
	return s
}

func readUint(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// size formats a byte count for people.
func size(n uint64) string {
	switch {
	case n >= 1<<50:
		return "unlimited"
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	default:
		return fmt.Sprintf("%d MiB", n>>20)
	}
}

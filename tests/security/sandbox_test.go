package security

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// nobody is the unprivileged user the sandbox test runs Chromium as.
const nobody = 65534

// chromiumArgs returns the command line of a page's browser process.
func chromiumArgs(t *testing.T, p *lkbrowser.Page) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.Processes().Browser))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// sandboxed reports whether every renderer runs in Chromium's sandbox: a
// seccomp filter and a user namespace of its own.
func sandboxed(rs []procInfo, browserNS string) bool {
	if len(rs) == 0 {
		return false
	}
	for _, r := range rs {
		if r.Seccomp != "2" || r.UserNS == "" || r.UserNS == browserNS {
			return false
		}
	}
	return true
}

// Run as root, the engine warns (once) that Chromium goes without its
// sandbox, and Chromium gets --no-sandbox: its renderers run unconfined.
func TestRootHasNoSandboxAndIsWarned(t *testing.T) {
	if os.Geteuid() != 0 {
		p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
		if args := chromiumArgs(t, p); slices.Contains(args, "--no-sandbox") {
			t.Fatalf("not root, yet Chromium runs with --no-sandbox: %q", args)
		}
		return
	}
	var logs testsupport.SyncBuffer
	log := slog.New(slog.NewTextHandler(io.MultiWriter(&logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, _ := ownEngine(t, lkbrowser.Options{Logger: log, NoAudio: true})
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0xff, 0, 0})
	var warnings []string
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "sandbox") {
			warnings = append(warnings, strings.TrimSpace(line))
		}
	}
	if len(warnings) != 1 {
		t.Errorf("want one warning about the sandbox, got %d:\n%s", len(warnings), logs.String())
	} else {
		t.Logf("logged: %s", warnings[0])
	}
	if args := chromiumArgs(t, p); !slices.Contains(args, "--no-sandbox") {
		t.Errorf("root, yet Chromium runs without --no-sandbox (it cannot start so): %q", args)
	}
	ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", p.Processes().Browser))
	rs := renderers(p.Processes().Browser)
	t.Logf("as root: renderers %+v, browser user namespace %s", rs, ns)
	if sandboxed(rs, ns) {
		t.Errorf("with --no-sandbox the renderers look sandboxed: the check below would prove nothing")
	}
}

// Run as a normal user, Chromium keeps its sandbox: a helper process
// running as nobody opens a page, which renders, and reports Chromium's
// command line (no --no-sandbox) and its renderers (seccomp filter, user
// namespace of their own).
func TestSandboxKeptForNormalUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start a helper as another user; as a normal user TestRootHasNoSandboxAndIsWarned checks the flag")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary sits in a directory only root may enter: copy it
	// where nobody can run it, with a working directory of its own.
	dir, err := os.MkdirTemp("", "lkb-sandbox-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "security.test")
	src, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, bin, work} {
		if err := os.Chmod(p, map[bool]os.FileMode{true: 0o700, false: 0o755}[p == work]); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(work, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	h := startHelper(t, helperSpec{
		exe: bin, job: "sandbox", dir: work,
		env:  []string{"HOME=" + work, "TMPDIR=" + work, "XDG_RUNTIME_DIR=" + work},
		cred: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}},
	})
	r := h.wait(t, 2*time.Minute)
	t.Logf("helper as uid %d: rendered %v, renderers %+v, browser user namespace %s", r.UID, r.Rendered, r.Renderers, r.BrowserUserNS)
	if r.Log != "" {
		t.Logf("helper log:\n%s", r.Log)
	}
	if r.UID != nobody {
		t.Fatalf("the helper ran as uid %d", r.UID)
	}
	if strings.Contains(r.Error, "No usable sandbox") {
		// Chromium's namespace sandbox needs unprivileged user namespaces
		// (Debian ships no setuid sandbox helper); this kernel refuses them.
		t.Skipf("Chromium's sandbox cannot work on this machine (%s): %s", usernsSettings(), r.Error)
	}
	if r.Error != "" {
		t.Fatalf("the page did not open as nobody: %s", r.Error)
	}
	if !r.Rendered {
		t.Fatal("the page did not render")
	}
	if slices.Contains(r.Cmdline, "--no-sandbox") {
		t.Errorf("Chromium runs with --no-sandbox as a normal user: %q", r.Cmdline)
	}
	if !sandboxed(r.Renderers, r.BrowserUserNS) {
		t.Errorf("renderers not sandboxed (want seccomp 2 and a user namespace of their own): %+v", r.Renderers)
	}
	if strings.Contains(r.Log, "sandbox") {
		t.Errorf("a normal user is warned about the sandbox:\n%s", r.Log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case <-h.done:
	case <-ctx.Done():
		t.Error("the helper did not exit")
	}
}

// usernsSettings describes the kernel settings that allow or forbid
// unprivileged user namespaces.
func usernsSettings() string {
	var parts []string
	for _, f := range []string{"/proc/sys/kernel/unprivileged_userns_clone", "/proc/sys/user/max_user_namespaces",
		"/proc/sys/kernel/apparmor_restrict_unprivileged_userns"} {
		if b, err := os.ReadFile(f); err == nil {
			parts = append(parts, filepath.Base(f)+"="+strings.TrimSpace(string(b)))
		}
	}
	return strings.Join(parts, ", ")
}

package security

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// pageDir returns the runtime directory of page p of the package's engine.
func pageDir(t *testing.T, root string, p *lkbrowser.Page) string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "page-"+strconv.Itoa(p.ID())))
	if len(dirs) != 1 {
		t.Fatalf("page %d's directory under %s: found %v", p.ID(), root, dirs)
	}
	return dirs[0]
}

// xdpyinfo runs xdpyinfo on display with the Xauthority file auth.
func xdpyinfo(t *testing.T, display, auth string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("xdpyinfo")
	if err != nil {
		t.Skip("xdpyinfo (x11-utils) is not installed; run scripts/setup.sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-display", display)
	cmd.Env = append(os.Environ(), "XAUTHORITY="+auth)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Each page's Xvfb takes only clients with its cookie: another local
// client without it is refused; with the page's cookie file it connects.
// The cookie files are 0600 in 0700 directories.
func TestXvfbNeedsTheCookie(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0xff, 0, 0})

	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.Processes().Display))
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	if !slices.Contains(args, "-auth") || slices.Contains(args, "-ac") {
		t.Errorf("Xvfb runs without -auth or with -ac: %q", args)
	}
	if i := slices.Index(args, "-nolisten"); i < 0 || i+1 >= len(args) || args[i+1] != "tcp" {
		t.Errorf("Xvfb listens on TCP: %q", args)
	}

	dir := pageDir(t, engineDir, p)
	for _, f := range []string{"xvfb.auth", "client.auth"} {
		checkMode(t, filepath.Join(dir, f), 0o600)
	}
	checkMode(t, dir, 0o700)
	checkMode(t, filepath.Dir(dir), 0o700)

	out, err := xdpyinfo(t, p.Display(), "/dev/null")
	if err == nil {
		t.Errorf("xdpyinfo without the cookie connected to %s:\n%.300s", p.Display(), out)
	} else {
		t.Logf("without the cookie: %v: %s", err, strings.TrimSpace(out))
	}
	// A cookie of the right form but the wrong value is refused too.
	wrong := filepath.Join(t.TempDir(), "wrong.auth")
	xauth := exec.Command("xauth", "-f", wrong, "add", p.Display(), "MIT-MAGIC-COOKIE-1", strings.Repeat("ab", 16))
	if xout, err := xauth.CombinedOutput(); err != nil {
		t.Fatalf("xauth add: %v: %s", err, xout)
	}
	if out, err := xdpyinfo(t, p.Display(), wrong); err == nil {
		t.Errorf("xdpyinfo with a wrong cookie connected:\n%.300s", out)
	}
	out, err = xdpyinfo(t, p.Display(), filepath.Join(dir, "client.auth"))
	if err != nil {
		t.Fatalf("xdpyinfo with the page's cookie: %v\n%s", err, out)
	}
	if want := "dimensions:    321x241 pixels"; !strings.Contains(out, want) {
		t.Errorf("xdpyinfo with the cookie does not show %q:\n%.500s", want, out)
	}
}

// checkMode fails the test unless path has permission bits want.
func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}

// freeDisplayFrom returns the first display number from n on with
// neither a lock file nor a socket.
func freeDisplayFrom(n int) int {
	for ; ; n++ {
		_, e1 := os.Lstat(fmt.Sprintf("/tmp/.X%d-lock", n))
		_, e2 := os.Lstat(fmt.Sprintf("/tmp/.X11-unix/X%d", n))
		if os.IsNotExist(e1) && os.IsNotExist(e2) {
			return n
		}
	}
}

// A display number held by someone else, through an X lock file or a
// listening socket without one (as seen from another network namespace),
// is skipped, and the other's files stay untouched.
func TestForeignDisplaysAreSkipped(t *testing.T) {
	// The number the engine takes next: the one a page gets now.
	probe := openPage(t, lkbrowser.PageOptions{URL: "about:blank", Width: 64, Height: 64})
	first, err := strconv.Atoi(strings.TrimPrefix(probe.Display(), ":"))
	if err != nil {
		t.Fatal(err)
	}
	probe.Close()

	locked := freeDisplayFrom(first)
	lockPath := fmt.Sprintf("/tmp/.X%d-lock", locked)
	lockText := fmt.Sprintf("%10d\n", os.Getpid()) // alive: this process
	if err := os.WriteFile(lockPath, []byte(lockText), 0o444); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(lockPath) })
	socketed := freeDisplayFrom(locked + 1)
	sockPath := fmt.Sprintf("/tmp/.X11-unix/X%d", socketed)
	if err := os.MkdirAll("/tmp/.X11-unix", 0o1777); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", sockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("foreign"))
			c.Close()
		}
	}()
	before, err := os.Stat(sockPath)
	if err != nil {
		t.Fatal(err)
	}

	p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#00ff00"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0, 0xff, 0})
	t.Logf("next free display :%d; foreign lock on :%d, foreign socket on :%d; the page got %s", first, locked, socketed, p.Display())
	if p.Display() == fmt.Sprintf(":%d", locked) || p.Display() == fmt.Sprintf(":%d", socketed) {
		t.Fatalf("the page took display %s, which is in use", p.Display())
	}
	if b, err := os.ReadFile(lockPath); err != nil || string(b) != lockText {
		t.Errorf("the foreign lock file changed: %q, %v", b, err)
	}
	after, err := os.Stat(sockPath)
	if err != nil || !os.SameFile(before, after) {
		t.Fatalf("the foreign socket %s was replaced or removed: %v", sockPath, err)
	}
	c, err := net.DialTimeout("unix", sockPath, 5*time.Second)
	if err != nil {
		t.Fatalf("the foreign socket no longer answers: %v", err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got, _ := io.ReadAll(c); string(got) != "foreign" {
		t.Errorf("the foreign socket answered %q", got)
	}
}

// Two engines in two processes, one of them in another network namespace
// (where Xvfb's own check sees no display in use), open pages at the same
// time: every page gets a display of its own, and every page renders.
func TestEnginesInTwoProcessesNeverShareADisplay(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare command (util-linux)")
	}
	env := []string{"LKBROWSER_SECURITY_HELPER_PAGES=2"}
	a := startHelper(t, helperSpec{exe: exe, job: "pages", dir: t.TempDir(), env: env})
	// The same binary in a network namespace of its own (-n: a new one).
	wrap := []string{unshare, "-n"}
	if os.Geteuid() != 0 {
		wrap = []string{unshare, "-n", "-r"}
	}
	b := startHelper(t, helperSpec{exe: exe, job: "pages", dir: t.TempDir(), env: env, wrap: wrap})
	ra, rb := a.wait(t, 2*time.Minute), b.wait(t, 2*time.Minute)
	for _, r := range []helperResult{ra, rb} {
		if r.Error != "" || !r.Rendered {
			t.Fatalf("helper: %+v", r)
		}
	}
	all := append(slices.Clone(ra.Displays), rb.Displays...)
	t.Logf("displays: this namespace %v, another namespace %v", ra.Displays, rb.Displays)
	seen := map[string]bool{}
	for _, d := range all {
		if seen[d] {
			t.Fatalf("display %s given to two pages at once: %v and %v", d, ra.Displays, rb.Displays)
		}
		seen[d] = true
	}
	a.finish(t)
	b.finish(t)
}

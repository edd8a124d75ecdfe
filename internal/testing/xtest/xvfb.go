// Package xtest starts private Xvfb servers for tests, each with its own
// MIT-MAGIC-COOKIE-1, killed when the test ends.
package xtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/xauth"
)

// Xvfb is a running test X server.
type Xvfb struct {
	Display string // e.g. ":7"
	Cookie  []byte // its MIT-MAGIC-COOKIE-1
	Auth    string // an Xauthority file holding Cookie
	Cmd     *exec.Cmd
	once    sync.Once
}

// Kill kills the server and reaps it; it is idempotent.
func (x *Xvfb) Kill() {
	x.once.Do(func() {
		x.Cmd.Process.Kill()
		x.Cmd.Wait()
	})
}

// Env returns DISPLAY and XAUTHORITY settings for a client of the server.
func (x *Xvfb) Env() []string {
	return []string{"DISPLAY=" + x.Display, "XAUTHORITY=" + x.Auth}
}

// Start starts "Xvfb -displayfd 3 -auth <file> -screen 0 WxHxdepth" with a
// fresh cookie (Xvfb picks a free display number) and kills it when the test
// ends. It skips the test if Xvfb is not installed.
func Start(tb testing.TB, w, h, depth int) *Xvfb {
	tb.Helper()
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		tb.Skip("Xvfb not on PATH (scripts/setup.sh installs it)")
	}
	dir := tb.TempDir()
	cookie, err := xauth.NewCookie()
	if err != nil {
		tb.Fatal(err)
	}
	auth := filepath.Join(dir, "Xauthority")
	if err := xauth.WriteAuthority(auth, "", cookie); err != nil {
		tb.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "xvfb.log"))
	if err != nil {
		tb.Fatal(err)
	}
	defer logf.Close()
	r, wp, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(bin, "-displayfd", "3", "-auth", auth,
		"-screen", "0", fmt.Sprintf("%dx%dx%d", w, h, depth), "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{wp} // fd 3 in the child
	cmd.Stdout, cmd.Stderr = logf, logf
	err = cmd.Start()
	wp.Close()
	if err != nil {
		tb.Fatal(err)
	}
	x := &Xvfb{Cookie: cookie, Auth: auth, Cmd: cmd}
	tb.Cleanup(x.Kill)
	// Xvfb writes the display number once it accepts connections.
	r.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(r).ReadString('\n')
	if _, perr := strconv.Atoi(strings.TrimSpace(line)); err != nil || perr != nil {
		x.Kill()
		log, _ := os.ReadFile(logf.Name())
		tb.Fatalf("Xvfb did not report a display (%q, %v); log:\n%s", line, err, log)
	}
	x.Display = ":" + strings.TrimSpace(line)
	return x
}

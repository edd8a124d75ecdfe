package lkbrowser

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/xauth"
	"github.com/lkbrowser/lkbrowser/internal/xrandr"
)

// display is a page's private Xvfb server. Only clients holding its
// MIT-MAGIC-COOKIE-1 may connect (it runs with -auth, never -ac), and its
// display number is held through an X lock file (displaylock.go), so
// displays of other programs or other engines, in any network namespace,
// never collide with it.
type display struct {
	proc       *proc.Process
	name       string // e.g. ":12"
	cookie     []byte
	clientAuth string       // Xauthority file for clients (Chromium)
	lock       *displayLock // holds the display number (displaylock.go)
}

// startDisplay starts Xvfb for a w x h page of at most fps frames a
// second, keeping its files in dir.
//
// The screen is one pixel wider and taller than the page: without a window
// manager Chromium sizes its kiosk window one pixel smaller than the screen
// in each direction, so this makes the window exactly w x h at 0,0. Capture
// covers the page's w x h only.
//
// The display refreshes fps times a second (setRefresh), so that Chromium,
// which paces its frames by the display's refresh rate, draws no more
// frames than the capture takes.
func startDisplay(ctx context.Context, e *Engine, dir string, w, h, fps int) (*display, error) {
	cookie, err := xauth.NewCookie()
	if err != nil {
		return nil, err
	}
	serverAuth := filepath.Join(dir, "xvfb.auth")
	if err := xauth.WriteAuthority(serverAuth, "", cookie); err != nil {
		return nil, fmt.Errorf("lkbrowser: write X authority: %w", err)
	}
	// A number found free may still be busy in this network namespace (a
	// server without a lock file): Xvfb then exits at once, and the next
	// free number is tried.
	var d *display
	for from, attempt := displayBase, 1; ; attempt++ {
		lock, err := lockDisplayNumber(from)
		if err != nil {
			return nil, fmt.Errorf("lkbrowser: %w", err)
		}
		var busy bool
		d, busy, err = runXvfb(ctx, e, dir, serverAuth, lock.num, w, h)
		if err == nil {
			d.lock, d.cookie = lock, cookie
			break
		}
		lock.release()
		if !busy || attempt == 8 {
			return nil, err
		}
		from = lock.num + 1
	}
	num := strconv.Itoa(d.lock.num)
	d.clientAuth = filepath.Join(dir, "client.auth")
	if err := xauth.WriteAuthority(d.clientAuth, num, cookie); err != nil {
		_ = d.close()
		return nil, fmt.Errorf("lkbrowser: write X authority: %w", err)
	}
	d.setRefresh(e, fps)
	return d, nil
}

// chromiumRefresh is the rate Chromium assumes for a display that reports
// none, as a fresh Xvfb does.
const chromiumRefresh = 60

// minRefresh is the lowest refresh rate a display gets. Chromium handles
// mouse moves (hover, the cursor image) and wheel events once per frame: a
// page of 1 frame a second on a 1 Hz display would answer a hover a second
// late.
const minRefresh = 30

// refreshFor returns the display refresh rate for a page of at most fps
// frames a second: the smallest multiple of fps that is at least
// minRefresh, so that captured frames fall on painted ones (a 25 fps page
// gets 50 Hz, not 30 Hz and an uneven cadence), or 0 (leave Chromium's
// default) when that is not below chromiumRefresh.
func refreshFor(fps int) int {
	if fps <= 0 {
		return 0
	}
	hz := fps * ((minRefresh + fps - 1) / fps)
	if hz >= chromiumRefresh {
		return 0
	}
	return hz
}

// setRefresh gives the display the refresh rate refreshFor(fps) through
// RandR, so that Chromium, which paces its frames by it, draws no more
// frames than the capture takes. Measured at 30 fps (docs/benchmarks.md):
// Chromium uses about half the CPU it uses at 60 Hz for the same page; the
// price is latency, Chromium's pipeline being about a frame long: paint to
// capture 47 ms instead of 32 ms for a moving box at 1280x720. Without it
// the page still works, at the default rate: a failure is only logged.
func (d *display) setRefresh(e *Engine, fps int) {
	hz := refreshFor(fps)
	if hz == 0 {
		return
	}
	if err := xrandr.SetRefresh(d.name, d.cookie, hz); err != nil {
		e.log.Warn("display refresh rate not set; Chromium draws at 60 Hz", "display", d.name, "hz", hz, "err", err)
	}
}

// runXvfb starts Xvfb on display num and waits until it accepts
// connections. busy reports a start that failed because the number is in
// use.
func runXvfb(ctx context.Context, e *Engine, dir, serverAuth string, num, w, h int) (_ *display, busy bool, _ error) {
	r, wr, err := os.Pipe()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	cmd := exec.Command(e.xvfb,
		":"+strconv.Itoa(num),
		"-displayfd", "3", // to say when it is ready
		"-auth", serverAuth,
		"-screen", "0", fmt.Sprintf("%dx%dx24", w+1, h+1),
		"-nolisten", "tcp",
		"-noreset",
		"-dpi", "96",
	)
	cmd.ExtraFiles = []*os.File{wr}
	cmd.Dir = dir
	p, err := proc.Start("Xvfb", cmd, e.log)
	wr.Close()
	if err != nil {
		return nil, false, &ProcessError{Process: "Xvfb", Err: err}
	}
	got, err := readDisplayNumber(ctx, r, p)
	if err == nil && got != strconv.Itoa(num) {
		err = fmt.Errorf("started on display :%s, not :%d", got, num)
	}
	if err != nil {
		_ = p.Stop(time.Second)
		return nil, ctx.Err() == nil && displayBusy(p.Output()), &ProcessError{Process: "Xvfb", Err: err, Output: p.Output()}
	}
	return &display{proc: p, name: ":" + got}, false, nil
}

// readDisplayNumber reads the line Xvfb writes to -displayfd once it accepts
// connections.
func readDisplayNumber(ctx context.Context, r *os.File, p *proc.Process) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{line, err}
	}()
	select {
	case res := <-ch:
		num := strings.TrimSpace(res.line)
		if _, err := strconv.Atoi(num); err != nil {
			return "", fmt.Errorf("no display number (exited early?): %v", res.err)
		}
		return num, nil
	case <-p.Done():
		return "", fmt.Errorf("exited at start-up: %v", p.ExitErr())
	case <-ctx.Done():
		// Closing r unblocks the reader goroutine.
		r.Close()
		return "", ctx.Err()
	}
}

// close stops Xvfb and gives its display number back.
func (d *display) close() error {
	err := d.proc.Stop(time.Second)
	if d.lock != nil {
		err = errors.Join(err, d.lock.release())
	}
	return err
}

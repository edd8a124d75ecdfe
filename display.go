package lkbrowser

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/xauth"
)

// display is a page's private Xvfb server. Only clients holding its
// MIT-MAGIC-COOKIE-1 may connect (it runs with -auth, never -ac), and Xvfb
// picks a free display number itself (-displayfd), so displays of other
// programs or other engines never collide with it.
type display struct {
	proc       *proc.Process
	name       string // e.g. ":12"
	cookie     []byte
	clientAuth string // Xauthority file for clients (Chromium)
}

// startDisplay starts Xvfb for a w x h page, keeping its files in dir.
//
// The screen is one pixel wider and taller than the page: without a window
// manager Chromium sizes its kiosk window one pixel smaller than the screen
// in each direction, so this makes the window exactly w x h at 0,0. Capture
// covers the page's w x h only.
func startDisplay(ctx context.Context, e *Engine, dir string, w, h int) (*display, error) {
	cookie, err := xauth.NewCookie()
	if err != nil {
		return nil, err
	}
	serverAuth := filepath.Join(dir, "xvfb.auth")
	if err := xauth.WriteAuthority(serverAuth, "", cookie); err != nil {
		return nil, fmt.Errorf("lkbrowser: write X authority: %w", err)
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(e.xvfb,
		"-displayfd", "3",
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
		return nil, &ProcessError{Process: "Xvfb", Err: err}
	}
	d := &display{proc: p, cookie: cookie}
	num, err := readDisplayNumber(ctx, r, p)
	if err != nil {
		_ = p.Stop(time.Second)
		return nil, &ProcessError{Process: "Xvfb", Err: err, Output: p.Output()}
	}
	d.name = ":" + num
	d.clientAuth = filepath.Join(dir, "client.auth")
	if err := xauth.WriteAuthority(d.clientAuth, num, cookie); err != nil {
		_ = p.Stop(time.Second)
		return nil, fmt.Errorf("lkbrowser: write X authority: %w", err)
	}
	return d, nil
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

// close stops Xvfb.
func (d *display) close() error {
	return d.proc.Stop(time.Second)
}

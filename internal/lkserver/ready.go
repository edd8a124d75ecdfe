package lkserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
)

// DefaultStartTimeout bounds the wait for a server to get ready when the
// context given to Start or Restart has no deadline.
const DefaultStartTimeout = 60 * time.Second

// pollInterval is the pause between health checks.
const pollInterval = 50 * time.Millisecond

// waitReady polls url until it answers 200, p exits, or ctx is done.
func waitReady(ctx context.Context, p *proc.Process, url string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultStartTimeout)
		defer cancel()
	}
	// No proxy (the health check is local), no kept-alive connections.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	last := "no answer yet"
	for {
		if ok, status := healthy(ctx, client, url); ok {
			return nil
		} else if status != "" {
			last = status
		}
		timer := time.NewTimer(pollInterval)
		select {
		case <-p.Done():
			timer.Stop()
			return fmt.Errorf("exited before getting ready (%v)", exitStatus(p))
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("not ready (last health check: %s): %w", last, ctx.Err())
		case <-timer.C:
		}
	}
}

// healthy reports whether one GET of url answers 200, and otherwise what it
// answered.
func healthy(ctx context.Context, client *http.Client, url string) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}

// exitStatus describes how p exited.
func exitStatus(p *proc.Process) string {
	if err := p.ExitErr(); err != nil {
		return err.Error()
	}
	return "exit status 0"
}

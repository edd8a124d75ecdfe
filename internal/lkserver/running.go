package lkserver

import (
	"log/slog"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
)

const (
	// termWait is how long the server gets after the first SIGTERM. It then
	// stops at once when no participant is connected; otherwise it waits
	// for them to leave until a second SIGTERM forces it.
	termWait = time.Second
	// killWait is how long the server gets after the second SIGTERM before
	// its process group is killed.
	killWait = 5 * time.Second
)

// running is one livekit-server process and the goroutine that reports its
// unexpected exit.
type running struct {
	p        *proc.Process
	stopping atomic.Bool
	watched  chan struct{} // closed when the watcher has returned
}

// startRunning starts cmd through internal/proc (own process group,
// Pdeathsig, output kept) and watches for its exit.
func startRunning(cmd *exec.Cmd, log *slog.Logger) (*running, error) {
	p, err := proc.Start("livekit-server", cmd, log)
	if err != nil {
		return nil, err
	}
	r := &running{p: p, watched: make(chan struct{})}
	go func() {
		defer close(r.watched)
		<-p.Done()
		if !r.stopping.Load() {
			log.Warn("livekit-server exited", "pid", p.Pid(), "err", p.ExitErr(), "output", p.Output())
		}
	}()
	return r, nil
}

// stop ends the process group: SIGTERM to the server, then a second
// SIGTERM (livekit-server's "force") and finally SIGKILL to the group.
func (r *running) stop() error {
	r.stopping.Store(true)
	select {
	case <-r.p.Done():
	default:
		_ = syscall.Kill(r.p.Pid(), syscall.SIGTERM)
		select {
		case <-r.p.Done():
		case <-time.After(termWait):
		}
	}
	err := r.p.Stop(killWait)
	<-r.watched
	return err
}

// kill ends the process group of a server that never got ready: SIGTERM,
// and SIGKILL soon after.
func (r *running) kill() error {
	r.stopping.Store(true)
	err := r.p.Stop(termWait)
	<-r.watched
	return err
}

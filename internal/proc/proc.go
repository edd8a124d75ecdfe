// Package proc supervises the child processes of lkbrowser (Xvfb, Chromium):
// each runs in its own process group and dies with this process (spawn.go),
// its output is kept in a bounded tail for error messages, and Stop ends the
// whole group, gracefully first.
package proc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is one supervised child process and its process group.
type Process struct {
	name string
	cmd  *exec.Cmd
	tail *tail
	done chan struct{}
	err  error // result of Wait, valid once done is closed

	stopOnce sync.Once
	stopErr  error
}

// Start starts cmd in a new process group that is killed when this process
// dies: the leader gets SIGKILL as its parent-death signal, and the process
// is forked from a thread that lives as long as this process (see spawn.go),
// so that signal fires when this process dies and not before. The caller
// must not have set cmd.Stdout, cmd.Stderr or cmd.SysProcAttr.Setpgid.
func Start(name string, cmd *exec.Cmd, log *slog.Logger) (*Process, error) {
	p := &Process{name: name, cmd: cmd, tail: newTail(4096, name, log), done: make(chan struct{})}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.Stdout = p.tail
	cmd.Stderr = p.tail
	// Grandchildren may keep the output pipe open after the leader exits;
	// do not let them delay the exit report.
	cmd.WaitDelay = 500 * time.Millisecond
	if err := spawn(cmd); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Name returns the name given to Start.
func (p *Process) Name() string { return p.name }

// Pid returns the process id, which is also the process group id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitErr returns the result of waiting for the process; valid after Done.
func (p *Process) ExitErr() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Output returns the last few KiB the process wrote to stdout and stderr.
func (p *Process) Output() string { return p.tail.String() }

// Stop sends SIGTERM to the process group, waits up to grace for the leader to
// exit, then sends SIGKILL to the group and waits for the leader. Stop is
// idempotent and safe for concurrent use. An exit caused by Stop's signals is
// not an error.
func (p *Process) Stop(grace time.Duration) error {
	p.stopOnce.Do(func() {
		pgid := p.cmd.Process.Pid
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(grace):
			}
		}
		// Kill what is left of the group, also when the leader is gone.
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			p.stopErr = fmt.Errorf("kill %s: %w", p.name, err)
		}
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.stopErr = errors.Join(p.stopErr, fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, pgid))
		}
	})
	return p.stopErr
}

// tail is an io.Writer that keeps the last max bytes written and logs each
// write at debug level.
type tail struct {
	mu   sync.Mutex
	buf  []byte
	max  int
	name string
	log  *slog.Logger
}

func newTail(max int, name string, log *slog.Logger) *tail {
	return &tail{max: max, name: name, log: log}
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.mu.Unlock()
	if t.log != nil && t.log.Enabled(context.Background(), slog.LevelDebug) {
		t.log.Debug("child output", "process", t.name, "text", string(b))
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

package lkserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// startAttempts bounds the starts with freshly picked ports when a picked
// port was taken by someone else in the meantime.
const startAttempts = 3

// Server is a running livekit-server.
type Server struct {
	cfg     Config // with defaults
	binary  string
	dir     string
	madeDir bool
	config  string // path of the config file
	ports   ports
	log     *slog.Logger

	mu       sync.Mutex
	run      *running // nil when stopped
	closed   bool
	closeErr error
}

// Start starts livekit-server as cfg describes and waits until it answers
// its health check (HTTP 200 on /), until ctx is done, or DefaultStartTimeout
// when ctx has no deadline. A server that fails to start is stopped and the
// error, a *StartError, holds the tail of its output. A missing binary is an
// error matching ErrNotInstalled.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	bin, err := findBinary(cfg.Binary)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, binary: bin, dir: cfg.Dir, log: cfg.Logger.With("process", "livekit-server")}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "lkbrowser-livekit-"); err != nil {
			return nil, fmt.Errorf("lkserver: make directory: %w", err)
		}
		s.madeDir = true
	} else if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("lkserver: make directory: %w", err)
	}
	for attempt := 1; ; attempt++ {
		err = s.configure()
		if err == nil {
			err = s.start(ctx)
		}
		if err == nil {
			return s, nil
		}
		var se *StartError
		if attempt < startAttempts && ctx.Err() == nil && s.portsPicked() &&
			errors.As(err, &se) && strings.Contains(se.Output, "address already in use") {
			s.log.Info("livekit-server: a picked port was taken; retrying with other ports", "attempt", attempt)
			continue
		}
		return nil, errors.Join(err, s.removeDir())
	}
}

// configure picks the ports and writes the config file.
func (s *Server) configure() error {
	p, err := pickPorts(s.cfg)
	if err != nil {
		return err
	}
	path, err := writeConfig(s.dir, newServerConfig(s.cfg, p))
	if err != nil {
		return err
	}
	s.ports, s.config = p, path
	return nil
}

// portsPicked reports whether any port was chosen by pickPorts rather than
// configured.
func (s *Server) portsPicked() bool {
	return s.cfg.Port == 0 || s.cfg.RTCPort == 0 || s.ports.tcp != s.cfg.RTCPort+1
}

// start starts the process on the current config and waits until it is
// ready; on success s.run is set.
func (s *Server) start(ctx context.Context) error {
	began := time.Now()
	cmd := exec.Command(s.binary, "--config", s.config)
	cmd.Dir = s.dir
	cmd.Env = serverEnv(os.Environ())
	r, err := startRunning(cmd, s.log)
	if err != nil {
		return &StartError{Binary: s.binary, Err: err}
	}
	if err := waitReady(ctx, r.p, s.healthURL()); err != nil {
		stopErr := r.kill()
		return &StartError{Binary: s.binary, Err: errors.Join(err, stopErr), Output: r.p.Output()}
	}
	s.run = r
	s.log.Info("livekit-server ready", "url", s.URL(), "pid", r.p.Pid(), "udp_port", s.ports.udp,
		"tcp_port", s.ports.tcp, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// serverEnv returns env without the variables livekit-server reads as
// config (LIVEKIT_*, and its flags' NODE_IP, UDP_PORT, REDIS_HOST,
// REDIS_PASSWORD), which would override the config file.
func serverEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "LIVEKIT_"),
			name == "NODE_IP", name == "UDP_PORT", name == "REDIS_HOST", name == "REDIS_PASSWORD":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// hostPort returns the signal address clients use.
func (s *Server) hostPort() string {
	return net.JoinHostPort(s.cfg.urlHost(), strconv.Itoa(s.ports.signal))
}

// healthURL returns the URL of the health check.
func (s *Server) healthURL() string { return "http://" + s.hostPort() + "/" }

// URL returns the server's signal URL, ws://<first bind address>:<port>.
func (s *Server) URL() string { return "ws://" + s.hostPort() }

// APIKey returns the server's API key.
func (s *Server) APIKey() string { return s.cfg.APIKey }

// APISecret returns the server's API secret.
func (s *Server) APISecret() string { return s.cfg.APISecret }

// Dir returns the directory that holds the server's config file.
func (s *Server) Dir() string { return s.dir }

// Pid returns the process id of the running server, 0 when it is not
// running (after Close, or after a failed Restart).
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run == nil {
		return 0
	}
	return s.run.p.Pid()
}

// Output returns the last few KiB the current server process wrote.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run == nil {
		return ""
	}
	return s.run.p.Output()
}

// Restart stops the server process (SIGTERM, then SIGKILL; connected
// clients are dropped) and starts it again on the same ports, keys and
// config, waiting until it is ready as Start does.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.run != nil {
		err := s.run.stop()
		s.run = nil
		if err != nil {
			return fmt.Errorf("lkserver: restart: %w", err)
		}
	}
	s.log.Info("livekit-server restarting")
	return s.start(ctx)
}

// Close stops the server's process group and removes its directory if Start
// made it. It is idempotent: later calls return the first call's result.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closeErr
	}
	s.closed = true
	var errs []error
	if s.run != nil {
		errs = append(errs, s.run.stop())
		s.run = nil
	}
	errs = append(errs, s.removeDir())
	s.closeErr = errors.Join(errs...)
	return s.closeErr
}

// removeDir removes the directory if Start made it.
func (s *Server) removeDir() error {
	if !s.madeDir {
		return nil
	}
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("lkserver: remove directory: %w", err)
	}
	return nil
}

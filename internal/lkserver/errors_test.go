package lkserver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestNotInstalled(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-livekit-server")
	check := func(t *testing.T, cfg Config, names ...string) {
		t.Helper()
		s, err := Start(context.Background(), cfg)
		if err == nil {
			s.Close()
			t.Fatal("Start succeeded without a binary")
		}
		if !errors.Is(err, ErrNotInstalled) {
			t.Errorf("error %v does not match ErrNotInstalled", err)
		}
		for _, want := range append(names, "bash scripts/setup.sh") {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		}
	}
	t.Run("configured", func(t *testing.T) {
		check(t, Config{Binary: missing}, missing)
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv(EnvBinary, missing)
		check(t, Config{}, EnvBinary, missing)
	})
	t.Run("nowhere", func(t *testing.T) {
		t.Setenv(EnvBinary, "")
		t.Setenv("PATH", t.TempDir())
		saved := installedBinary
		installedBinary = missing
		defer func() { installedBinary = saved }()
		check(t, Config{}, EnvBinary, "PATH", missing)
	})
}

// fakeServer writes a shell script that stands in for livekit-server.
func fakeServer(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fake-livekit-server")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// A server that exits at once: the error holds its output, the directory
// is removed, nothing is left running.
func TestStartFailureReportsOutput(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dirs := t.TempDir()
	t.Setenv("TMPDIR", dirs)
	bin := fakeServer(t, `echo "could not parse config: bad things in $2" >&2; exit 0`)
	_, err := Start(context.Background(), Config{Binary: bin})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("error %v, want a *StartError", err)
	}
	if !strings.Contains(err.Error(), "could not parse config: bad things in") ||
		!strings.Contains(err.Error(), configFileName) {
		t.Errorf("error %q lacks the server's output", err)
	}
	if left, _ := os.ReadDir(dirs); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}

// A server that never gets ready: Start gives up when ctx ends and stops
// the whole process group.
func TestStartTimeoutStopsProcessGroup(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	pidFile := filepath.Join(t.TempDir(), "pid")
	// A child that ignores SIGTERM must be killed with the group.
	bin := fakeServer(t, `trap '' TERM; sleep 300 & echo $! > `+pidFile+`; echo waiting; wait`)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := Start(ctx, Config{Binary: bin})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting") {
		t.Fatalf("error %v, want a deadline with the output", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range strings.TrimSpace(string(b)) {
		pid = pid*10 + int(c-'0')
	}
	if err := processAlive(pid); err == nil {
		t.Errorf("child %d of the fake server still alive", pid)
	}
}

// processAlive returns nil when pid is a live (not zombie) process.
func processAlive(pid int) error {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return err
	}
	// Fields after the command (in parentheses): state, ...
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) && s[i+2] == 'Z' {
		return errors.New("zombie")
	}
	return nil
}

// Start and Close leave no goroutine of this package behind.
func TestNoGoroutineLeak(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := startServer(t, nsConfig(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{BindAddresses: []string{"localhost"}},
		{NodeIP: "node"},
		{Port: 70000},
		{RTCPort: -1},
	} {
		if s, err := Start(context.Background(), cfg); err == nil {
			s.Close()
			t.Errorf("Start(%+v) succeeded", cfg)
		}
	}
}

// The variables livekit-server reads as config never reach it.
func TestServerEnv(t *testing.T) {
	got := serverEnv([]string{"PATH=/bin", "LIVEKIT_CONFIG=port: 1", "LIVEKIT_KEYS=a: b", "NODE_IP=1.2.3.4",
		"UDP_PORT=1", "REDIS_HOST=r:6379", "REDIS_PASSWORD=x", "HOME=/root", "MY_LIVEKIT_THING=1"})
	want := []string{"PATH=/bin", "HOME=/root", "MY_LIVEKIT_THING=1"}
	if !jsonEqual(got, want) {
		t.Errorf("serverEnv = %v, want %v", got, want)
	}
}

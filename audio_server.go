package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/pulsecap"
)

// EnvPulseAudio names the PulseAudio executable lkbrowser runs.
const EnvPulseAudio = "LKBROWSER_PULSEAUDIO"

// ResolvePulseAudio finds the PulseAudio executable: the explicit path if
// given, then $LKBROWSER_PULSEAUDIO, then pulseaudio on $PATH.
func ResolvePulseAudio(explicit string) (string, error) {
	if explicit != "" {
		return checkExecutable("pulseaudio", explicit, "Options.PulseAudioPath")
	}
	if env := os.Getenv(EnvPulseAudio); env != "" {
		return checkExecutable("pulseaudio", env, "$"+EnvPulseAudio)
	}
	if p, err := exec.LookPath("pulseaudio"); err == nil {
		return p, nil
	}
	return "", &NotFoundError{Program: "pulseaudio",
		Searched: []string{"Options.PulseAudioPath (unset)", "$" + EnvPulseAudio + " (unset)", "pulseaudio on $PATH"},
		Install:  "apt-get install -y pulseaudio (or bash scripts/setup.sh), or set Options.NoAudio"}
}

// soundServer is the engine's private PulseAudio server: its own runtime
// directory and socket, no D-Bus, nothing from the user's session. Each page
// plays into a null sink of its own on it.
type soundServer struct {
	proc    *proc.Process
	dir     string
	address string // "unix:<dir>/native"
	ctl     *pulsecap.Ctl
}

// sound returns the engine's sound server, starting it (again, if it died)
// when needed.
func (e *Engine) sound(ctx context.Context) (*soundServer, error) {
	e.soundMu.Lock()
	defer e.soundMu.Unlock()
	if s := e.soundSrv; s != nil {
		select {
		case <-s.proc.Done():
			e.log.Warn("sound server had exited; starting a new one")
			s.close()
			e.soundSrv = nil
		default:
			return s, nil
		}
	}
	s, err := e.startSound(ctx)
	if err != nil {
		return nil, err
	}
	e.soundSrv = s
	return s, nil
}

func (e *Engine) startSound(ctx context.Context) (*soundServer, error) {
	bin, err := ResolvePulseAudio(e.opts.PulseAudioPath)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(e.root, "pulse-")
	if err != nil {
		return nil, fmt.Errorf("%w: runtime dir: %v", ErrAudio, err)
	}
	sock := filepath.Join(dir, "native")
	if len(sock) > 100 { // unix socket paths hold 108 bytes
		os.RemoveAll(dir)
		if dir, err = shortTempDir(dir, "lkb-pulse-"); err != nil { // linked from the runtime dir
			return nil, fmt.Errorf("%w: runtime dir: %v", ErrAudio, err)
		}
		sock = filepath.Join(dir, "native")
	}
	// PulseAudio lowers its file limit to 256, which about 24 pages exhaust
	// (each costs some 10 descriptors) long before its 64-client limit.
	// Chromium plays at the server's default rate, 44.1 kHz unless told
	// otherwise, into the pages' 48 kHz sinks: PulseAudio then resamples
	// every stream (speex-float-1). At 48 kHz it only converts float to
	// 16-bit.
	conf := filepath.Join(dir, "daemon.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("rlimit-nofile = 4096\ndefault-sample-rate = %d\n", AudioSampleRate)), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w: daemon.conf: %v", ErrAudio, err)
	}
	cmd := exec.Command(bin, "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
		"--use-pid-file=no", "--disallow-module-loading=no", "--log-target=stderr",
		"-L", "module-native-protocol-unix socket="+sock+" auth-anonymous=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PULSE_RUNTIME_PATH="+dir, "PULSE_STATE_PATH="+dir, "HOME="+dir, "PULSE_CONFIG="+conf,
		"XDG_CONFIG_HOME="+dir, "DBUS_SESSION_BUS_ADDRESS=disabled:", "DISPLAY=")
	p, err := proc.Start("pulseaudio", cmd, e.log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, &ProcessError{Process: "pulseaudio", Err: err}
	}
	s := &soundServer{proc: p, dir: dir, address: "unix:" + sock}
	// Wait for the socket to take connections.
	for {
		ctl, err := pulsecap.Dial(s.address, time.Second)
		if err == nil {
			s.ctl = ctl
			break
		}
		select {
		case <-ctx.Done():
			s.close()
			return nil, ctx.Err()
		case <-p.Done():
			s.close()
			return nil, &ProcessError{Process: "pulseaudio", Err: fmt.Errorf("exited at start-up: %v", p.ExitErr()), Output: p.Output()}
		case <-time.After(20 * time.Millisecond):
		}
	}
	e.log.Info("sound server started", "address", s.address)
	return s, nil
}

// close stops the server and removes its files.
func (s *soundServer) close() error {
	var errs []error
	if s.ctl != nil {
		errs = append(errs, s.ctl.Close())
	}
	errs = append(errs, s.proc.Stop(time.Second), os.RemoveAll(s.dir))
	return errors.Join(errs...)
}

// closeSound stops the engine's sound server, if it runs.
func (e *Engine) closeSound() error {
	e.soundMu.Lock()
	defer e.soundMu.Unlock()
	if e.soundSrv == nil {
		return nil
	}
	err := e.soundSrv.close()
	e.soundSrv = nil
	if err != nil {
		return fmt.Errorf("stop sound server: %w", err)
	}
	return nil
}

// SoundServerPID returns the process id of the engine's PulseAudio server,
// or 0 when none runs (no page with sound yet, or Options.NoAudio).
func (e *Engine) SoundServerPID() int {
	e.soundMu.Lock()
	defer e.soundMu.Unlock()
	if e.soundSrv == nil {
		return 0
	}
	return e.soundSrv.proc.Pid()
}

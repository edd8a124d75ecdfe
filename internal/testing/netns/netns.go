package netns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
)

// Addr is the namespace's non-loopback IPv4 address, on lkt0 (prefix /24).
const Addr = "198.18.0.1"

// Names of the veth pair made inside the namespace.
const (
	Veth     = "lkt0" // holds Addr
	VethPeer = "lkt1"
)

// envParent is set in the re-executed child's environment to the network
// namespace of the parent ("net:[inode]"). A child that finds itself still
// in that namespace refuses to touch the interfaces, so a stray copy of the
// variable can never make Enter reconfigure the host's network.
const envParent = "LKBROWSER_NETNS_PARENT"

// ErrUnavailable is matched by the errors of Enter when a network namespace
// cannot be made here (no unshare or ip command, no privileges).
var ErrUnavailable = errors.New("netns: cannot create a private network namespace")

// Inside reports whether this process runs inside a namespace made by Enter.
func Inside() bool {
	parent := os.Getenv(envParent)
	if parent == "" {
		return false
	}
	self, err := currentNS()
	return err == nil && self != parent
}

// Enter runs this program inside a fresh network namespace; Main wraps it
// for TestMain.
//
// Outside such a namespace it re-executes this program with the same
// arguments under `unshare --net` (plus --user --map-root-user when not
// root), forwards stdin, stdout and stderr and the signals SIGINT, SIGTERM,
// SIGQUIT and SIGHUP, and returns (false, the child's exit code, nil): the
// caller exits with that code. The child is killed if this process dies.
//
// Inside (in the re-executed child) it brings lo up, makes the veth pair
// Veth/VethPeer with Addr/24 on Veth, both up, and returns (true, 0, nil).
//
// On error code is 1, for the caller to exit with after reporting err.
func Enter() (inside bool, code int, err error) {
	self, err := currentNS()
	if err != nil {
		return false, 1, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if parent := os.Getenv(envParent); parent != "" {
		if parent == self {
			return false, 1, fmt.Errorf("netns: %s is set but this process is still in the parent's network namespace %s; refusing to configure it", envParent, self)
		}
		if err := setup(); err != nil {
			return true, 1, err
		}
		return true, 0, nil
	}
	code, err = reexec(self)
	if err != nil {
		return false, 1, err
	}
	return false, code, nil
}

// Main runs the program inside the namespace and never returns: outside
// it, it re-runs this binary inside a new namespace and exits with that
// run's code; inside, it exits with run's result. A test binary calls it
// as TestMain's body; errors go to stderr with a non-zero exit.
func Main(run func() int) {
	inside, code, err := Enter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "netns:", err)
		os.Exit(max(code, 1))
	}
	if !inside {
		os.Exit(code)
	}
	os.Exit(run())
}

// currentNS returns this process's network namespace as "net:[inode]".
func currentNS() (string, error) {
	ns, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		return "", fmt.Errorf("read network namespace: %w", err)
	}
	return ns, nil
}

// unshareArgs returns the unshare options that make a new network namespace
// for this user.
func unshareArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--net"}
	}
	return []string{"--net", "--user", "--map-root-user"}
}

// reexec runs this program again under unshare with the marker set and
// returns its exit code.
func reexec(parentNS string) (int, error) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return 0, fmt.Errorf("%w: no unshare command (util-linux; run `bash scripts/setup.sh`): %v", ErrUnavailable, err)
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return 0, fmt.Errorf("%w: no ip command (iproute2; run `bash scripts/setup.sh`): %v", ErrUnavailable, err)
	}
	// Probe once, so that missing privileges come back as an error rather
	// than as the child's exit code.
	probe := exec.Command(unshare, append(unshareArgs(), "--", ip, "link", "set", "lo", "up")...)
	if out, err := probe.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%w: %s: %v: %s", ErrUnavailable, strings.Join(probe.Args, " "), err, strings.TrimSpace(string(out)))
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("netns: find this executable: %w", err)
	}

	args := append(unshareArgs(), "--", exe)
	cmd := exec.Command(unshare, append(args, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envParent+"="+parentNS)
	// unshare execs the program in place, so the child is the program
	// itself and gets the forwarded signals directly. Pdeathsig fires when
	// the thread that started the child exits: keep this goroutine on its
	// thread until the child is gone (golang/go#27505).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("netns: start %s: %w", unshare, err)
	}
	done := make(chan struct{})
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	<-forwarded
	return exitCode(cmd, err)
}

// exitCode turns the result of cmd.Wait into an exit code: the child's own,
// or 128+signal when a signal ended it.
func exitCode(cmd *exec.Cmd, err error) (int, error) {
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return 0, fmt.Errorf("netns: wait for the namespaced child: %w", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return cmd.ProcessState.ExitCode(), nil
}

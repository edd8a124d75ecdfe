package room

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// cliBuild is the CLI, built on first use.
var cliBuild testsupport.CLI

// cliBinary builds cmd/lkbrowser once per test run and returns its path.
func cliBinary(tb testing.TB) string { return cliBuild.Path(tb, tmpDir) }

// cliProcess is a running `lkbrowser publish`.
type cliProcess struct {
	cmd    *exec.Cmd
	lines  chan string // stdout lines
	stderr *strings.Builder
	mu     sync.Mutex
	done   chan struct{}
}

// startCLI starts the CLI with args and extra environment variables.
func startCLI(tb testing.TB, env []string, args ...string) *cliProcess {
	tb.Helper()
	return startProcess(tb, cliBinary(tb), env, args...)
}

// startProcess starts bin with args and extra environment variables; it
// is killed at the end of the test.
func startProcess(tb testing.TB, bin string, env []string, args ...string) *cliProcess {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := &cliProcess{cmd: cmd, lines: make(chan string, 100), stderr: &strings.Builder{}, done: make(chan struct{})}
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.stderr.Write(b)
	})
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		close(p.lines)
	}()
	go func() { cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// line waits for a stdout line starting with prefix and returns the rest.
func (p *cliProcess) line(tb testing.TB, prefix string, d time.Duration) string {
	tb.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				<-p.done
				tb.Fatalf("lkbrowser exited before printing %q: %v\nstderr:\n%s", prefix, p.cmd.ProcessState, p.errors())
			}
			if rest, found := strings.CutPrefix(l, prefix); found {
				return strings.TrimSpace(rest)
			}
		case <-timeout:
			tb.Fatalf("no %q line from lkbrowser after %v\nstderr:\n%s", prefix, d, p.errors())
		}
	}
}

// interrupt sends SIGINT and returns the exit code (-1 if it did not exit
// within d).
func (p *cliProcess) interrupt(d time.Duration) int {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		return -1
	}
}

func (p *cliProcess) errors() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

var _ io.Writer = writerFunc(nil)

// Without livekit-server installed, publish says how to install it.
func TestPublishWithoutServerBinary(t *testing.T) {
	cmd := exec.Command(cliBinary(t), "publish", "--viewer-addr", "off", web.URL+"/page.html")
	cmd.Env = append(os.Environ(), "LKBROWSER_LIVEKIT_SERVER=/nonexistent/livekit-server")
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("exit %v (%v), want 1; output:\n%s", cmd.ProcessState, err, out)
	}
	if !strings.Contains(string(out), "scripts/setup.sh") {
		t.Fatalf("the error does not name the setup command:\n%s", out)
	}
	t.Logf("error: %s", strings.TrimSpace(string(out)))
}

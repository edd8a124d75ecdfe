package scaleout

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/internal/lkserver"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
)

// Colours of testdata/page.html, and where to look for them.
var (
	red  = [3]int{0xe0, 0x10, 0x10}
	blue = [3]int{0x10, 0x40, 0xe0}
)

const colourTol = 28

// testPage is the page the tests dispatch: small, to spare the two cores.
func testPage() dispatch.Page {
	return dispatch.Page{URL: web.URL + "/page.html", Width: 320, Height: 180, FrameRate: 10, NoAudio: true}
}

// startServer starts a livekit-server reachable inside the namespace;
// with redis set it is one node of a cluster sharing that Redis.
func startServer(t *testing.T, redis string) *lkserver.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := lkserver.Start(ctx, lkserver.Config{
		BindAddresses: []string{"127.0.0.1", netns.Addr},
		NodeIP:        netns.Addr,
		Interfaces:    []string{"lo", netns.Veth},
		APISecret:     strings.Repeat("scaleout", 6), // shared by the nodes of a cluster
		Redis:         redis,
		Logger:        testLog,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("livekit-server close: %v", err)
		}
	})
	return srv
}

// startRedis starts Debian's redis-server on a free loopback port, without
// persistence, and returns its address.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed: run `bash scripts/setup.sh`")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", t.TempDir(), "--loglevel", "warning")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if redisPing(addr) {
			return addr
		}
		select {
		case <-done:
			t.Fatalf("redis-server exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server not answering PING on %s: %s", addr, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// redisPing reports whether Redis at addr answers PING.
func redisPing(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// workerProc is a running `lkbrowser worker`.
type workerProc struct {
	name    string
	cmd     *exec.Cmd
	lines   chan string
	mu      sync.Mutex
	output  strings.Builder // stdout and stderr
	done    chan struct{}
	metrics string // URL of /metrics
}

// startWorker starts `lkbrowser worker` named name on srv and waits until
// it registered.
func startWorker(t *testing.T, srv *lkserver.Server, name string, capacity int, extra ...string) *workerProc {
	t.Helper()
	// A worker blocks private addresses unless its own flags allow them:
	// the test pages' server on loopback is allowed explicitly.
	args := append([]string{"worker", "--livekit-url", srv.URL(), "--api-key", srv.APIKey(), "--name", name,
		"--capacity", strconv.Itoa(capacity), "--metrics-addr", "127.0.0.1:0", "--no-audio", "--report-cpu=false",
		"--allow-host", strings.TrimPrefix(web.URL, "http://")}, extra...)
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		args = append(args, "--verbose")
	}
	cmd := exec.Command(cliPath, args...)
	cmd.Env = append(os.Environ(), "LIVEKIT_API_SECRET="+srv.APISecret())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &workerProc{name: name, cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.output.Write(b)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.mu.Lock()
			w.output.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
			select {
			case w.lines <- sc.Text():
			default:
			}
		}
		close(w.lines)
	}()
	go func() { cmd.Wait(); close(w.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-w.done
		if t.Failed() {
			t.Logf("worker %s output:\n%s", name, w.text())
		}
	})
	w.metrics = w.line(t, "metrics: ", 60*time.Second)
	w.line(t, "registered ", 60*time.Second)
	return w
}

// line waits for a stdout line starting with prefix and returns the rest.
func (w *workerProc) line(t *testing.T, prefix string, d time.Duration) string {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				<-w.done
				t.Fatalf("worker %s exited (%v) before printing %q; output:\n%s", w.name, w.cmd.ProcessState, prefix, w.text())
			}
			if rest, found := strings.CutPrefix(l, prefix); found {
				return strings.TrimSpace(rest)
			}
		case <-timeout:
			t.Fatalf("no %q line from worker %s after %v; output:\n%s", prefix, w.name, d, w.text())
		}
	}
}

// text returns the worker's output so far.
func (w *workerProc) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.output.String()
}

// exit waits up to d for the worker to exit and returns its exit code (-1
// when it did not).
func (w *workerProc) exit(d time.Duration) int {
	select {
	case <-w.done:
		return w.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		return -1
	}
}

// scrape fetches the worker's metrics.
func (w *workerProc) scrape(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(w.metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %v", w.metrics, resp.Status, err)
	}
	return string(b)
}

// metric returns the value of the sample of name whose labels contain
// every one of labels (`room="x"`), and whether there is one.
func metric(text, name string, labels ...string) (float64, bool) {
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, name+" ") && !strings.HasPrefix(l, name+"{") {
			continue
		}
		ok := true
		for _, lab := range labels {
			ok = ok && strings.Contains(l, lab)
		}
		if !ok {
			continue
		}
		f := strings.Fields(l)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			return v, true
		}
	}
	return 0, false
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// newClient returns a dispatch client on srv.
func newClient(t *testing.T, srv *lkserver.Server, mod func(*dispatch.Config)) *dispatch.Client {
	t.Helper()
	cfg := dispatch.Config{URL: srv.URL(), APIKey: srv.APIKey(), APISecret: srv.APISecret(), Logger: testLog,
		AcceptTimeout: 20 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := dispatch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// place dispatches the test page into room and closes it at the end.
func place(t *testing.T, c *dispatch.Client, room string) *dispatch.Dispatch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	began := time.Now()
	d, err := c.Start(ctx, room, testPage())
	if err != nil {
		t.Fatalf("dispatch into %s: %v", room, err)
	}
	t.Logf("%s: published by %s in %v", room, d.Worker(), time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { d.Close() })
	return d
}

// subscribe joins room on srv as a viewer that decodes the video.
func subscribe(t *testing.T, srv *lkserver.Server, room, identity string) *roomtest.Subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := roomtest.Join(ctx, srv.URL(), srv.APIKey(), srv.APISecret(), room, identity)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// waitVideo waits up to d for more than `after` decoded frames and the
// page's colours in the latest picture.
func waitVideo(t *testing.T, sub *roomtest.Subscriber, after int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if sub.Frames() > after+2 {
			if img := sub.Picture(); img != nil && img.Width == 320 {
				r1, g1, b1 := roomtest.RGB(img, 80, 75)
				r2, g2, b2 := roomtest.RGB(img, 240, 75)
				if roomtest.Near(r1, g1, b1, red[0], red[1], red[2], colourTol) &&
					roomtest.Near(r2, g2, b2, blue[0], blue[1], blue[2], colourTol) {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no video of the page after %v (frames %d, more than %d wanted)", d, sub.Frames(), after+2)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

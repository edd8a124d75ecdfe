package tests

// Tests of PageOptions.DevTools: the page's Chrome DevTools Protocol endpoint
// is off by default, listens on 127.0.0.1 only, and lets chromedp's remote
// allocator and Playwright's connectOverCDP drive the page without harming it.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// devtoolsPage opens tests/testdata/devtools.html and waits until it is
// loaded and drawn: a red button (20,20)-(220,100) and the text "waiting".
func devtoolsPage(t *testing.T, opts lkbrowser.PageOptions) *lkbrowser.Page {
	t.Helper()
	opts.URL = url("devtools.html")
	opts.Width, opts.Height = 640, 480
	p := openPage(t, opts)
	// Poll until the document is devtools.html, fully loaded.
	loaded := fmt.Sprintf(`location.href === %q && document.readyState === "complete" && document.getElementById("out") ? document.getElementById("out").textContent : location.href + " " + document.readyState`, opts.URL)
	evalUntil(t, p, 30*time.Second, loaded, "waiting")
	waitFrame(t, p, 20*time.Second, buttonIs(rgb{255, 0, 0})).Release()
	return p
}

// buttonIs reports whether the frame shows the button of devtools.html in c.
func buttonIs(c rgb) func(*lkbrowser.Frame) bool {
	return func(f *lkbrowser.Frame) bool { return near(f, 30, 30, c, 2) && near(f, 210, 90, c, 2) }
}

// devtoolsPort returns the port of p.DevToolsURL(), which must be
// http://127.0.0.1:PORT.
func devtoolsPort(t *testing.T, p *lkbrowser.Page) int {
	t.Helper()
	u := p.DevToolsURL()
	rest, ok := strings.CutPrefix(u, "http://127.0.0.1:")
	port, err := strconv.Atoi(rest)
	if !ok || err != nil || port <= 0 || port > 65535 {
		t.Fatalf("DevToolsURL() = %q, want http://127.0.0.1:PORT", u)
	}
	return port
}

// checkPageStillWorks verifies through the lkbrowser API, after a DevTools
// client clicked once and went away, that the page lives on: it shows
// wantText, the green button reaches the Frames channel, the layout size is
// untouched, lkbrowser's own input still works and no crash was reported.
func checkPageStillWorks(t *testing.T, p *lkbrowser.Page, wantText string) {
	t.Helper()
	evalUntil(t, p, 20*time.Second, `document.getElementById("out").textContent`, wantText)
	if got := testsupport.EvalAs[string](t, p, `location.href`); got != url("devtools.html") {
		t.Errorf("location.href = %q after the client left, want %q", got, url("devtools.html"))
	}
	waitFrame(t, p, 20*time.Second, buttonIs(rgb{0, 255, 0})).Release()
	if got := testsupport.EvalAs[[]int](t, p, `[innerWidth, innerHeight]`); !slices.Equal(got, []int{p.Width(), p.Height()}) {
		t.Errorf("viewport %v after the client left, want [%d %d]", got, p.Width(), p.Height())
	}
	// lkbrowser's own input still reaches the page: a second click.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Click(ctx, 120, 60); err != nil {
		t.Fatalf("Click after the client left: %v", err)
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(wantText, "clicked "))
	evalUntil(t, p, 20*time.Second, `document.getElementById("out").textContent`, fmt.Sprintf("clicked %d", n+1))
	// The page must not have crashed or closed meanwhile.
	for {
		select {
		case ev, open := <-p.Events():
			if !open {
				t.Fatal("page events closed after the DevTools client left")
			}
			switch ev.(type) {
			case *lkbrowser.Crashed, *lkbrowser.Closed:
				t.Fatalf("page event %s after the DevTools client left", describe(ev))
			}
		default:
			return
		}
	}
}

// evalUntil polls expr until it equals want; a loaded machine can take a
// while to load or repaint a page.
func evalUntil[T comparable](t *testing.T, p *lkbrowser.Page, timeout time.Duration, expr string, want T) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := testsupport.EvalAs[T](t, p, expr)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v after %v, want %v", expr, got, timeout, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// --- Sockets of a page's Chromium, from /proc ---

// tcpListener is a listening TCP socket from /proc/net/tcp or tcp6.
type tcpListener struct {
	file  string // "tcp" or "tcp6"
	ip    net.IP
	port  int
	inode string
}

func (l tcpListener) String() string {
	return fmt.Sprintf("%s %s inode %s", l.file, net.JoinHostPort(l.ip.String(), strconv.Itoa(l.port)), l.inode)
}

// listeners returns the machine's listening TCP sockets (of this network
// namespace).
func listeners(t *testing.T) []tcpListener {
	t.Helper()
	var out []tcpListener
	for _, file := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile("/proc/net/" + file)
		if err != nil {
			if file == "tcp6" && errors.Is(err, os.ErrNotExist) {
				continue // IPv6 disabled
			}
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for _, line := range lines[1:] {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: TCP_LISTEN
				continue
			}
			ip, port, err := parseProcAddr(f[1])
			if err != nil {
				t.Fatalf("/proc/net/%s: %q: %v", file, line, err)
			}
			out = append(out, tcpListener{file: file, ip: ip, port: port, inode: f[9]})
		}
	}
	return out
}

// parseProcAddr parses a local_address of /proc/net/tcp{,6}: the address as
// 32-bit words printed in hex in the host's byte order, a colon, and the port
// in hex, e.g. "0100007F:1F90" for 127.0.0.1:8080 on a little-endian host.
func parseProcAddr(s string) (net.IP, int, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok || (len(a) != 8 && len(a) != 32) {
		return nil, 0, fmt.Errorf("bad address %q", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, err
	}
	ip := make(net.IP, len(a)/2)
	for i := 0; i < len(a); i += 8 {
		w, err := strconv.ParseUint(a[i:i+8], 16, 32)
		if err != nil {
			return nil, 0, err
		}
		binary.NativeEndian.PutUint32(ip[i/2:], uint32(w))
	}
	return ip, int(port), nil
}

// processGroup returns the live processes of process group pgid.
func processGroup(pgid int) []int {
	var pids []int
	for _, i := range proc.Group(pgid) {
		pids = append(pids, i.PID)
	}
	return pids
}

// socketInodes returns the inodes of the sockets that pids have open.
func socketInodes(pids []int) map[string]bool {
	inodes := map[string]bool{}
	for _, pid := range pids {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err != nil {
				continue
			}
			if ino, ok := strings.CutPrefix(link, "socket:["); ok {
				inodes[strings.TrimSuffix(ino, "]")] = true
			}
		}
	}
	return inodes
}

// chromiumListeners returns the TCP sockets on which the page's Chromium (any
// process of its process group) listens.
func chromiumListeners(t *testing.T, p *lkbrowser.Page) []tcpListener {
	t.Helper()
	pgid := p.Processes().Browser
	group := processGroup(pgid)
	if !slices.Contains(group, pgid) {
		t.Fatalf("Chromium %d is not the leader of its process group (members %v)", pgid, group)
	}
	inodes := socketInodes(group)
	if len(inodes) == 0 {
		// Chromium always has sockets (at least its X connection): reading
		// /proc/PID/fd failed, and the check below would prove nothing.
		t.Fatalf("no sockets found for Chromium's process group %d %v", pgid, group)
	}
	var out []tcpListener
	for _, l := range listeners(t) {
		if inodes[l.inode] {
			out = append(out, l)
		}
	}
	return out
}

// assertLoopbackOnly checks that the page's Chromium listens on port, on
// 127.0.0.1, and on no other port or address (::1 would be loopback too),
// and that nothing on the machine listens on that port on a non-loopback
// address. It inspects /proc only, sending no traffic anywhere.
func assertLoopbackOnly(t *testing.T, p *lkbrowser.Page, port int) {
	t.Helper()
	// Chromium opens the endpoint while it starts; give it time to show.
	var mine []tcpListener
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		mine = chromiumListeners(t, p)
		if slices.ContainsFunc(mine, func(l tcpListener) bool { return l.port == port }) || time.Now().After(deadline) {
			break
		}
	}
	found := false
	for _, l := range mine {
		switch {
		case l.port != port:
			t.Errorf("Chromium listens on an unexpected port: %v", l)
		case !l.ip.IsLoopback():
			t.Errorf("DevTools endpoint listens on a non-loopback address: %v", l)
		case l.file == "tcp" && l.ip.Equal(net.IPv4(127, 0, 0, 1)):
			found = true
		}
	}
	if !found {
		t.Errorf("Chromium does not listen on 127.0.0.1:%d; its listeners: %v", port, mine)
	}
	for _, l := range listeners(t) {
		if l.port == port && !l.ip.IsLoopback() {
			t.Errorf("port %d is bound on a non-loopback address: %v", port, l)
		}
	}
	t.Logf("Chromium's listening sockets: %v", mine)
}

// --- Tests ---

func TestDevToolsOffByDefault(t *testing.T) {
	p := devtoolsPage(t, lkbrowser.PageOptions{})
	if u := p.DevToolsURL(); u != "" {
		t.Errorf("DevToolsURL() = %q without the option, want \"\"", u)
	}
	if l := chromiumListeners(t, p); len(l) > 0 {
		t.Errorf("Chromium listens on TCP without DevTools: %v", l)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.Processes().Browser))
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(string(cmdline), "\x00")
	if !slices.Contains(args, "--remote-debugging-pipe") {
		t.Errorf("Chromium runs without --remote-debugging-pipe: %q", args)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--remote-debugging-port") || strings.HasPrefix(a, "--remote-debugging-address") {
			t.Errorf("Chromium runs with %s without DevTools", a)
		}
	}
}

func TestDevToolsChromedp(t *testing.T) {
	p := devtoolsPage(t, lkbrowser.PageOptions{DevTools: true})
	assertLoopbackOnly(t, p, devtoolsPort(t, p))

	text, err := chromedpClick(p.DevToolsURL(), url("devtools.html"))
	if err != nil {
		t.Fatal(err)
	}
	if text != "clicked 1" {
		t.Fatalf("chromedp read %q after its click, want %q", text, "clicked 1")
	}
	checkPageStillWorks(t, p, "clicked 1")
}

// attachTab attaches chromedp, through the DevTools endpoint at devtoolsURL,
// to the page target whose URL is pageURL. detach ends the attachment and the
// connection and leaves the tab open; everything ends with ctx as well.
func attachTab(ctx context.Context, devtoolsURL, pageURL string) (tctx context.Context, detach func(), err error) {
	actx, acancel := remote.NewAllocator(ctx, devtoolsURL)
	// With an attaching allocator, cancelling bctx closes only the
	// connection: it neither created nor attached a tab.
	bctx, bcancel := chromedp.NewContext(actx)
	fail := func(err error) (context.Context, func(), error) {
		bcancel()
		acancel()
		return nil, nil, err
	}
	var tab target.ID
	var seen []string
	for deadline := time.Now().Add(20 * time.Second); tab == ""; {
		infos, err := chromedp.Targets(bctx)
		if err != nil {
			return fail(fmt.Errorf("chromedp.Targets: %w", err))
		}
		seen = seen[:0]
		for _, ti := range infos {
			seen = append(seen, ti.Type+" "+ti.URL)
			if ti.Type == "page" && ti.URL == pageURL {
				tab = ti.TargetID
			}
		}
		if tab == "" {
			if time.Now().After(deadline) {
				return fail(fmt.Errorf("no page target with URL %s among %q", pageURL, seen))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// WithDetachOnCancel: cancelling tctx detaches from the tab instead of
	// closing it, which is chromedp's default for a WithTargetID context.
	tctx, tcancel := chromedp.NewContext(bctx, chromedp.WithTargetID(tab), chromedp.WithDetachOnCancel())
	return tctx, func() { tcancel(); bcancel(); acancel() }, nil
}

// chromedpClick attaches chromedp's remote allocator to devtoolsURL, finds
// the tab showing pageURL, clicks its button and returns the text the click
// wrote. It detaches at the end without closing the tab.
func chromedpClick(devtoolsURL, pageURL string) (string, error) {
	// Everything, including the websocket, ends with root: a hung
	// connection cannot outlive the test.
	root, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	tctx, detach, err := attachTab(root, devtoolsURL, pageURL)
	if err != nil {
		return "", err
	}
	defer detach()
	before, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#out")))
	if err != nil {
		return "", fmt.Errorf("chromedp: read #out: %w", err)
	}
	if before != "waiting" {
		return "", fmt.Errorf("chromedp read %q before its click, want %q", before, "waiting")
	}
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS("#btn"))); err != nil {
		return "", fmt.Errorf("chromedp: click #btn: %w", err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`document.getElementById("out").textContent !== "waiting"`)); err != nil {
		return "", fmt.Errorf("chromedp: wait for the text to change: %w", err)
	}
	text, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#out")))
	if err != nil {
		return "", fmt.Errorf("chromedp: read #out after the click: %w", err)
	}
	// Detach explicitly and report errors of the detach.
	if err := chromedp.Cancel(tctx); err != nil {
		return "", fmt.Errorf("chromedp: detach from the tab: %w", err)
	}
	return text, nil
}

func TestDevToolsPlaywright(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (scripts/setup.sh installs it): cannot run Playwright")
	}
	if _, err := os.Stat("playwright/node_modules/playwright-core/package.json"); err != nil {
		t.Fatalf("playwright-core is not installed in tests/playwright; run scripts/setup.sh (npm ci): %v", err)
	}
	p := devtoolsPage(t, lkbrowser.PageOptions{DevTools: true})
	assertLoopbackOnly(t, p, devtoolsPort(t, p))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "connect.mjs", p.DevToolsURL(), url("devtools.html"))
	cmd.Dir = "playwright"
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		Before   string `json:"before"`
		Text     string `json:"text"`
		URL      string `json:"url"`
		Title    string `json:"title"`
		Contexts int    `json:"contexts"`
		Pages    int    `json:"pages"`
		Version  string `json:"version"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("node connect.mjs: %v; stdout %q; stderr %q; result line: %v", runErr, stdout.String(), stderr.String(), err)
	}
	if runErr != nil || !res.OK {
		t.Fatalf("node connect.mjs: %v: %s\nstderr: %s", runErr, res.Error, stderr.String())
	}
	t.Logf("Playwright: browser %s, %d context(s), %d page(s), %q -> %q", res.Version, res.Contexts, res.Pages, res.Before, res.Text)
	if res.Before != "waiting" || res.Text != "clicked 1" {
		t.Errorf("Playwright read %q then %q, want \"waiting\" then \"clicked 1\"", res.Before, res.Text)
	}
	if res.URL != url("devtools.html") || res.Title != "devtools" {
		t.Errorf("Playwright's page: URL %q title %q", res.URL, res.Title)
	}
	// browser.close() of a connectOverCDP browser only disconnects.
	checkPageStillWorks(t, p, "clicked 1")
}

func TestDevToolsPortGivenAndLoopbackOnly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	p := devtoolsPage(t, lkbrowser.PageOptions{DevTools: true, DevToolsPort: port})
	if got, want := p.DevToolsURL(), fmt.Sprintf("http://127.0.0.1:%d", port); got != want {
		t.Fatalf("DevToolsURL() = %q, want %q", got, want)
	}
	assertLoopbackOnly(t, p, port)

	// The endpoint answers on 127.0.0.1.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.DevToolsURL()+"/json/version", nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /json/version: %v", err)
	}
	defer resp.Body.Close()
	var version struct {
		Browser string `json:"Browser"`
		WS      string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&version); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /json/version: %s, decode: %v", resp.Status, err)
	}
	if wsPrefix := fmt.Sprintf("ws://127.0.0.1:%d/devtools/browser/", port); !strings.HasPrefix(version.WS, wsPrefix) || version.Browser == "" {
		t.Errorf("/json/version: Browser %q, webSocketDebuggerUrl %q, want a URL under %s", version.Browser, version.WS, wsPrefix)
	}
	t.Logf("/json/version: %s at %s", version.Browser, version.WS)
}

func TestDevToolsInvalidPort(t *testing.T) {
	kidsBefore := childProcesses()
	pagesBefore := len(engine.Pages())
	for _, port := range []int{-1, 65536, 70000} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		p, err := engine.NewPage(ctx, lkbrowser.PageOptions{URL: url("devtools.html"), DevTools: true, DevToolsPort: port})
		cancel()
		if !errors.Is(err, lkbrowser.ErrInvalidPort) {
			t.Errorf("NewPage(DevToolsPort: %d) = %v, want an error matching ErrInvalidPort", port, err)
		}
		var ia *lkbrowser.InvalidArgumentError
		if !errors.As(err, &ia) || ia.Arg != "DevToolsPort" {
			t.Errorf("NewPage(DevToolsPort: %d) = %v, want an *InvalidArgumentError for DevToolsPort", port, err)
		}
		if p != nil {
			t.Errorf("NewPage(DevToolsPort: %d) returned a page", port)
			_ = p.Close()
		}
	}
	if n := len(engine.Pages()); n != pagesBefore {
		t.Errorf("%d pages after refused NewPage calls, want %d", n, pagesBefore)
	}
	for _, k := range childProcesses() {
		if !slices.Contains(kidsBefore, k) {
			t.Errorf("refused NewPage started process %s", k)
		}
	}
}

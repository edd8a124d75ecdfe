package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser/internal/proc"
)

// browser is a page's Chromium process, driven over --remote-debugging-pipe:
// no TCP port is opened unless the caller asks for one.
type browser struct {
	proc     *proc.Process
	cancel   context.CancelFunc // ends the CDP connection
	bctx     context.Context    // chromedp context of the browser
	tctx     context.Context    // chromedp context of the page's tab
	targetID target.ID
	// lost is closed when the CDP connection drops.
	lost <-chan struct{}
	// devtools is the http://127.0.0.1:port address of the DevTools
	// endpoint, or "" when the page has none.
	devtools string
	// tmp is Chromium's TMPDIR, removed on close.
	tmp string
	// winW, winH are the size of Chromium's window (the display's size
	// less one pixel each way).
	winW, winH int
}

// pipeAllocator hands chromedp the pipe of a Chromium that lkbrowser started.
type pipeAllocator struct{ tr chromedp.Transport }

func (a pipeAllocator) Allocate(ctx context.Context, opts ...chromedp.BrowserOption) (*chromedp.Browser, error) {
	return chromedp.NewBrowserTransport(ctx, a.tr, opts...)
}

func (a pipeAllocator) Wait() {}

// chromiumFlags returns the command line for a page's Chromium.
// proxy is the address of the page's egress proxy, or "" for none.
func chromiumFlags(e *Engine, dir string, opts PageOptions, proxy string) []string {
	w, h := opts.MaxWidth, opts.MaxHeight
	flags := []string{
		"--remote-debugging-pipe",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--disk-cache-dir=" + filepath.Join(dir, "cache"),
		"--window-position=0,0",
		fmt.Sprintf("--window-size=%d,%d", w, h),
		"--kiosk",
		"--no-first-run",
		"--no-default-browser-check",
		"--noerrdialogs",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-quic",
		"--disable-breakpad",
		"--disable-default-apps",
		"--disable-extensions",
		"--disable-client-side-phishing-detection",
		"--disable-hang-monitor",
		"--disable-session-crashed-bubble",
		"--disable-background-timer-throttling",
		"--disable-backgrounding-occluded-windows",
		"--disable-renderer-backgrounding",
		"--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider,BackForwardCache",
		"--disable-gpu",
		"--disable-smooth-scrolling",
		"--force-color-profile=srgb",
		"--password-store=basic",
		"--autoplay-policy=no-user-gesture-required",
		"--deny-permission-prompts",
		"--metrics-recording-only",
	}
	if opts.DevTools {
		flags = append(flags, "--remote-debugging-address=127.0.0.1",
			fmt.Sprintf("--remote-debugging-port=%d", opts.DevToolsPort))
	}
	if proxy != "" {
		flags = append(flags, egressFlags(proxy)...) // egress_page.go
	}
	if os.Geteuid() == 0 {
		// Chromium's sandbox cannot run as root.
		flags = append(flags, "--no-sandbox")
	}
	flags = append(flags, e.opts.ChromiumFlags...)
	return append(flags, "about:blank")
}

// chromiumEnv returns the environment of a page's Chromium: the host's,
// without anything that would connect it to the user's session, and with
// its configuration, caches (crash reports among them) and temporary files
// (its singleton socket) inside the page's directories rather than the
// user's home and /tmp.
func chromiumEnv(d *display, dir, tmp string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "TMPDIR",
			"PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE", "CHROME_DEVEL_SANDBOX":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DISPLAY="+d.name, "XAUTHORITY="+d.clientAuth,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"TMPDIR="+tmp)
}

// startBrowser starts Chromium on d and attaches to its tab; tab receives
// the CDP events of the tab.
func startBrowser(ctx context.Context, e *Engine, dir string, d *display, opts PageOptions, tab *tabEvents, extraEnv []string, proxy string) (*browser, error) {
	cmdR, cmdW, err := os.Pipe() // commands: lkbrowser writes, Chromium reads fd 3
	if err != nil {
		return nil, err
	}
	resR, resW, err := os.Pipe() // replies: Chromium writes fd 4, lkbrowser reads
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		return nil, err
	}
	cmd := exec.Command(e.chromium, chromiumFlags(e, dir, opts, proxy)...)
	tmp, err := chromiumTempDir(dir)
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		resR.Close()
		resW.Close()
		return nil, fmt.Errorf("lkbrowser: chromium temp dir: %w", err)
	}
	cmd.Env = append(chromiumEnv(d, dir, tmp), extraEnv...)
	cmd.Dir = dir
	cmd.ExtraFiles = []*os.File{cmdR, resW}
	p, err := proc.Start("chromium", cmd, e.log)
	cmdR.Close()
	resW.Close()
	if err != nil {
		cmdW.Close()
		resR.Close()
		return nil, &ProcessError{Process: "chromium", Err: err}
	}
	b := &browser{proc: p, tmp: tmp}
	fail := func(err error) (*browser, error) {
		b.close()
		return nil, &ProcessError{Process: "chromium", Err: err, Output: p.Output()}
	}

	// The CDP connection lives until close, not until ctx ends.
	actx, cancel := chromedp.NewAllocatorContext(context.Background(), pipeAllocator{chromedp.NewPipeConn(resR, cmdW)})
	b.cancel = cancel
	logf := func(format string, args ...any) { e.log.Debug(fmt.Sprintf(format, args...), "process", "chromium") }
	// The browser's first context attaches to the kiosk window's tab; it is
	// the page's only DevTools session.
	b.bctx, _ = chromedp.NewContext(actx, chromedp.WithBrowserOption(
		chromedp.WithBrowserLogf(logf), chromedp.WithBrowserErrorf(logf)),
		chromedp.WithListener(tab.onTabEvent))
	b.tctx = b.bctx
	if err := runBounded(ctx, p, func() error { return chromedp.Do(b.bctx) }); err != nil {
		return fail(fmt.Errorf("connect DevTools: %w", err))
	}
	c := chromedp.FromContext(b.bctx)
	b.lost = c.Browser.LostConnection
	if c.Target == nil {
		return fail(errors.New("no page target"))
	}
	b.targetID = c.Target.TargetID
	tab.setTarget(b.targetID)
	if err := runBounded(ctx, p, func() error {
		if _, err := chromedp.Call(b.tctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		// chromedp tracks the DOM and CSS for its queries, which lkbrowser
		// does not use; their events (one per style change of an animation)
		// would cost a CDP message and allocations on every frame.
		if _, err := chromedp.Call(b.tctx, css.Disable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(b.tctx, dom.Disable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := chromedp.Call(b.tctx, page.SetLifecycleEventsEnabled, page.SetLifecycleEventsEnabledParams{Enabled: true})
		return err
	}); err != nil {
		return fail(fmt.Errorf("attach to tab: %w", err))
	}
	if err := runBounded(ctx, p, func() error { return b.fitViewport(opts.Width, opts.Height) }); err != nil {
		return fail(fmt.Errorf("size the window: %w", err))
	}
	if err := runBounded(ctx, p, b.installWatcher); err != nil {
		return fail(fmt.Errorf("install page watcher: %w", err))
	}
	if err := runBounded(ctx, p, b.lockDown); err != nil { // browser_policy.go
		return fail(err)
	}
	// Windows the page opens show up as targets.
	if err := chromedp.ListenBrowser(b.bctx, tab.onBrowserEvent); err != nil {
		return fail(fmt.Errorf("listen: %w", err))
	}
	if err := runBounded(ctx, p, func() error {
		_, err := chromedp.CallBrowser(b.bctx, target.SetDiscoverTargets, target.SetDiscoverTargetsParams{Discover: true})
		return err
	}); err != nil {
		return fail(fmt.Errorf("discover targets: %w", err))
	}
	if opts.DevTools {
		addr, err := readDevToolsAddress(ctx, p, opts.DevToolsPort)
		if err != nil {
			return fail(fmt.Errorf("DevTools endpoint: %w", err))
		}
		b.devtools = "http://" + addr
	}
	return b, nil
}

// readDevToolsAddress waits for Chromium to say where its DevTools endpoint
// listens, and insists on 127.0.0.1 and the port asked for: when that port
// is taken, Chromium quietly listens on [::1] instead.
func readDevToolsAddress(ctx context.Context, p *proc.Process, port int) (string, error) {
	const marker = "DevTools listening on ws://"
	for {
		out := p.Output()
		if i := strings.Index(out, marker); i >= 0 {
			rest := out[i+len(marker):]
			hostport, _, _ := strings.Cut(rest, "/")
			host, got, err := net.SplitHostPort(hostport)
			if err != nil {
				return "", fmt.Errorf("unexpected address %q", hostport)
			}
			if host != "127.0.0.1" || (port != 0 && got != strconv.Itoa(port)) {
				return "", fmt.Errorf("listening on %s, not 127.0.0.1:%d (port in use?)", hostport, port)
			}
			return hostport, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-p.Done():
			return "", fmt.Errorf("exited: %v", p.ExitErr())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Names of the isolated JavaScript world where lkbrowser's own page script
// runs, and of the binding through which it reports to Go. Page scripts
// cannot see either.
const (
	watcherWorld   = "lkbrowser"
	watcherBinding = "lkbrowserReport"
	// messageBinding is the page-visible function behind
	// window.lkbrowser.send.
	messageBinding = "__lkbrowserSend"
)

// messageScript gives page JavaScript window.lkbrowser.send(data).
const messageScript = `(() => {
  const send = globalThis.` + messageBinding + `;
  Object.defineProperty(globalThis, "lkbrowser", {value: Object.freeze({
    send(data) { send(typeof data === "string" ? data : JSON.stringify(data)); }
  })});
})();`

// watcherScript reports the document title of the top frame whenever it
// changes. It watches <head> only, so busy pages pay nothing for it.
const watcherScript = `(() => {
  if (window !== window.top) return;
  let last = null;
  const check = () => {
    const t = document.title;
    if (t !== last) { last = t; ` + watcherBinding + `(JSON.stringify({title: t})); }
  };
  const watch = () => {
    check();
    if (document.head) new MutationObserver(check).observe(document.head, {subtree: true, childList: true, characterData: true});
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch, {once: true});
  else watch();
})();`

// installWatcher adds the watcher script to every document the tab loads.
func (b *browser) installWatcher() error {
	if _, err := chromedp.Call(b.tctx, cdpruntime.AddBinding, cdpruntime.AddBindingParams{
		Name: watcherBinding, ExecutionContextName: watcherWorld,
	}); err != nil {
		return err
	}
	if _, err := chromedp.Call(b.tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: watcherScript, WorldName: watcherWorld,
	}); err != nil {
		return err
	}
	if _, err := chromedp.Call(b.tctx, cdpruntime.AddBinding, cdpruntime.AddBindingParams{Name: messageBinding}); err != nil {
		return err
	}
	_, err := chromedp.Call(b.tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: messageScript,
	})
	return err
}

// fitViewport makes the page's viewport exactly w x h. When Chromium's
// window has another size (it keeps windows at least about 500 pixels wide;
// a page shrunk by Resize or with a larger MaxWidth is smaller than its
// window) the page is laid out at w x h by device-metrics emulation, drawn
// at the window's top left, which is what capture covers.
func (b *browser) fitViewport(w, h int) error {
	if b.winW == 0 {
		win, err := chromedp.CallBrowser(b.bctx, cdpbrowser.GetWindowForTarget, cdpbrowser.GetWindowForTargetParams{TargetID: b.targetID})
		if err != nil {
			return err
		}
		if win.Bounds == nil {
			return errors.New("window has no bounds")
		}
		b.winW, b.winH = int(win.Bounds.Width), int(win.Bounds.Height)
	}
	if b.winW == w && b.winH == h {
		_, err := chromedp.Call(b.tctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}
	_, err := chromedp.Call(b.tctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: int64(w), Height: int64(h), DeviceScaleFactor: 1,
	})
	return err
}

// runBounded runs f, giving up when ctx ends or the process exits. f keeps
// running in the background in that case; closing the browser ends it.
func runBounded(ctx context.Context, p *proc.Process, f func() error) error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-p.Done():
		return fmt.Errorf("exited: %v", p.ExitErr())
	}
}

// close asks Chromium to quit, then stops its process group.
func (b *browser) close() error {
	if b.bctx != nil {
		select {
		case <-b.proc.Done():
		default:
			cctx, cancel := context.WithTimeout(b.bctx, 500*time.Millisecond)
			_, _ = chromedp.CallBrowser(cctx, cdpbrowser.Close, cdp.Empty{})
			cancel()
		}
	}
	err := b.proc.Stop(2 * time.Second)
	if b.cancel != nil {
		b.cancel()
	}
	if rerr := os.RemoveAll(b.tmp); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return err
}

// chromiumTempDir makes Chromium's TMPDIR: inside the page's directory, or
// under /tmp when that path is too long for the unix socket Chromium puts
// there (108 bytes in all).
func chromiumTempDir(dir string) (string, error) {
	tmp := filepath.Join(dir, "tmp")
	if len(tmp) > 56 {
		return shortTempDir(tmp, "lkb-") // linked from tmp, see rundir.go
	}
	return tmp, os.Mkdir(tmp, 0o700)
}

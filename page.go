package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser/internal/egress"
	"github.com/lkbrowser/lkbrowser/internal/limits"
	"github.com/lkbrowser/lkbrowser/internal/xcap"
)

// Limits of PageOptions.
const (
	MinPageSize     = limits.MinPageSize
	MaxPageSize     = limits.MaxPageSize
	MinFrameRate    = limits.MinFrameRate
	MaxFrameRate    = limits.MaxFrameRate
	defaultWidth    = 1280
	defaultHeight   = 720
	defaultFPS      = 30
	frameBufferPool = 4
)

// PageOptions describes a page to open.
type PageOptions struct {
	// URL is loaded once the page is up. Default "about:blank". It must pass
	// the engine's URL policy (Options.AllowedSchemes).
	URL string
	// Width and Height are the page's size in pixels, 16..4096.
	// Default 1280x720 (or the engine's Options.DefaultPage).
	Width, Height int
	// FrameRate caps the frames delivered per second, 1..60. Default 30.
	FrameRate int
	// MaxWidth and MaxHeight bound the sizes Resize may grow the page to.
	// Default: Width and Height, so a page can shrink and grow back but not
	// beyond its first size. The display is made this large, so larger
	// values cost memory (4 bytes a pixel, twice) even when unused.
	MaxWidth, MaxHeight int
	// DevTools exposes the page's Chrome DevTools Protocol endpoint on
	// 127.0.0.1 (never another address) for chromedp, Playwright or
	// Puppeteer; see Page.DevToolsURL. Off by default: lkbrowser itself talks
	// to Chromium over a pipe and opens no port.
	DevTools bool
	// DevToolsPort is the port of the DevTools endpoint; 0 picks a free one.
	DevToolsPort int
	// PopupsAsEvents makes windows the page opens (window.open, target=_blank)
	// PopupRequested events. By default the page loads their address itself,
	// as the reference does. Either way no second window stays open.
	PopupsAsEvents bool
	// Restart makes the page load its last address again by itself when its
	// renderer crashes, with back-off and a limit; see RestartPolicy. The
	// zero value restarts nothing.
	Restart RestartPolicy
	// Egress is the page's network policy (see EgressPolicy); it replaces
	// the engine's (Options.Egress) for this page. Default: the engine's;
	// nil there too means no filtering.
	Egress *EgressPolicy
}

// withDefaults fills zero fields from d, then from the built-in defaults.
func (o PageOptions) withDefaults(d PageOptions) PageOptions {
	pick := func(v, a, b int) int {
		if v != 0 {
			return v
		}
		if a != 0 {
			return a
		}
		return b
	}
	o.Width = pick(o.Width, d.Width, defaultWidth)
	o.Height = pick(o.Height, d.Height, defaultHeight)
	o.FrameRate = pick(o.FrameRate, d.FrameRate, defaultFPS)
	// An engine-wide maximum never makes a bigger page invalid.
	if o.MaxWidth == 0 {
		o.MaxWidth = max(d.MaxWidth, o.Width)
	}
	if o.MaxHeight == 0 {
		o.MaxHeight = max(d.MaxHeight, o.Height)
	}
	if o.URL == "" {
		o.URL = d.URL
	}
	if o.Egress == nil {
		o.Egress = d.Egress
	}
	if o.URL == "" {
		o.URL = "about:blank"
	}
	return o
}

// validate checks options that withDefaults filled; the URL is the
// policy's (URLPolicy.Check).
func (o PageOptions) validate() error {
	if err := validateSize(o.Width, o.Height); err != nil {
		return err
	}
	if err := validateFrameRate(o.FrameRate); err != nil {
		return err
	}
	if err := validateSize(o.MaxWidth, o.MaxHeight); err != nil {
		return err
	}
	if o.MaxWidth < o.Width || o.MaxHeight < o.Height {
		return invalidArg(ErrInvalidSize, "MaxWidth/MaxHeight", fmt.Sprintf("%dx%d", o.MaxWidth, o.MaxHeight), "smaller than Width/Height")
	}
	if o.DevToolsPort < 0 || o.DevToolsPort > 65535 {
		return invalidArg(ErrInvalidPort, "DevToolsPort", o.DevToolsPort, "must be 0..65535")
	}
	if o.Egress != nil {
		if err := o.Egress.Validate(); err != nil {
			return err
		}
	}
	return o.Restart.validate()
}

func validateSize(w, h int) error {
	if w < MinPageSize || w > MaxPageSize {
		return invalidArg(ErrInvalidSize, "Width", w, "must be 16..4096")
	}
	if h < MinPageSize || h > MaxPageSize {
		return invalidArg(ErrInvalidSize, "Height", h, "must be 16..4096")
	}
	return nil
}

func validateFrameRate(fps int) error {
	if fps < MinFrameRate || fps > MaxFrameRate {
		return invalidArg(ErrInvalidFrameRate, "FrameRate", fps, "must be 1..60")
	}
	return nil
}

// Page is one browser page rendered off-screen: its own Xvfb display, its
// own Chromium, and a capture loop that turns screen damage into Frames.
// Its methods are safe for concurrent use.
type Page struct {
	e    *Engine
	id   int
	opts PageOptions
	dir  string

	disp    *display
	brw     *browser
	conn    *xcap.Conn
	capture *capturer
	events  fanout[Event] // readers of the page's events (subscribe.go)
	tab     tabEvents
	render  renderer // renderer crashes and automatic restarts (restart.go)

	internal bool                // the engine's own page (cursor calibration)
	warm     bool                // started ahead for NewPage (warm.go); guarded by e.mu once listed
	dev      *devView            // dev mode's viewer window; nil without one
	audio    *pageAudio          // nil with Options.NoAudio
	egress   *egress.Proxy       // the page's egress proxy (egress_page.go); nil when it filters nothing
	audioOut fanout[*AudioFrame] // readers of the page's sound; ended at Close
	// The default readers: Frames, Audio and Events.
	frames0  *FrameSubscription
	audio0   *AudioSubscription
	events0  *EventSubscription
	cursor   pageCursor
	curSize  atomic.Uint64 // width<<32 | height, changed by Resize
	resizeMu sync.Mutex    // one Resize at a time

	// input serialises input events so they reach the page in order;
	// buttons (CDP bits) are the mouse buttons held, guarded by input.
	input   sync.Mutex
	buttons int64
	popup   popupPointer // pointer input on popup windows (popups.go), guarded by input

	closing   atomic.Bool
	fatal     atomic.Pointer[string] // reason the page can no longer work
	closeOnce sync.Once
	closeErr  error
	watching  bool // the watch goroutine runs; set before NewPage returns
	watchDone chan struct{}

	captureErr atomic.Pointer[error] // why the capture loop failed, for watch
}

// NewPage starts a display and a browser, loads opts.URL and starts
// capturing. It returns once the page's window is up and the first
// navigation has committed or failed; a URL that fails to load still opens
// the page and reports a LoadFailed event. ctx bounds the start-up only.
func (e *Engine) NewPage(ctx context.Context, opts PageOptions) (*Page, error) {
	if p, err := e.adoptWarm(ctx, opts); p != nil || err != nil {
		return p, err
	}
	return e.newPage(ctx, opts, nil, false)
}

// newPage opens a page. A page with a cursorHook is the engine's own: it is
// not listed or counted, and its cursor changes go to the hook. A warm page
// (warm.go) waits, unlisted and uncounted, for NewPage to adopt it.
func (e *Engine) newPage(ctx context.Context, opts PageOptions, cursorHook func(uint64), warm bool) (_ *Page, err error) {
	opts = opts.withDefaults(e.opts.DefaultPage)
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if cursorHook == nil && !warm { // the engine's own pages are not the user's to police
		if err := e.policy.Check(opts.URL); err != nil {
			return nil, err
		}
	}
	p := &Page{e: e, opts: opts, watchDone: make(chan struct{}), internal: cursorHook != nil, warm: warm,
		events: fanout[Event]{size: eventQueueSize}, audioOut: fanout[*AudioFrame]{size: audioQueueSize}}
	p.events0, p.audio0 = p.SubscribeEvents(), p.SubscribeAudio()
	p.setSize(opts.Width, opts.Height)
	p.render.init(p, opts.Restart)
	if err := e.reserve(p); err != nil {
		return nil, err
	}
	defer e.starting.Done()
	// Engine.Close cuts the start short.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.ctx, cancel)()
	p.tab.init(p)
	defer func() {
		if cerr := e.commit(p, err == nil); cerr != nil {
			err = cerr
		} else if err != nil && e.ctx.Err() != nil {
			err = fmt.Errorf("%w: engine closed while the page started: %v", ErrClosed, err)
		}
		if err != nil {
			_ = p.teardown()
		}
	}()
	p.dir = filepath.Join(e.root, "page-"+strconv.Itoa(p.id))
	if err := os.Mkdir(p.dir, 0o700); err != nil {
		return nil, fmt.Errorf("lkbrowser: page dir: %w", err)
	}
	if p.disp, err = startDisplay(ctx, e, p.dir, opts.MaxWidth, opts.MaxHeight, opts.FrameRate); err != nil {
		return nil, err
	}
	if p.conn, err = xcap.Open(p.disp.name, p.disp.cookie); err != nil {
		return nil, fmt.Errorf("lkbrowser: capture %s: %w", p.disp.name, err)
	}
	var audioEnv []string
	if !e.opts.NoAudio && !p.internal {
		if audioEnv, err = p.startAudio(ctx); err != nil {
			return nil, err
		}
	}
	if err := p.startEgress(); err != nil {
		return nil, err
	}
	var proxy string
	if p.egress != nil {
		proxy = p.egress.Addr()
	}
	if p.brw, err = startBrowser(ctx, e, p.dir, p.disp, opts, &p.tab, audioEnv, proxy); err != nil {
		return nil, err
	}
	// The capturer owns the pool from here; nothing can fail in between.
	pool, err := newFramePool(p.conn, frameBufferPool, opts.Width, opts.Height, newRetirer(p.conn.Wake))
	if err != nil {
		return nil, fmt.Errorf("lkbrowser: frame buffers: %w", err)
	}
	onCursor := p.onCursor
	if cursorHook != nil {
		onCursor = cursorHook
	}
	p.capture = newCapturer(p.conn, pool, opts.FrameRate, e.epoch, p.onCaptureLost, onCursor)
	p.frames0 = p.SubscribeFrames()
	go p.capture.run()
	p.watching = true
	go p.watch()
	p.render.start()
	if err := p.open(ctx, opts.URL); err != nil {
		return nil, err
	}
	return p, nil
}

// open shows a started page to its user: the DevMode window, then the
// first load of url. A load that fails still opens the page (on its error
// page, with a LoadFailed event); other errors do not.
func (p *Page) open(ctx context.Context, url string) error {
	if p.e.opts.DevMode && !p.internal && !p.warm {
		p.startDevView() // a viewer window on the user's display (devmode.go)
	}
	if err := p.firstNavigate(ctx, url); err != nil {
		var le *LoadError
		if !errors.As(err, &le) {
			return err
		}
		p.e.log.Info("page opened with a failed load", "page", p.id, "url", url, "err", le.Text)
	}
	w, h := p.size()
	p.e.log.Info("page opened", "page", p.id, "display", p.disp.name, "size", fmt.Sprintf("%dx%d", w, h))
	return nil
}

// ID returns the page's id, unique within its engine.
func (p *Page) ID() int { return p.id }

// Width returns the page's width in pixels.
func (p *Page) Width() int { w, _ := p.size(); return w }

// Height returns the page's height in pixels.
func (p *Page) Height() int { _, h := p.size(); return h }

// size returns the page's current size.
func (p *Page) size() (w, h int) {
	v := p.curSize.Load()
	return int(v >> 32), int(uint32(v))
}

func (p *Page) setSize(w, h int) { p.curSize.Store(uint64(w)<<32 | uint64(h)) }

// FrameRate returns the page's maximum frame rate.
func (p *Page) FrameRate() int { return p.opts.FrameRate }

// Frames returns the page's default frames reader (a FrameSubscription
// made when the page opened). It holds at most one frame: when the
// receiver is slow the newest frame replaces the waiting one, whose dirty
// rectangles carry over (Frame.Dropped counts the replaced frames).
// Nothing is sent while the page does not change. Every received frame must
// be released. The channel is closed by Close. Other readers (a Recorder,
// an lksession) subscribe on their own and do not take frames from it.
func (p *Page) Frames() <-chan *Frame { return p.frames0.C() }

// Events returns the page's default events reader (made when the page
// opened, so it sees the first load's events). It holds 256 events; when
// it is full new events are dropped and counted (Stats). Closed is always
// the last event, and the channel is closed after it.
func (p *Page) Events() <-chan Event { return p.events0.C() }

// Stats are counters of a page. Drops are those of the default readers
// (Frames, Audio, Events); each subscription counts its own (Dropped).
type Stats struct {
	FramesCaptured uint64 // frames captured (shared by every frames reader)
	FramesDropped  uint64 // frames replaced before the Frames reader took them
	EventsDropped  uint64 // events dropped because Events was full
	AudioCaptured  uint64 // 10 ms audio frames captured
	AudioDropped   uint64 // audio frames dropped because the Audio reader fell behind
	EgressRefused  uint64 // connections the page's EgressPolicy refused (one EgressRefused event each)
}

// Stats returns the page's counters.
func (p *Page) Stats() Stats {
	st := Stats{
		FramesCaptured: p.capture.captured.Load(),
		FramesDropped:  p.frames0.Dropped(),
		EventsDropped:  p.events0.Dropped(),
		AudioDropped:   p.audio0.Dropped(),
	}
	if p.audio != nil {
		st.AudioCaptured = p.audio.captured.Load()
	}
	if p.egress != nil {
		st.EgressRefused = p.egress.Refused()
	}
	return st
}

// Snapshot returns a frame of the whole page as it is now, whatever the
// frame rate and even when nothing changed. The caller must Release it.
func (p *Page) Snapshot(ctx context.Context) (*Frame, error) {
	if err := p.usable(); err != nil {
		return nil, err
	}
	return p.capture.snapshot(ctx)
}

// usable returns ErrClosed or ErrCrashed when the page cannot take calls.
func (p *Page) usable() error {
	if err := p.alive(); err != nil {
		return err
	}
	return p.render.err()
}

// alive returns ErrClosed or ErrCrashed when the page's processes are gone;
// unlike usable it lets calls through while only the renderer is dead, for
// Navigate and Reload, which bring it back.
func (p *Page) alive() error {
	if p.closing.Load() {
		return ErrClosed
	}
	if r := p.fatal.Load(); r != nil {
		return fmt.Errorf("%w: %s", ErrCrashed, *r)
	}
	return nil
}

// Navigate loads url in the page and returns once the navigation has
// committed. A URL that fails to load returns a *LoadError (and a LoadFailed
// event); a URL the policy refuses returns an error matching ErrInvalidURL.
// After a renderer crash Navigate brings the page back.
func (p *Page) Navigate(ctx context.Context, url string) error {
	if err := p.alive(); err != nil {
		return err
	}
	if err := p.e.policy.Check(url); err != nil {
		return err
	}
	return p.navigate(ctx, url)
}

func (p *Page) navigate(ctx context.Context, url string) error {
	res, err := cdpCall(ctx, p, page.Navigate, page.NavigateParams{URL: url})
	if err != nil {
		return err
	}
	if res.ErrorText != "" {
		return &LoadError{URL: url, Text: res.ErrorText}
	}
	return nil
}

// firstNavigate loads the page's first URL. Chromium may still be
// committing the about:blank it started with, which aborts a navigation
// made meanwhile (net::ERR_ABORTED); such a navigation is made again.
func (p *Page) firstNavigate(ctx context.Context, url string) error {
	for attempt := 0; ; attempt++ {
		err := p.navigate(ctx, url)
		var le *LoadError
		if attempt >= 5 || !errors.As(err, &le) || le.Text != "net::ERR_ABORTED" {
			return err
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// GoBack goes one entry back in the page's history; it does nothing at the
// first entry.
func (p *Page) GoBack(ctx context.Context) error { return p.goHistory(ctx, -1) }

// GoForward goes one entry forward in the page's history; it does nothing
// at the last entry.
func (p *Page) GoForward(ctx context.Context) error { return p.goHistory(ctx, +1) }

func (p *Page) goHistory(ctx context.Context, delta int) error {
	if err := p.usable(); err != nil {
		return err
	}
	h, err := cdpCall(ctx, p, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		return err
	}
	i := int(h.CurrentIndex) + delta
	if i < 0 || i >= len(h.Entries) {
		return nil
	}
	commit := p.tab.nextCommit()
	if _, err = cdpCall(ctx, p, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[i].ID}); err != nil {
		return err
	}
	return p.waitCommit(ctx, commit)
}

// waitCommit waits for a navigation to commit, so that the next call finds
// the new document.
func (p *Page) waitCommit(ctx context.Context, commit <-chan struct{}) error {
	select {
	case <-commit:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-p.brw.lost:
		return p.lostErr()
	case <-p.render.nextCrash():
		return p.crashedErr()
	}
}

// Reload reloads the page, e.g. after its renderer crashed.
func (p *Page) Reload(ctx context.Context) error {
	if err := p.alive(); err != nil {
		return err
	}
	commit := p.tab.nextCommit()
	if _, err := cdpCall(ctx, p, page.Reload, page.ReloadParams{}); err != nil {
		return err
	}
	return p.waitCommit(ctx, commit)
}

// cdpCall runs a CDP command on the page's tab, bounded by ctx, and maps a
// lost connection to ErrCrashed or ErrClosed. A renderer crash ends the
// call with ErrCrashed (Chromium would never answer it). While a navigation
// swaps the tab's document, Chromium briefly answers "Not attached to an
// active page"; such calls are retried.
func cdpCall[P, R any](ctx context.Context, p *Page, cmd cdp.Command[P, R], params P) (R, error) {
	type result struct {
		r   R
		err error
	}
	var zero R
	crash := p.render.nextCrash()
	for attempt := 0; ; attempt++ {
		ch := make(chan result, 1)
		go func() {
			r, err := chromedp.Call(p.brw.tctx, cmd, params)
			ch <- result{r, err}
		}()
		select {
		case res := <-ch:
			if res.err == nil {
				return res.r, nil
			}
			if uerr := p.alive(); uerr != nil {
				return zero, uerr
			}
			if attempt < 20 && strings.Contains(res.err.Error(), "Not attached to an active page") {
				select {
				case <-time.After(25 * time.Millisecond):
					continue
				case <-ctx.Done():
					return zero, ctx.Err()
				}
			}
			return zero, fmt.Errorf("lkbrowser: %s: %w", cmd.Method, res.err)
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-p.brw.lost:
			return zero, p.lostErr()
		case <-crash:
			return zero, p.crashedErr()
		}
	}
}

// lostErr is the error of a call whose browser connection went away.
func (p *Page) lostErr() error {
	if err := p.alive(); err != nil {
		return err
	}
	return fmt.Errorf("%w: browser connection lost", ErrCrashed)
}

// crashedErr is the error of a call cut short by a renderer crash.
func (p *Page) crashedErr() error {
	if err := p.usable(); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", ErrCrashed, crashReason)
}

// causeGrace is how long watch waits, after the first sign of a dead
// process, for the display to be found dead too: Chromium exits and the
// capture connection drops when Xvfb dies, and the crash should name the
// display, not what followed from it.
const causeGrace = 300 * time.Millisecond

// watch reports the death of the browser or the display as a crash.
func (p *Page) watch() {
	defer close(p.watchDone)
	select {
	case <-p.brw.proc.Done():
	case <-p.brw.lost:
	case <-p.disp.proc.Done():
	case <-p.capture.done: // stopped by Close, or lost (onCaptureLost)
	}
	if p.closing.Load() {
		return
	}
	t := time.NewTimer(causeGrace)
	defer t.Stop()
	select {
	case <-p.disp.proc.Done():
	case <-t.C:
	}
	p.crash(p.crashCause())
}

// crashCause names the first cause of a page's death that it finds: the
// display, the browser, the capture connection, the DevTools connection.
func (p *Page) crashCause() string {
	select {
	case <-p.disp.proc.Done():
		return fmt.Sprintf("display %s (Xvfb) exited: %s", p.disp.name, exitText(p.disp.proc.ExitErr()))
	default:
	}
	select {
	case <-p.brw.proc.Done():
		return fmt.Sprintf("browser (Chromium, pid %d) exited: %s", p.brw.proc.Pid(), exitText(p.brw.proc.ExitErr()))
	default:
	}
	if err := p.captureErr.Load(); err != nil {
		return fmt.Sprintf("display %s connection lost: %v", p.disp.name, *err)
	}
	return "browser connection lost"
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// onCaptureLost keeps the capture loop's failure for watch, which reports
// it when the loop has ended.
func (p *Page) onCaptureLost(err error) {
	p.captureErr.CompareAndSwap(nil, &err)
}

// crash marks the page as unable to work and reports why, once.
func (p *Page) crash(reason string) {
	if p.closing.Load() {
		return
	}
	if p.fatal.CompareAndSwap(nil, &reason) {
		p.e.log.Warn("page crashed", "page", p.id, "reason", reason)
		p.events.emit(&Crashed{EventTime{time.Now()}, reason, false})
	}
}

// Close stops the page's capture, browser and display, removes its files and
// closes its channels (Frames first, then Events after a Closed event). It is
// idempotent and returns errors.Join of what failed. Frames still held by
// the caller stay valid until released.
func (p *Page) Close() error {
	p.closeOnce.Do(func() {
		p.closeErr = p.teardown()
		p.e.unregister(p)
		p.e.log.Info("page closed", "page", p.id, "err", p.closeErr)
	})
	return p.closeErr
}

// teardown releases everything NewPage acquired, in reverse order. It copes
// with a partly started page.
func (p *Page) teardown() error {
	p.closing.Store(true)
	p.render.stop() // no restart from now on
	var errs []error
	if p.capture != nil {
		p.capture.stop()
	}
	p.stopDevView() // dev mode's viewer window, if any (devmode.go)
	if p.brw != nil {
		if err := p.brw.close(); err != nil {
			errs = append(errs, fmt.Errorf("stop chromium: %w", err))
		}
		if p.watching {
			<-p.watchDone
		}
	}
	if p.egress != nil {
		if err := p.egress.Close(); err != nil {
			errs = append(errs, fmt.Errorf("stop egress proxy: %w", err))
		}
	}
	if p.audio != nil {
		if err := p.audio.stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop audio: %w", err))
		}
	}
	p.audioOut.end(nil, nil)
	if p.conn != nil {
		p.input.Lock() // SetFocus uses the connection under this lock
		if p.capture != nil {
			p.capture.pool.ret.disown() // frames released from now on only detach
		}
		err := p.conn.Close()
		p.popup.close()
		p.input.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("close capture: %w", err))
		}
	}
	if p.disp != nil {
		if err := p.disp.close(); err != nil {
			errs = append(errs, fmt.Errorf("stop Xvfb: %w", err))
		}
	}
	if p.dir != "" {
		if err := os.RemoveAll(p.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove page dir: %w", err))
		}
	}
	var last Event = &Closed{EventTime{time.Now()}}
	p.events.end(&last, nil)
	return errors.Join(errs...)
}

// Processes are the operating-system processes of a page.
type Processes struct {
	Browser int // Chromium's browser process; its children share its process group
	Display int // the page's Xvfb
}

// Processes returns the page's process ids, e.g. for monitoring or cgroups.
func (p *Page) Processes() Processes {
	return Processes{Browser: p.brw.proc.Pid(), Display: p.disp.proc.Pid()}
}

// Display returns the name of the page's private X display, e.g. ":12".
func (p *Page) Display() string { return p.disp.name }

// DevToolsURL returns the address of the page's DevTools endpoint, e.g.
// "http://127.0.0.1:9222", for chromedp's remote allocator or Playwright's
// connectOverCDP, or "" when PageOptions.DevTools was not set. The endpoint
// serves the page's whole browser; it listens on 127.0.0.1 only.
func (p *Page) DevToolsURL() string { return p.brw.devtools }

// Err returns nil while the page can be used, ErrClosed once it is closing
// or closed, and an error matching ErrCrashed while its browser, display or
// renderer is dead. Features built on a Page (a recorder, a session) check
// it before they start.
func (p *Page) Err() error { return p.usable() }

// HasAudio reports whether the page captures sound: false on an engine
// made with Options.NoAudio.
func (p *Page) HasAudio() bool { return p.audio != nil }

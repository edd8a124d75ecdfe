package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

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

package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configures an Engine. The zero value is usable: programs are
// found automatically, logs are discarded.
type Options struct {
	// ChromiumPath is the Chromium executable. Default: see ResolveChromium.
	ChromiumPath string
	// XvfbPath is the Xvfb executable. Default: see ResolveXvfb.
	XvfbPath string
	// CacheDir is where chromium.Download stores Chromium builds; the newest one found
	// there is used when ChromiumPath and $LKBROWSER_CHROMIUM are unset.
	// Default: chromium.DefaultCacheDir().
	CacheDir string
	// TempDir is the parent of the engine's private runtime directory
	// (lkbrowser-engine-<digits>). The engine locks that directory while it
	// lives; NewEngine removes the ones left in TempDir by engines whose
	// process died without Close. Default: os.TempDir().
	TempDir string
	// Logger receives the engine's logs. Default: discard.
	Logger *slog.Logger
	// DevMode shows every page in a real window on the user's display
	// ($DISPLAY, authorised through $XAUTHORITY), for debugging, like the
	// reference's dev_mode: the window mirrors the page live and forwards
	// its mouse, wheel, keyboard and focus to the page. Pages still render
	// on their private Xvfb, so frames, events and everything else work as
	// without DevMode. Without a usable display (no $DISPLAY, refused
	// authorization, not 24-bit TrueColor) pages open without a window and
	// a warning is logged. Closing the window closes only the window.
	DevMode bool
	// AllowedSchemes is the URL policy of NewPage and Navigate.
	// Default: DefaultAllowedSchemes (http, https, file, data, about).
	AllowedSchemes []string
	// DefaultPage fills the zero fields of the PageOptions given to NewPage.
	// Its own zero fields default to 1280x720 at 30 frames per second.
	DefaultPage PageOptions
	// MaxPages limits the pages open at once; 0 means no limit. Each page
	// costs about half a GiB of memory and real CPU.
	MaxPages int
	// PulseAudioPath is the PulseAudio executable. Default: see
	// ResolvePulseAudio.
	PulseAudioPath string
	// NoAudio opens pages without sound capture and starts no sound server.
	// Page.Audio then delivers nothing.
	NoAudio bool
	// ChromiumFlags are extra command-line flags for every page's Chromium,
	// e.g. "--lang=de".
	ChromiumFlags []string
	// WarmPages, 0..MaxWarmPages, keeps this many pages started ahead: a
	// display and a Chromium on about:blank, with the options of
	// DefaultPage. NewPage with options that resolve to the same (any URL)
	// then takes one and only navigates it, in a fraction of a cold start
	// (docs/benchmarks.md), and a replacement starts in the background.
	// Other options start cold. Each waiting page costs the memory of a
	// page and a little CPU; it is not counted by Pages or MaxPages.
	// Default 0.
	WarmPages int
	// Egress is the network policy of every page (see EgressPolicy) whose
	// PageOptions.Egress (or DefaultPage.Egress) is nil. Default nil: no
	// filtering, no proxy; the lkbrowser publish and worker commands set
	// one.
	Egress *EgressPolicy
}

// Engine runs pages. It owns a private runtime directory and every page's
// processes. It is safe for concurrent use.
type Engine struct {
	opts     Options
	log      *slog.Logger
	chromium string
	xvfb     string
	policy   URLPolicy
	root     string   // private runtime directory, 0700 (rundir.go)
	rootLock *os.File // holds root's lock while the engine lives; nil if locks are unsupported
	epoch    time.Time

	mu           sync.Mutex
	pages        map[int]*Page // open pages; starting ones are not listed
	nextID       int
	closed       bool
	startingUser int            // user pages being started
	warmStarting int            // warm pages being started (warm.go)
	starting     sync.WaitGroup // pages being started
	// ctx ends when Close starts, cutting short pages being started.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	closeErr  error

	// Cursor names are learnt once per engine (cursor.go).
	cursorOnce   sync.Once
	cursorTab    *cursorTable
	cursorCancel context.CancelFunc
	bg           sync.WaitGroup // background work: cursor calibration

	soundMu  sync.Mutex
	soundSrv *soundServer // started with the first page that plays sound
}

// NewEngine finds Chromium and Xvfb and prepares a private runtime directory,
// removing those that engines killed without Close left in Options.TempDir.
// It starts no process yet, except the pages of Options.WarmPages (in the
// background): each page starts its own display and browser.
// ctx bounds the start-up.
func NewEngine(ctx context.Context, opts Options) (*Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	chromium, err := ResolveChromium(opts.ChromiumPath, opts.CacheDir)
	if err != nil {
		return nil, err
	}
	xvfb, err := ResolveXvfb(opts.XvfbPath)
	if err != nil {
		return nil, err
	}
	schemes := opts.AllowedSchemes
	if len(schemes) == 0 {
		schemes = DefaultAllowedSchemes
	}
	lower := make([]string, len(schemes))
	for i, s := range schemes {
		lower[i] = strings.ToLower(s)
	}
	if opts.MaxPages < 0 {
		return nil, invalidArg(ErrInvalidOption, "MaxPages", opts.MaxPages, "must be 0 (no limit) or more")
	}
	if opts.WarmPages < 0 || opts.WarmPages > MaxWarmPages {
		return nil, invalidArg(ErrInvalidOption, "WarmPages", opts.WarmPages, fmt.Sprintf("must be 0..%d", MaxWarmPages))
	}
	if opts.Egress != nil {
		if err := opts.Egress.Validate(); err != nil {
			return nil, err
		}
		if opts.DefaultPage.Egress == nil {
			opts.DefaultPage.Egress = opts.Egress.clone()
		}
	}
	if opts.WarmPages > 0 {
		if err := (PageOptions{}).withDefaults(opts.DefaultPage).validate(); err != nil {
			return nil, fmt.Errorf("lkbrowser: DefaultPage of warm pages: %w", err)
		}
	}
	root, rootLock, err := makeRunDir(opts.TempDir)
	if err != nil {
		return nil, fmt.Errorf("lkbrowser: runtime dir: %w", err)
	}
	if rootLock == nil {
		log.Warn("no file locks in TempDir: if this engine dies without Close, its runtime dir stays", "dir", root)
	}
	// Ours is locked now; remove those of engines that died without Close.
	sweepStaleRunDirs(opts.TempDir, log)
	e := &Engine{
		opts: opts, log: log, chromium: chromium, xvfb: xvfb,
		policy: URLPolicy{Schemes: slices.Clip(lower)},
		root:   root, rootLock: rootLock, epoch: time.Now(), pages: map[int]*Page{},
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	log.Info("engine started", "chromium", chromium, "xvfb", xvfb, "dir", root)
	if os.Geteuid() == 0 { // see chromiumFlags
		log.Warn("running as root: Chromium runs without its sandbox (--no-sandbox); run as a normal user to keep it")
	}
	e.refillWarm()
	return e, nil
}

// Epoch is the origin of the engine's clock: Frame.PTS (and audio PTS) are
// durations since Epoch on the monotonic clock.
func (e *Engine) Epoch() time.Time { return e.epoch }

// ChromiumPath returns the Chromium executable the engine runs.
func (e *Engine) ChromiumPath() string { return e.chromium }

// XvfbPath returns the Xvfb executable the engine runs.
func (e *Engine) XvfbPath() string { return e.xvfb }

// Pages returns the open pages, oldest first.
func (e *Engine) Pages() []*Page {
	return e.pageList(false)
}

// pageList returns the open pages, with or without the engine's own.
func (e *Engine) pageList(internal bool) []*Page {
	e.mu.Lock()
	defer e.mu.Unlock()
	ps := make([]*Page, 0, len(e.pages))
	for _, p := range e.pages {
		if internal || p.users() {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *Page) int { return a.id - b.id })
	return ps
}

// reserve gives a starting page its id and a place within MaxPages, or
// fails when the engine is closed or full. The caller must call e.starting.Done
// when the start is over, and commit the page if it succeeded.
func (e *Engine) reserve(p *Page) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if p.users() {
		if err := e.roomLocked(); err != nil {
			return err
		}
	}
	e.nextID++
	p.id = e.nextID
	if p.users() {
		e.startingUser++
	}
	e.starting.Add(1)
	return nil
}

// commit lists a started page, or fails when the engine closed meanwhile.
func (e *Engine) commit(p *Page, ok bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.users() {
		e.startingUser--
	}
	if !ok {
		return nil
	}
	if e.closed {
		return ErrClosed
	}
	e.pages[p.id] = p
	return nil
}

// userPages counts the pages opened by the user; e.mu must be held.
func (e *Engine) userPages() (n int) {
	for _, p := range e.pages {
		if p.users() {
			n++
		}
	}
	return n
}

// roomLocked returns ErrTooManyPages when MaxPages user pages are open or
// starting; e.mu must be held.
func (e *Engine) roomLocked() error {
	if n := e.userPages() + e.startingUser; e.opts.MaxPages > 0 && n >= e.opts.MaxPages {
		return fmt.Errorf("%w: %d open, limit %d", ErrTooManyPages, n, e.opts.MaxPages)
	}
	return nil
}

func (e *Engine) unregister(p *Page) {
	e.mu.Lock()
	delete(e.pages, p.id)
	e.mu.Unlock()
}

// Close closes every page (newest first), then removes the runtime
// directory. Pages still starting fail with ErrClosed. It is idempotent:
// later calls return the first call's result. It returns errors.Join of
// everything that failed.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.mu.Lock()
		e.closed = true
		cancel := e.cursorCancel
		e.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		e.cancel()
		e.starting.Wait()
		pages := e.pageList(true)
		slices.Reverse(pages)
		errs := make([]error, len(pages))
		var wg sync.WaitGroup
		for i, p := range pages {
			wg.Go(func() { errs[i] = p.Close() })
		}
		wg.Wait()
		e.bg.Wait()
		if err := e.closeSound(); err != nil {
			errs = append(errs, err)
		}
		if err := os.RemoveAll(e.root); err != nil {
			errs = append(errs, fmt.Errorf("remove runtime dir: %w", err))
		}
		// Unlocked only now: what RemoveAll left is stale for the next engine.
		if e.rootLock != nil {
			e.rootLock.Close()
		}
		e.closeErr = errors.Join(errs...)
		e.log.Info("engine closed", "err", e.closeErr)
	})
	return e.closeErr
}

package computer

import (
	"context"
	"errors"
	"image"
	"io"
	"log/slog"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// Options configure a Computer. The zero value is usable.
type Options struct {
	// DisplayWidth and DisplayHeight are the declared display size: the size
	// of every screenshot and the space of every coordinate. Zero means the
	// page's size when New is called, scaled down (keeping its aspect ratio)
	// to fit DefaultMaxDisplay pixels and MaxDisplaySide on each side, never
	// up. Set both or neither; each is lkbrowser.MinPageSize..MaxPageSize.
	DisplayWidth, DisplayHeight int
	// Quiet is how long the page must be still (no damage, no navigation in
	// flight) for an action to count as settled. Default DefaultQuiet. It is
	// lengthened to two frame intervals of a page with a low frame rate,
	// which cannot report damage more often.
	Quiet time.Duration
	// SettleLimit bounds the wait for the page to settle after an action.
	// Default DefaultSettleLimit. It must not be shorter than Quiet.
	SettleLimit time.Duration
	// JPEGQuality is used for JPEG screenshots, 1..100. Default 80.
	JPEGQuality int
	// HoldDuration is how long HoldKey holds when its Duration is 0.
	// Default DefaultHoldDuration.
	HoldDuration time.Duration
	// WaitDuration is how long Wait waits when its Duration is 0. Default
	// DefaultWaitDuration.
	WaitDuration time.Duration
	// Logger receives debug logs; discarded when nil.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultQuiet       = 100 * time.Millisecond
	DefaultSettleLimit = 2 * time.Second
	// DefaultMaxDisplay is the largest default display in pixels (about
	// 1.15 megapixels and at most 1568 on a side, what Anthropic's models
	// see without scaling of their own); a larger page is scaled down.
	DefaultMaxDisplay   = 1_150_000
	DefaultJPEGQuality  = 80
	DefaultHoldDuration = 500 * time.Millisecond // the reference agent's hold_key default
	DefaultWaitDuration = time.Second            // the reference agent's wait
)

// withDefaults validates o and fills its zero fields; the display size is
// filled by New, which knows the page.
func (o Options) withDefaults() (Options, error) {
	switch {
	case (o.DisplayWidth == 0) != (o.DisplayHeight == 0):
		return o, badOption("DisplayWidth/DisplayHeight", fmtSize(o.DisplayWidth, o.DisplayHeight), "set both or neither")
	case o.DisplayWidth != 0 && (o.DisplayWidth < lkbrowser.MinPageSize || o.DisplayWidth > lkbrowser.MaxPageSize):
		return o, badOption("DisplayWidth", o.DisplayWidth, "must be 16..4096")
	case o.DisplayHeight != 0 && (o.DisplayHeight < lkbrowser.MinPageSize || o.DisplayHeight > lkbrowser.MaxPageSize):
		return o, badOption("DisplayHeight", o.DisplayHeight, "must be 16..4096")
	case o.Quiet < 0:
		return o, badOption("Quiet", o.Quiet, "must not be negative")
	case o.SettleLimit < 0:
		return o, badOption("SettleLimit", o.SettleLimit, "must not be negative")
	case o.JPEGQuality < 0 || o.JPEGQuality > 100:
		return o, badOption("JPEGQuality", o.JPEGQuality, "must be 1..100 (0 for the default)")
	case o.HoldDuration < 0 || o.HoldDuration > MaxDuration:
		return o, badOption("HoldDuration", o.HoldDuration, "must be 0..100s")
	case o.WaitDuration < 0 || o.WaitDuration > MaxDuration:
		return o, badOption("WaitDuration", o.WaitDuration, "must be 0..100s")
	}
	o.Quiet = pick(o.Quiet, DefaultQuiet)
	o.SettleLimit = pick(o.SettleLimit, DefaultSettleLimit)
	o.JPEGQuality = pick(o.JPEGQuality, DefaultJPEGQuality)
	o.HoldDuration = pick(o.HoldDuration, DefaultHoldDuration)
	o.WaitDuration = pick(o.WaitDuration, DefaultWaitDuration)
	if o.Quiet > o.SettleLimit {
		return o, badOption("Quiet", o.Quiet, "is longer than SettleLimit "+o.SettleLimit.String()+": no action could settle")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

func pick[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Computer performs Actions on one page. See the package documentation.
type Computer struct {
	page *lkbrowser.Page
	opts Options
	log  *slog.Logger

	dispW, dispH int

	// sem serialises actions (a mutex a waiter can give up on with its
	// context). It guards cursor.
	sem    chan struct{}
	cursor image.Point // the pointer, in display pixels
}

// errNoComputer is returned by the methods of a nil *Computer.
var errNoComputer = errors.New("computer: nil Computer (use New)")

// New returns a Computer for page. It refuses a nil page or invalid
// Options with an *OptionsError matching ErrInvalidOptions.
func New(page *lkbrowser.Page, opts Options) (*Computer, error) {
	if page == nil {
		return nil, badOption("page", "nil", "New needs a page")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Computer{page: page, opts: o, log: o.Logger, sem: make(chan struct{}, 1)}
	c.dispW, c.dispH = o.DisplayWidth, o.DisplayHeight
	if c.dispW == 0 {
		c.dispW, c.dispH = defaultDisplay(page.Width(), page.Height())
	}
	c.opts.DisplayWidth, c.opts.DisplayHeight = c.dispW, c.dispH
	return c, nil
}

// Display returns the declared display size.
func (c *Computer) Display() (width, height int) {
	if c == nil {
		return 0, 0
	}
	return c.dispW, c.dispH
}

// PagePoint converts a point of the display to the page pixel an action at
// it reaches, for the page's current size (e.g. to draw an agent's cursor
// over the page). A point outside the display is refused with an error
// matching ErrOffDisplay.
func (c *Computer) PagePoint(p image.Point) (image.Point, error) {
	if c == nil || c.page == nil {
		return image.Point{}, errNoComputer
	}
	g := c.geometry()
	if !g.onDisplay(p) {
		return image.Point{}, offDisplay(MouseMove, "Point", "(%d,%d) is outside the %dx%d display", p.X, p.Y, g.dispW, g.dispH)
	}
	return g.toPage(p), nil
}

// geometry returns the display and the page's current size.
func (c *Computer) geometry() geometry {
	return geometry{dispW: c.dispW, dispH: c.dispH, pageW: max(c.page.Width(), 1), pageH: max(c.page.Height(), 1)}
}

// lock takes the action lock, or gives up when ctx ends.
func (c *Computer) lock(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Computer) unlock() { <-c.sem }

// Do performs one action and returns when the page has settled. A refused
// action (unknown kind, coordinates outside the display, a malformed combo)
// returns an *ActionError matching ErrInvalidAction or ErrOffDisplay and
// changes nothing on the page. Errors of the page (lkbrowser.ErrClosed,
// ErrCrashed) and of ctx are returned wrapped; an action cut short by ctx
// releases the keys and buttons it pressed.
func (c *Computer) Do(ctx context.Context, a Action) (Result, error) {
	if c == nil || c.page == nil {
		return Result{}, errNoComputer
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := c.lock(ctx); err != nil {
		return Result{}, pageError(a.Kind, err)
	}
	defer c.unlock()
	s, err := plan(a, c.geometry(), c.opts)
	if err != nil {
		c.log.Debug("computer: action refused", "kind", a.Kind, "err", err)
		return Result{Cursor: c.cursor}, err
	}
	start := time.Now()
	res, err := c.perform(ctx, s)
	res.Cursor = c.cursor
	c.log.Debug("computer: action done", "kind", a.Kind, "took", time.Since(start),
		"waited", res.Settled.Waited, "still", res.Settled.Still, "changes", res.Settled.Changes, "err", err)
	if err != nil {
		return res, pageError(a.Kind, err)
	}
	return res, nil
}

// perform runs a planned step. Input actions watch the page from before
// their first event and settle after their last.
func (c *Computer) perform(ctx context.Context, s step) (Result, error) {
	switch s.kind {
	case Screenshot:
		img, err := c.screenshot(ctx, s)
		return Result{Image: img}, err
	case Zoom:
		img, err := c.zoom(ctx, s)
		return Result{Image: img}, err
	case CursorPosition:
		return Result{}, nil
	}
	w := c.watch(ctx, s.kind == Wait)
	defer w.close()
	last, err := c.input(ctx, s)
	if err != nil {
		return Result{}, err
	}
	settled, err := w.settle(ctx, last)
	return Result{Settled: settled}, err
}

// input sends a step's input events and returns the time of the last.
func (c *Computer) input(ctx context.Context, s step) (time.Time, error) {
	var err error
	switch s.kind {
	case Click:
		err = c.click(ctx, s)
	case MouseMove:
		err = c.mouseMove(ctx, s)
	case MouseDown, MouseUp:
		err = c.mouseButton(ctx, s, s.kind == MouseUp)
	case Drag:
		err = c.drag(ctx, s)
	case Scroll:
		err = c.scroll(ctx, s)
	case Type:
		err = c.page.TypeText(ctx, s.text)
	case Key:
		err = c.pressKeys(ctx, s.combos, s.repeat)
	case HoldKey:
		err = c.holdKeys(ctx, s.combos[0], s.dur)
	case Wait:
		err = sleep(ctx, s.dur)
	}
	return time.Now(), err
}

// Settle waits, without acting, until the page is still and loaded (no
// damage for Options.Quiet, no navigation in flight, the document's load
// finished) or SettleLimit passes: e.g. after Page.Navigate, before a
// screenshot. It waits for a running action to end first.
func (c *Computer) Settle(ctx context.Context) (Settle, error) {
	if c == nil || c.page == nil {
		return Settle{}, errNoComputer
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := c.lock(ctx); err != nil {
		return Settle{}, pageError("settle", err)
	}
	defer c.unlock()
	w := c.watch(ctx, true)
	defer w.close()
	st, err := w.settle(ctx, time.Now())
	if err != nil {
		return st, pageError("settle", err)
	}
	return st, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package lkbrowser

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of RestartPolicy.
const (
	DefaultRestartBackoff    = 500 * time.Millisecond
	DefaultRestartMaxBackoff = 30 * time.Second
	DefaultRestartWindow     = 10 * time.Minute
	// restartTimeout bounds one restart's navigation.
	restartTimeout = 30 * time.Second
)

// RestartPolicy makes a page load its last address again by itself when its
// renderer crashes (PageOptions.Restart). Each restart is reported by a
// Restarted event; a crash beyond MaxRestarts is reported as Crashed and
// left to the caller (Navigate or Reload still bring the page back).
//
// Only renderer crashes are restarted. When the page's browser or display
// process dies the page reports Crashed and cannot be brought back: close it
// and open a new page.
//
// The zero value restarts nothing.
type RestartPolicy struct {
	// MaxRestarts is how many restarts may happen within Window; 0 turns
	// automatic restarts off.
	MaxRestarts int
	// Backoff is the wait before the first restart within Window; each
	// further restart within Window waits twice as long as the one before,
	// up to MaxBackoff. Default DefaultRestartBackoff.
	Backoff time.Duration
	// MaxBackoff caps the wait. Default DefaultRestartMaxBackoff (or
	// Backoff, when that is longer).
	MaxBackoff time.Duration
	// Window is how long a restart counts against MaxRestarts and doubles
	// the back-off. Default DefaultRestartWindow.
	Window time.Duration
}

// validate refuses negative values and a cap below the first wait.
func (r RestartPolicy) validate() error {
	switch {
	case r.MaxRestarts < 0:
		return invalidArg(ErrInvalidRestartPolicy, "Restart.MaxRestarts", r.MaxRestarts, "must be 0 (off) or more")
	case r.Backoff < 0:
		return invalidArg(ErrInvalidRestartPolicy, "Restart.Backoff", r.Backoff, "must not be negative")
	case r.MaxBackoff < 0:
		return invalidArg(ErrInvalidRestartPolicy, "Restart.MaxBackoff", r.MaxBackoff, "must not be negative")
	case r.Window < 0:
		return invalidArg(ErrInvalidRestartPolicy, "Restart.Window", r.Window, "must not be negative")
	case r.MaxBackoff != 0 && r.MaxBackoff < r.Backoff:
		return invalidArg(ErrInvalidRestartPolicy, "Restart.MaxBackoff", r.MaxBackoff, "shorter than Backoff")
	}
	return nil
}

func (r RestartPolicy) withDefaults() RestartPolicy {
	if r.Backoff == 0 {
		r.Backoff = DefaultRestartBackoff
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = max(DefaultRestartMaxBackoff, r.Backoff)
	}
	if r.Window == 0 {
		r.Window = DefaultRestartWindow
	}
	return r
}

// delay is the wait before a restart when n restarts happened within the
// window: Backoff doubled n times, capped.
func (r RestartPolicy) delay(n int) time.Duration {
	d := r.Backoff
	for i := 0; i < n && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.MaxBackoff)
}

// crashReason is the Crashed event's reason for a renderer crash.
const crashReason = "renderer crashed"

// renderer tracks a page's renderer: whether it crashed, and the automatic
// restarts of RestartPolicy. Its crash handler runs on chromedp's reader
// goroutine and never blocks; restarts run on goroutines of their own,
// which stop waits for.
type renderer struct {
	p      *Page
	policy RestartPolicy

	// crashed is true while the renderer is dead.
	crashed atomic.Bool

	mu      sync.Mutex
	gone    chan struct{} // closed at the next crash, then replaced
	history []time.Time   // restarts begun within the window
	pending bool          // a restart is scheduled or running
	started bool          // the page's browser is up: restarts may run
	stopped bool
	ctx     context.Context // ends when the page closes
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func (r *renderer) init(p *Page, policy RestartPolicy) {
	r.p = p
	r.policy = policy.withDefaults()
	r.gone = make(chan struct{})
	r.ctx, r.cancel = context.WithCancel(context.Background())
}

// start lets restarts run once the page's browser is up, and restarts a
// renderer that crashed before.
func (r *renderer) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = true
	if r.crashed.Load() && !r.pending && !r.stopped && r.policy.MaxRestarts > 0 {
		r.scheduleLocked(crashReason)
	}
}

// nextCrash returns a channel closed when the renderer next crashes, so
// that calls in flight end then instead of hanging.
func (r *renderer) nextCrash() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gone
}

// err returns ErrCrashed while the renderer is dead.
func (r *renderer) err() error {
	if r.crashed.Load() {
		return fmt.Errorf("%w: %s (Navigate or Reload brings the page back)", ErrCrashed, crashReason)
	}
	return nil
}

// back records that the main frame committed a document: the renderer
// lives again.
func (r *renderer) back() { r.crashed.Store(false) }

// onCrash handles Inspector.targetCrashed: calls in flight end with
// ErrCrashed, and the page is restarted or the crash reported.
func (r *renderer) onCrash() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.crashed.Store(true)
	close(r.gone)
	r.gone = make(chan struct{})
	r.p.e.log.Warn("renderer crashed", "page", r.p.id, "restart", r.policy.MaxRestarts > 0)
	if r.pending || (!r.started && r.policy.MaxRestarts > 0) {
		return // the restart under way will see this crash, or start will
	}
	r.scheduleLocked(crashReason)
}

// scheduleLocked starts the next restart after its back-off, or reports
// the crash when restarts are off or used up. r.mu must be held.
func (r *renderer) scheduleLocked(reason string) {
	if r.policy.MaxRestarts == 0 {
		r.p.events.emit(&Crashed{now(), reason, true})
		return
	}
	at := time.Now()
	kept := r.history[:0]
	for _, t := range r.history {
		if at.Sub(t) < r.policy.Window {
			kept = append(kept, t)
		}
	}
	r.history = kept
	n := len(r.history)
	if n >= r.policy.MaxRestarts {
		final := fmt.Sprintf("%s; not restarted: %d restarts within %v already", reason, n, r.policy.Window)
		r.p.e.log.Warn("page not restarted", "page", r.p.id, "reason", final)
		r.p.events.emit(&Crashed{EventTime{at}, final, true})
		return
	}
	r.history = append(r.history, at)
	r.pending = true
	r.wg.Add(1)
	go r.restart(at, r.policy.delay(n), n+1, reason)
}

// restart waits delay, then loads the page's last address again. A failed
// attempt counts like a crash. at is when it was scheduled (its entry in
// history).
func (r *renderer) restart(at time.Time, delay time.Duration, attempt int, reason string) {
	defer r.wg.Done()
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
		return
	}
	if !r.crashed.Load() { // brought back by Navigate or Reload meanwhile
		r.mu.Lock()
		defer r.mu.Unlock()
		r.pending = false
		if i := slices.Index(r.history, at); i >= 0 { // no restart happened
			r.history = slices.Delete(r.history, i, i+1)
		}
		if r.crashed.Load() && !r.stopped { // crashed again just now
			r.scheduleLocked(reason)
		}
		return
	}
	url := r.p.URL()
	if url == "" {
		url = r.p.opts.URL
	}
	gone := r.nextCrash()
	err := r.p.e.policy.Check(url)
	if err == nil || r.p.internal {
		ctx, cancel := context.WithTimeout(r.ctx, restartTimeout)
		err = r.p.navigate(ctx, url)
		cancel()
		var le *LoadError
		if errors.As(err, &le) { // an error page is a live renderer
			err = nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = false
	if r.stopped {
		return
	}
	if err == nil {
		select {
		case <-gone: // onCrash closes it under r.mu
			err = errors.New("crashed again while loading")
		default:
			r.back()
		}
	}
	if err == nil {
		r.p.e.log.Info("page restarted", "page", r.p.id, "attempt", attempt, "url", url)
		r.p.events.emit(&Restarted{now(), attempt, url, reason})
		return
	}
	r.p.e.log.Warn("page restart failed", "page", r.p.id, "attempt", attempt, "url", url, "err", err)
	if r.p.alive() != nil {
		return // the browser or display died: watch reports that, finally
	}
	if r.crashed.Load() {
		r.scheduleLocked(fmt.Sprintf("%s; restart %d failed: %v", reason, attempt, err))
	}
}

// stop ends automatic restarts and waits for one under way.
func (r *renderer) stop() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

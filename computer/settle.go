package computer

import (
	"context"
	"errors"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// Settling. An action returns when the page has been still for the quiet
// interval, or when SettleLimit has passed since its last input event. The
// page is still when:
//
//   - no frame arrived: the page delivers a frame only when its picture
//     changed (damage), at most at its frame rate, so the quiet interval is
//     at least two frame intervals;
//   - no finite CSS transition or animation runs (document.getAnimations):
//     a renderer starved of CPU may space their frames out beyond the quiet
//     interval; infinite ones (spinners) do not count;
//   - no navigation is in flight: none committed (URLChanged) whose load has
//     not finished (LoadFinished, LoadFailed, or document.readyState
//     "complete", which a same-document navigation already is), none
//     started by the document and not yet committed, and no new document
//     that has not painted yet (see unsettled and navprobe.go);
//   - for Wait and Settle, the document itself has finished loading.
//
// The conditions after the first are read from the page by one probe call
// once it has gone still, so a static page costs the quiet interval and
// one call.
//
// The frames and events are read from subscriptions made before the
// action's first input and closed when it returns; frames are released as
// soon as they arrive.

// watch observes the page during one action.
type watch struct {
	c      *Computer
	frames *lkbrowser.FrameSubscription
	events *lkbrowser.EventSubscription
	mark   probeMark
	loaded bool // also wait for the document's load to finish
}

// watch subscribes to the page's frames and events and installs the
// navigation probe; call it before the action's first input, and close the
// watch when the action returns.
func (c *Computer) watch(ctx context.Context, loaded bool) *watch {
	w := &watch{c: c, frames: c.page.SubscribeFrames(), events: c.page.SubscribeEvents(), loaded: loaded}
	w.mark = c.mark(ctx)
	return w
}

// close ends the subscriptions (releasing a frame still queued).
func (w *watch) close() {
	w.frames.Close()
	w.events.Close()
}

// quiet is the stillness an action waits for: Options.Quiet, and at least
// two frame intervals of the page.
func (c *Computer) quiet() time.Duration {
	q := c.opts.Quiet
	if fps := c.page.FrameRate(); fps > 0 {
		q = max(q, 2*time.Second/time.Duration(fps))
	}
	return q
}

// settle waits until the page has been still for the quiet interval since
// from (the action's last input) or SettleLimit has passed since from. A
// context that ends returns its error with what was seen so far.
func (w *watch) settle(ctx context.Context, from time.Time) (Settle, error) {
	quiet := w.c.quiet()
	deadline := from.Add(w.c.opts.SettleLimit)
	var st Settle
	done := func(still bool) Settle {
		st.Still = still
		st.Waited = time.Since(from)
		return st
	}
	last := from          // the last change seen (frame, navigation event, busy probe)
	var painted time.Time // when the last frame was captured
	nav := navState{}
	frames, events := w.frames.C(), w.events.C()
	quietT := time.NewTimer(time.Until(last.Add(quiet)))
	defer quietT.Stop()
	limitT := time.NewTimer(time.Until(deadline))
	defer limitT.Stop()
	changed := func(at time.Time) {
		last = at
		quietT.Reset(time.Until(last.Add(quiet)))
	}
	for {
		select {
		case f, ok := <-frames:
			if !ok { // the page closed
				return done(false), nil
			}
			// The page changed when the frame was captured (a frame queued
			// during the input counts from the input's end).
			at := f.Timestamp
			f.Release()
			st.Changes++
			if now := time.Now(); at.IsZero() || at.After(now) {
				at = now
			}
			painted = at
			if at.After(last) {
				changed(at)
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			switch ev.(type) {
			case *lkbrowser.URLChanged:
				nav.loading, nav.committed = true, ev.Time()
				changed(time.Now())
			case *lkbrowser.LoadFinished, *lkbrowser.LoadFailed:
				nav.loading, nav.loaded = false, ev.Time()
				changed(time.Now())
			case *lkbrowser.Crashed, *lkbrowser.Closed:
				return done(false), nil
			}
		case <-quietT.C:
			nav.painted = painted
			busy, stop := w.unsettled(ctx, nav, deadline)
			if err := ctx.Err(); err != nil {
				return done(false), err
			}
			if stop {
				return done(false), nil
			}
			if !busy {
				return done(true), nil
			}
			// Look again after another quiet interval.
			changed(time.Now())
		case <-limitT.C:
			return done(false), nil
		case <-ctx.Done():
			return done(false), ctx.Err()
		}
	}
}

// navState is what the page's events said about navigation during a wait.
type navState struct {
	loading   bool      // a navigation committed (URLChanged) and its load has not finished
	committed time.Time // when the last URLChanged was reported; zero if none
	loaded    time.Time // when the last LoadFinished or LoadFailed was reported; zero if none
	painted   time.Time // when the last frame was captured; zero if none
}

// unsettled asks the page, once it went still, whether it is still busy:
// a finite animation or transition running (its frames may have been
// spaced out by a starved renderer), or a navigation in flight: one the
// document started and that has not committed, a new
// document still loading, or a new document not yet on screen. Chromium
// keeps showing the old picture after a commit until the new document
// paints, and the page's events may come after the probe sees the new
// document, so a new document is on screen when its first paint was
// presented (Paint Timing), or, for one that paints nothing Paint Timing
// counts (a blank page), when a frame arrived after its URLChanged or, for
// a reload (no URLChanged), once its load was reported. A probe that does
// not answer counts as busy: Chromium holds DevTools calls to a frame
// whose navigation is pending. stop reports that the page is gone.
func (w *watch) unsettled(ctx context.Context, nav navState, deadline time.Time) (busy, stop bool) {
	timeout := min(probeTimeout, time.Until(deadline))
	if timeout <= 0 {
		return true, false
	}
	st, err := w.c.check(ctx, w.mark, timeout)
	if err != nil {
		if errors.Is(err, lkbrowser.ErrClosed) || errors.Is(err, lkbrowser.ErrCrashed) {
			return false, true
		}
		w.c.log.Debug("computer: navigation probe failed", "err", err)
		return true, false
	}
	loading := st.Ready != "complete"
	// A new document: the probe found another one than it marked (or, when
	// it could not mark, the page reported a commit).
	newDoc := !st.Same && (w.mark.ID != "" || !nav.committed.IsZero())
	switch {
	case st.Pending: // the document started a navigation, not yet committed
		return true, false
	case st.Animating:
		return true, false
	case loading && (nav.loading || newDoc || w.loaded):
		return true, false
	case newDoc && !st.Painted:
		switch {
		case !nav.committed.IsZero():
			return !nav.painted.After(nav.committed), false // no frame since the commit
		case nav.loaded.IsZero():
			return true, false // the page has not reported the navigation yet
		}
	}
	return false, false
}

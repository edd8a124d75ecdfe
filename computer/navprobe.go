package computer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// The page's events report a navigation only once it committed
// (URLChanged) and loaded (LoadFinished); between a click on a link and the
// commit the old document stays on screen, still, for as long as the
// server takes to answer. The probe closes that gap from inside the page:
// a listener on the Navigation API's navigate event counts the
// cross-document navigations the document starts, and navigatesuccess,
// navigateerror and a cancelled navigate event count them as ended. It is
// installed (once per document, on a non-enumerable symbol-keyed property
// of window) before an action's first input, and read when the page has
// gone still.

// probeTimeout bounds one probe call: a page whose main thread is busy for
// longer is treated as still changing, then looked at again.
const probeTimeout = 300 * time.Millisecond

// probeMark identifies the document an action started on and how many
// cross-document navigations it had started by then. A zero mark (id "")
// means the probe could not be installed.
type probeMark struct {
	ID string `json:"id"`
	N  int    `json:"n"`
}

// probeState is what the probe reports when the page has gone still.
type probeState struct {
	Same    bool   `json:"same"`    // the document is the one marked
	Pending bool   `json:"pending"` // it started a cross-document navigation since the mark, not yet ended
	Ready   string `json:"ready"`   // document.readyState
	Painted bool   `json:"painted"` // the document's first paint was presented (Paint Timing)
	// Animating is true while a finite CSS transition or animation (or Web
	// Animation) runs: one whose frames a starved renderer may space out
	// beyond the quiet interval. Infinite ones (spinners) do not count.
	Animating bool `json:"animating"`
}

const probeInstall = `(() => {
  const k = Symbol.for('lkbrowser.computer');
  let s = window[k];
  if (!s) {
    s = {id: Math.random().toString(36).slice(2) + Date.now().toString(36), n: 0, done: 0};
    Object.defineProperty(window, k, {value: s});
    const nav = window.navigation;
    if (nav) {
      nav.addEventListener('navigate', e => {
        if (e.destination.sameDocument || e.downloadRequest !== null) return;
        const n = ++s.n;
        setTimeout(() => { if (e.defaultPrevented && s.done < n) s.done = n; });
      });
      const end = () => { s.done = s.n; };
      nav.addEventListener('navigatesuccess', end);
      nav.addEventListener('navigateerror', end);
    }
  }
  return {id: s.id, n: s.n};
})()`

const probeCheck = `((id, n0) => {
  const s = window[Symbol.for('lkbrowser.computer')];
  const same = !!s && s.id === id;
  const painted = performance.getEntriesByType('paint').length > 0;
  const animating = document.getAnimations().some(a => a.playState === 'running' &&
    a.effect !== null && Number.isFinite(a.effect.getComputedTiming().endTime));
  return {same, pending: same && s.n > Math.max(n0, s.done), ready: document.readyState, painted, animating};
})(%q, %d)`

// mark installs the probe in the current document and returns its mark;
// on failure (a busy or navigating page) the zero mark.
func (c *Computer) mark(ctx context.Context) probeMark {
	var m probeMark
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	raw, err := c.page.Eval(pctx, probeInstall)
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	if err != nil {
		c.log.Debug("computer: navigation probe not installed", "err", err)
		return probeMark{}
	}
	return m
}

// check reads the probe against mark m.
func (c *Computer) check(ctx context.Context, m probeMark, timeout time.Duration) (probeState, error) {
	var st probeState
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := c.page.Eval(pctx, fmt.Sprintf(probeCheck, m.ID, m.N))
	if err == nil {
		err = json.Unmarshal(raw, &st)
	}
	return st, err
}

package lkbrowser

import (
	"context"
	"errors"
	"slices"
	"time"
)

// MaxWarmPages bounds Options.WarmPages.
const MaxWarmPages = 8

// warmStartTimeout bounds the start of one warm page.
const warmStartTimeout = time.Minute

// Warm pages (Options.WarmPages) are started ahead of NewPage: a display,
// a Chromium and the page's sound sink, on about:blank, with the options of
// Options.DefaultPage. They are listed in e.pages with p.warm set, which
// keeps them out of Pages, MaxPages and DevMode. NewPage adopts one whose
// options match, navigates it and starts a replacement in the background.

// users reports whether p counts as one of the user's pages; e.mu must be
// held once p is listed.
func (p *Page) users() bool { return !p.internal && !p.warm }

// warmOptions returns the options warm pages are started with.
func (e *Engine) warmOptions() PageOptions {
	o := PageOptions{}.withDefaults(e.opts.DefaultPage)
	o.URL = "about:blank"
	return o
}

// sameStart reports whether a page started with a can serve b: all options
// but the URL and the egress policy are alike, and both pages have an
// egress proxy or neither has (its rules are then set on adoption).
func sameStart(a, b PageOptions) bool {
	if a.Egress.filtering() != b.Egress.filtering() {
		return false
	}
	a.URL, b.URL = "", ""
	a.Egress, b.Egress = nil, nil
	return a == b
}

// WarmPages returns how many pages are started and waiting for NewPage
// (see Options.WarmPages).
func (e *Engine) WarmPages() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.warmReadyLocked()
}

func (e *Engine) warmReadyLocked() (n int) {
	for _, p := range e.pages {
		if p.warm {
			n++
		}
	}
	return n
}

// refillWarm starts warm pages in the background until Options.WarmPages
// are ready or starting.
func (e *Engine) refillWarm() {
	e.mu.Lock()
	n := e.opts.WarmPages - e.warmReadyLocked() - e.warmStarting
	if e.closed || n <= 0 {
		e.mu.Unlock()
		return
	}
	e.warmStarting += n
	e.bg.Add(n)
	e.mu.Unlock()
	opts := e.warmOptions()
	for range n {
		go func() {
			defer e.bg.Done()
			ctx, cancel := context.WithTimeout(e.ctx, warmStartTimeout)
			defer cancel()
			_, err := e.newPage(ctx, opts, nil, true)
			e.mu.Lock()
			e.warmStarting--
			e.mu.Unlock()
			if err != nil && e.ctx.Err() == nil {
				e.log.Warn("a warm page did not start; NewPage starts pages cold until the next try", "err", err)
			}
		}()
	}
}

// takeWarm hands over the oldest live warm page as the user's, or returns
// nil when none is ready. Dead ones are closed.
func (e *Engine) takeWarm() (*Page, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	var ready, dead []*Page
	for _, p := range e.pages {
		if p.warm {
			if p.alive() == nil {
				ready = append(ready, p)
			} else {
				dead = append(dead, p)
			}
		}
	}
	var p *Page
	var err error
	if len(ready) > 0 {
		if err = e.roomLocked(); err == nil {
			p = slices.MinFunc(ready, func(a, b *Page) int { return a.id - b.id })
			p.warm = false
		}
	}
	e.mu.Unlock()
	for _, d := range dead {
		e.log.Warn("a warm page died while it waited; closing it", "page", d.id, "err", d.alive())
		_ = d.Close()
	}
	return p, err
}

// adoptWarm opens opts on a warm page, if one with matching options is
// ready: nil, nil means the caller starts the page itself.
func (e *Engine) adoptWarm(ctx context.Context, opts PageOptions) (*Page, error) {
	if e.opts.WarmPages == 0 {
		return nil, nil
	}
	opts = opts.withDefaults(e.opts.DefaultPage)
	if !sameStart(opts, e.warmOptions()) {
		return nil, nil
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := e.policy.Check(opts.URL); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := e.takeWarm()
	defer e.refillWarm()
	if p == nil || err != nil {
		return nil, err
	}
	p.forgetWaiting()
	if err := p.setEgress(opts.Egress); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	if err := p.open(ctx, opts.URL); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	return p, nil
}

// forgetWaiting discards what a warm page produced while it waited (frames
// and sound of about:blank, its start-up events) and zeroes its counters,
// so that its user sees only their own page.
func (p *Page) forgetWaiting() {
	drain(p.frames0.q.ch, (*Frame).Release)
	drain(p.events0.q.ch, func(Event) {})
	drain(p.audio0.q.ch, func(*AudioFrame) {})
	if p.audio != nil {
		p.audio.captured.Store(0)
	}
	p.capture.captured.Store(0)
	p.frames0.q.dropped.Store(0)
	p.events0.q.dropped.Store(0)
	p.audio0.q.dropped.Store(0)
}

// drain takes what ch holds now, without waiting, and passes it to f.
func drain[T any](ch chan T, f func(T)) {
	for {
		select {
		case v := <-ch:
			f(v)
		default:
			return
		}
	}
}

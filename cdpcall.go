package lkbrowser

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

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

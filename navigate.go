package lkbrowser

import (
	"context"
	"errors"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
)

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

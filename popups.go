package lkbrowser

import (
	"context"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// PopupRequested reports that the page tried to open a new window
// (window.open, a target=_blank link) while PageOptions.PopupsAsEvents is
// set. The window itself is never opened.
type PopupRequested struct {
	EventTime
	URL string
}

// onBrowserEvent watches the browser's targets for windows the page opens.
// It runs on chromedp's reader goroutine, so the work is handed off.
func (t *tabEvents) onBrowserEvent(ev any) {
	var info *target.Info
	switch e := ev.(type) {
	case *target.EventTargetCreated:
		info = e.TargetInfo
	case *target.EventTargetInfoChanged:
		info = e.TargetInfo
	default:
		return
	}
	if info == nil || info.Type != "page" || info.OpenerID == "" || !t.isMainFrame(string(info.OpenerID)) {
		return
	}
	// window.open() starts at about:blank and navigates later; wait for
	// the real address.
	if info.URL == "" || info.URL == "about:blank" {
		return
	}
	t.mu.Lock()
	if t.popups == nil {
		t.popups = map[target.ID]bool{}
	}
	seen := t.popups[info.TargetID]
	t.popups[info.TargetID] = true
	t.mu.Unlock()
	if !seen {
		go t.p.handlePopup(info.TargetID, info.URL)
	}
}

// handlePopup closes a window the page opened and, like the reference,
// loads its address in the page itself, or reports it as an event.
func (p *Page) handlePopup(id target.ID, url string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := runBounded(ctx, p.brw.proc, func() error {
		_, err := chromedp.CallBrowser(p.brw.bctx, target.CloseTarget, target.CloseTargetParams{TargetID: id})
		return err
	}); err != nil {
		p.e.log.Debug("close popup", "page", p.id, "err", err)
	}
	if p.opts.PopupsAsEvents {
		p.events.emit(&PopupRequested{now(), url})
		return
	}
	if err := p.Navigate(ctx, url); err != nil {
		p.e.log.Info("popup not followed", "page", p.id, "url", url, "err", err)
	}
}

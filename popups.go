package lkbrowser

import (
	"context"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser/internal/xpointer"
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

// popupPointer sends the pointer events that land on a popup window through
// the page's X server. Chromium draws an open <select> list (and other
// widgets' pop-ups) in an override-redirect X window of its own, which
// Input.dispatchMouseEvent never reaches: a click there would close the list
// unchosen. A press that went this way is released this way, wherever the
// release happens, as the X server's implicit grab expects.
type popupPointer struct {
	conn    *xpointer.Conn // opened on first use; nil until then or if that failed
	failed  bool           // Open failed once; popups then get CDP input
	pressed int            // bits 1<<button of the buttons pressed through X
}

// xButtons maps MouseButton to X button numbers.
var xButtons = map[MouseButton]int{MouseLeft: 1, MouseMiddle: 2, MouseRight: 3}

// sendPopupPointer sends the event through X and reports true when x, y is
// on a popup window, or when it releases a button pressed there; otherwise
// it sends nothing and reports false. The caller holds p.input.
func (p *Page) sendPopupPointer(ev xpointer.Event, button MouseButton, x, y int) (bool, error) {
	pp := &p.popup
	xb := xButtons[button]
	if ev == xpointer.Release && pp.pressed&(1<<xb) != 0 {
		pp.pressed &^= 1 << xb
		return true, pp.conn.Fake(ev, xb, x, y)
	}
	if pp.conn == nil {
		if pp.failed {
			return false, nil
		}
		c, err := xpointer.Open(p.disp.name, p.disp.cookie)
		if err != nil {
			pp.failed = true
			p.e.log.Warn("popup input unavailable", "page", p.id, "err", err)
			return false, nil
		}
		pp.conn = c
	}
	// While a button is held on a popup, moves follow it there (drags).
	if pp.pressed == 0 || ev != xpointer.Motion {
		on, err := pp.conn.PopupAt(x, y)
		if err != nil || !on {
			return false, err
		}
	}
	if ev == xpointer.Press {
		pp.pressed |= 1 << xb
	}
	return true, pp.conn.Fake(ev, xb, x, y)
}

// close closes the X connection; the caller holds p.input.
func (pp *popupPointer) close() {
	if pp.conn != nil {
		pp.conn.Close()
		pp.conn = nil
	}
	pp.failed, pp.pressed = true, 0
}

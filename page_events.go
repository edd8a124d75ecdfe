package lkbrowser

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
)

// tabEvents turns CDP events of a page's tab into Events. Its handlers run
// on chromedp's reader goroutines, so they only update state and emit.
type tabEvents struct {
	p *Page

	mu       sync.Mutex
	targetID target.ID                    // the tab; its main frame has the same id
	docReqs  map[network.RequestID]string // main-frame document loads in flight
	url      string                       // last URL reported
	title    string                       // last title reported
	commits  []chan struct{}              // closed at the next main-frame commit
	popups   map[target.ID]bool           // windows the page opened, handled
	errPage  bool                         // the document is Chromium's error page
}

// nextCommit returns a channel closed when the main frame next commits a
// navigation (to a new document or within the document).
func (t *tabEvents) nextCommit() <-chan struct{} {
	ch := make(chan struct{})
	t.mu.Lock()
	t.commits = append(t.commits, ch)
	t.mu.Unlock()
	return ch
}

func (t *tabEvents) committed() {
	t.mu.Lock()
	for _, ch := range t.commits {
		close(ch)
	}
	t.commits = nil
	t.mu.Unlock()
}

func (t *tabEvents) setTarget(id target.ID) {
	t.mu.Lock()
	t.targetID = id
	t.mu.Unlock()
}

// isMainFrame reports whether id is the tab's main frame.
func (t *tabEvents) isMainFrame(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return id == string(t.targetID)
}

func (t *tabEvents) init(p *Page) {
	t.p = p
	t.docReqs = map[network.RequestID]string{}
}

func (t *tabEvents) emit(ev Event) { t.p.events.emit(ev) }

func now() EventTime { return EventTime{time.Now()} }

// onTabEvent handles the events of the page's tab.
func (t *tabEvents) onTabEvent(ev any) {
	switch e := ev.(type) {
	case *page.EventFrameNavigated:
		if e.Frame == nil || e.Frame.ParentID != "" {
			return
		}
		url := e.Frame.URL + e.Frame.URLFragment
		if e.Frame.UnreachableURL != "" {
			url = e.Frame.UnreachableURL
		}
		t.mu.Lock()
		t.errPage = e.Frame.UnreachableURL != ""
		t.mu.Unlock()
		t.p.render.back() // a committed document has a live renderer
		t.setURL(url)
		t.committed()
	case *page.EventNavigatedWithinDocument:
		if t.isMainFrame(string(e.FrameID)) {
			t.setURL(e.URL)
			t.committed()
		}
	case *page.EventLoadEventFired:
		t.mu.Lock()
		url, errPage := t.url, t.errPage
		t.mu.Unlock()
		if !errPage { // a failed load was reported as LoadFailed
			t.emit(&LoadFinished{now(), url})
		}
	case *network.EventRequestWillBeSent:
		if e.Type == network.ResourceTypeDocument && t.isMainFrame(string(e.FrameID)) && e.Request != nil {
			t.mu.Lock()
			if len(t.docReqs) > 64 { // never grows without bound
				clear(t.docReqs)
			}
			t.docReqs[e.RequestID] = e.Request.URL + e.Request.URLFragment
			t.mu.Unlock()
		}
	case *network.EventLoadingFinished:
		t.mu.Lock()
		delete(t.docReqs, e.RequestID)
		t.mu.Unlock()
	case *network.EventLoadingFailed:
		t.mu.Lock()
		url, ok := t.docReqs[e.RequestID]
		delete(t.docReqs, e.RequestID)
		t.mu.Unlock()
		if ok && !e.Canceled {
			t.emit(&LoadFailed{now(), url, e.ErrorText})
		}
	case *cdpruntime.EventBindingCalled:
		switch e.Name {
		case watcherBinding:
			t.onWatcherReport(e.Payload)
		case messageBinding:
			t.onMessage(e.Payload)
		}
	case *inspector.EventTargetCrashed:
		// The renderer died; Navigate or Reload (or RestartPolicy) brings
		// the page back.
		t.p.render.onCrash()
	}
}

// onWatcherReport handles a report of lkbrowser's page script.
func (t *tabEvents) onWatcherReport(payload string) {
	var r struct {
		Title *string `json:"title"`
	}
	if err := json.Unmarshal([]byte(payload), &r); err != nil || r.Title == nil {
		return
	}
	t.mu.Lock()
	changed := *r.Title != t.title
	t.title = *r.Title
	t.mu.Unlock()
	if changed {
		t.emit(&TitleChanged{now(), *r.Title})
	}
}

// onMessage delivers a message page JavaScript sent to Go.
func (t *tabEvents) onMessage(payload string) {
	if len(payload) > MaxMessageSize {
		t.p.e.log.Info("page message dropped: too large", "page", t.p.id, "bytes", len(payload))
		return
	}
	t.emit(&Message{now(), payload})
}

func (t *tabEvents) setURL(url string) {
	t.mu.Lock()
	changed := url != t.url
	t.url = url
	t.mu.Unlock()
	if changed {
		t.emit(&URLChanged{now(), url})
	}
}

// URL returns the page's current address: the URL of the last URLChanged
// event ("" before the first).
func (p *Page) URL() string {
	p.tab.mu.Lock()
	defer p.tab.mu.Unlock()
	return p.tab.url
}

package tests

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

func TestSelectDropDownIsCaptured(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("popup.html"), Width: 640, Height: 480})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 30, 310, rgb{0xcc, 0xcc, 0xcc}) // the target=_blank link
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Nothing green on screen before the list opens.
	listArea := func(f *lkbrowser.Frame) int {
		n := 0
		for y := 55; y < 150; y += 5 {
			for x := 30; x < 200; x += 10 {
				if near(f, x, y, rgb{0, 255, 0}, 8) {
					n++
				}
			}
		}
		return n
	}
	s, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := listArea(s); n > 0 {
		t.Fatalf("%d green samples before opening the list", n)
	}
	s.Release()
	if err := p.Click(ctx, 100, 35); err != nil {
		t.Fatal(err)
	}
	// The open list (a separate X window) shows its green options below
	// the select.
	waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool { return listArea(f) > 40 }).Release()
}

func TestPopupsNavigateThePage(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("popup.html"), Width: 640, Height: 480})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 30, 310, rgb{0xcc, 0xcc, 0xcc}) // the target=_blank link
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Click(ctx, 60, 320); err != nil { // target=_blank link to b.html
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "URL of b", urlChanged(url("b.html")))
	eventually(t, p, `document.title`, "Page B")
}

func TestPopupsAsEvents(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("popup.html"), Width: 640, Height: 480, PopupsAsEvents: true})
	waitEvent(t, p, 10*time.Second, "load", isEvent[*lkbrowser.LoadFinished])
	waitPainted(t, p, 30, 310, rgb{0xcc, 0xcc, 0xcc}) // the target=_blank link
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Click(ctx, 270, 320); err != nil { // window.open('a.html')
		t.Fatal(err)
	}
	ev := waitEvent(t, p, 10*time.Second, "PopupRequested", isEvent[*lkbrowser.PopupRequested]).(*lkbrowser.PopupRequested)
	if ev.URL != url("a.html") {
		t.Errorf("popup URL %q, want %q", ev.URL, url("a.html"))
	}
	// The page itself stayed where it was.
	eventually(t, p, `location.pathname`, "/popup.html")
}

func TestPageMessagesAndEval(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("popup.html"), Width: 320, Height: 240})
	ev := waitEvent(t, p, 10*time.Second, "message", isEvent[*lkbrowser.Message]).(*lkbrowser.Message)
	if ev.Data != "hello from /popup.html" {
		t.Errorf("message %q", ev.Data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.Eval(ctx, `lkbrowser.send({n: 1, s: "ü"})`); err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, p, 10*time.Second, "JSON message", isEvent[*lkbrowser.Message]).(*lkbrowser.Message)
	if ev.Data != `{"n":1,"s":"ü"}` {
		t.Errorf("message %q", ev.Data)
	}
	// Eval returns JSON values, awaits promises and reports exceptions.
	if got := testsupport.EvalAs[int](t, p, `new Promise(r => setTimeout(() => r(6*7), 10))`); got != 42 {
		t.Errorf("promise result %d", got)
	}
	_, err := p.Eval(ctx, `(() => { throw new Error("boom from the page") })()`)
	var ee *lkbrowser.EvalError
	if !errors.As(err, &ee) || !strings.Contains(ee.Text, "boom from the page") {
		t.Errorf("Eval of a throwing expression: %v", err)
	}
	if raw, err := p.Eval(ctx, `undefined`); err != nil || string(raw) != "null" {
		t.Errorf("Eval(undefined) = %s, %v", raw, err)
	}
}

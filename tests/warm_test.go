package tests

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// waitWarm waits until the engine has n warm pages ready.
func waitWarm(t *testing.T, e *lkbrowser.Engine, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); e.WarmPages() != n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d warm pages ready after 60 s, want %d", e.WarmPages(), n)
		}
	}
}

// With Options.WarmPages the engine keeps a page started ahead. NewPage
// with the default options adopts it: the user sees their URL, none of the
// page's wait on about:blank (events, frames, counters), and a replacement
// starts. Other options start cold. Warm pages are not the user's pages
// (Pages, MaxPages), and Close takes them down with the rest.
func TestWarmPages(t *testing.T) {
	before := childProcesses()
	e, _ := ownEngine(t, lkbrowser.Options{WarmPages: 1, MaxPages: 1,
		DefaultPage: lkbrowser.PageOptions{Width: 320, Height: 240}})
	waitWarm(t, e, 1)
	if n := len(e.Pages()); n != 0 {
		t.Fatalf("Pages() lists %d pages, want none: a warm page is not the user's", n)
	}
	time.Sleep(500 * time.Millisecond) // about:blank has had time to paint and tick its sound

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target := url("solid.html#ff0000")
	p, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: target})
	if err != nil {
		t.Fatal(err)
	}
	if p.Width() != 320 || p.Height() != 240 {
		t.Errorf("adopted page is %dx%d, want the DefaultPage's 320x240", p.Width(), p.Height())
	}
	if got := e.Pages(); len(got) != 1 || got[0] != p {
		t.Errorf("Pages() = %v, want the adopted page", got)
	}
	// Its first events are its own URL's, nothing of about:blank.
	first := waitEvent(t, p, 10*time.Second, "an event", func(lkbrowser.Event) bool { return true })
	if u, ok := first.(*lkbrowser.URLChanged); !ok || u.URL != target {
		t.Errorf("first event %s, want URLChanged %s", describe(first), target)
	}
	f := waitFrame(t, p, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 10, 10, rgb{255, 0, 0}, 2) })
	f.Release()
	select {
	case a := <-p.Audio():
		if age := time.Since(a.Timestamp); age > 500*time.Millisecond {
			t.Errorf("first audio frame is %v old: the wait's sound was delivered", age)
		}
	case <-time.After(5 * time.Second):
		t.Error("no audio frame from the adopted page")
	}
	if st := p.Stats(); st.FramesDropped != 0 || st.EventsDropped != 0 || st.AudioDropped > 5 {
		t.Errorf("the wait shows in the counters: %+v", st)
	}

	// The replacement starts; MaxPages counts only the user's page.
	waitWarm(t, e, 1)
	if _, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: target}); !errors.Is(err, lkbrowser.ErrTooManyPages) {
		t.Errorf("NewPage beyond MaxPages with a warm page ready: %v, want ErrTooManyPages", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	// Other options start cold and leave the warm page waiting.
	q, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: url("solid.html#00ff00"), Width: 400, Height: 300})
	if err != nil {
		t.Fatal(err)
	}
	waitFrame(t, q, 10*time.Second, func(f *lkbrowser.Frame) bool { return near(f, 10, 10, rgb{0, 255, 0}, 2) }).Release()
	if n := e.WarmPages(); n != 1 {
		t.Errorf("%d warm pages after a cold start, want 1", n)
	}
	// The URL policy holds for a warm page as for a cold one.
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.NewPage(ctx, lkbrowser.PageOptions{URL: "ftp://example.org/"}); !errors.Is(err, lkbrowser.ErrInvalidURL) {
		t.Errorf("NewPage of an ftp: URL: %v, want ErrInvalidURL", err)
	}
	if n := e.WarmPages(); n != 1 {
		t.Errorf("a refused NewPage used the warm page: %d left", n)
	}

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var left []string
		for _, c := range childProcesses() {
			if !slices.Contains(before, c) {
				left = append(left, c)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left after Close: %s", strings.Join(left, ", "))
		}
	}
}

func TestWarmPagesOptionsAreChecked(t *testing.T) {
	for _, opts := range []lkbrowser.Options{
		{WarmPages: -1},
		{WarmPages: lkbrowser.MaxWarmPages + 1},
		{WarmPages: 1, DefaultPage: lkbrowser.PageOptions{Width: 100000}},
	} {
		e, err := lkbrowser.NewEngine(context.Background(), opts)
		if err == nil {
			e.Close()
			t.Errorf("NewEngine(%+v) succeeded", opts)
		}
	}
}

package tests

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// waitEvent reads events until ok accepts one or timeout passes.
func waitEvent(t *testing.T, p *lkbrowser.Page, timeout time.Duration, what string, ok func(lkbrowser.Event) bool) lkbrowser.Event {
	t.Helper()
	deadline := time.After(timeout)
	var seen []string
	for {
		select {
		case ev, open := <-p.Events():
			if !open {
				t.Fatalf("events closed while waiting for %s (seen %v)", what, seen)
			}
			if ok(ev) {
				return ev
			}
			seen = append(seen, describe(ev))
		case <-deadline:
			t.Fatalf("no %s within %v (seen %v)", what, timeout, seen)
			return nil
		}
	}
}

func describe(ev lkbrowser.Event) string {
	switch e := ev.(type) {
	case *lkbrowser.URLChanged:
		return "URLChanged " + e.URL
	case *lkbrowser.TitleChanged:
		return "TitleChanged " + e.Title
	case *lkbrowser.LoadFinished:
		return "LoadFinished " + e.URL
	case *lkbrowser.LoadFailed:
		return "LoadFailed " + e.URL + " " + e.Error
	case *lkbrowser.Crashed:
		return "Crashed " + e.Reason
	case *lkbrowser.Closed:
		return "Closed"
	case *lkbrowser.CursorChanged:
		return "CursorChanged " + e.Cursor
	case *lkbrowser.AudioStreamStarted:
		return "AudioStreamStarted"
	case *lkbrowser.AudioStreamStopped:
		return "AudioStreamStopped"
	case *lkbrowser.AudioFailed:
		return "AudioFailed " + e.Reason
	}
	return "?"
}

func urlChanged(want string) func(lkbrowser.Event) bool {
	return func(ev lkbrowser.Event) bool {
		e, ok := ev.(*lkbrowser.URLChanged)
		return ok && e.URL == want
	}
}

func TestNavigationEvents(t *testing.T) {
	p := openPage(t, lkbrowser.PageOptions{URL: url("a.html"), Width: 320, Height: 240})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitEvent(t, p, 10*time.Second, "URL of a", urlChanged(url("a.html")))
	waitEvent(t, p, 10*time.Second, "title of a", func(ev lkbrowser.Event) bool {
		e, ok := ev.(*lkbrowser.TitleChanged)
		return ok && e.Title == "Page A"
	})
	waitEvent(t, p, 10*time.Second, "load of a", isEvent[*lkbrowser.LoadFinished])
	if err := p.Navigate(ctx, url("b.html")); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "URL of b", urlChanged(url("b.html")))
	if err := p.GoBack(ctx); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "URL of a after back", urlChanged(url("a.html")))
	if err := p.GoForward(ctx); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "URL of b after forward", urlChanged(url("b.html")))
	if err := p.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	// Same-document navigation (fragment) is a URL change too.
	if _, err := p.Eval(ctx, `location.hash = "part2"`); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, 10*time.Second, "fragment URL", urlChanged(url("b.html#part2")))
}

func TestLoadFailureStillOpensPage(t *testing.T) {
	bad := "http://" + closedPort(t) + "/nothing-listens-here"
	p := openPage(t, lkbrowser.PageOptions{URL: bad, Width: 320, Height: 240})
	ev := waitEvent(t, p, 10*time.Second, "LoadFailed", isEvent[*lkbrowser.LoadFailed]).(*lkbrowser.LoadFailed)
	if ev.URL != bad || !strings.Contains(ev.Error, "ERR_CONNECTION_REFUSED") {
		t.Errorf("LoadFailed %q %q", ev.URL, ev.Error)
	}
	// The page still works: navigate somewhere good.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Navigate(ctx, url("colors.html")); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, p, 10*time.Second, colorsMatch).Release()
	// Navigate reports a failed load as a *LoadError.
	var le *lkbrowser.LoadError
	if err := p.Navigate(ctx, bad); !errors.As(err, &le) {
		t.Errorf("Navigate to a refused port: %v, want *LoadError", err)
	}
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestCrashIsReportedAndCloseCleansUp(t *testing.T) {
	for _, victim := range []string{"chromium", "Xvfb"} {
		t.Run(victim, func(t *testing.T) {
			p := openPage(t, lkbrowser.PageOptions{URL: url("blink.html"), Width: 640, Height: 480})
			waitFrame(t, p, 10*time.Second, func(*lkbrowser.Frame) bool { return true }).Release()
			pid := p.Processes().Browser
			if victim == "Xvfb" {
				pid = p.Processes().Display
			}
			killed := time.Now()
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			ev := waitEvent(t, p, 5*time.Second, "Crashed", isEvent[*lkbrowser.Crashed])
			if d := ev.Time().Sub(killed); d > 2*time.Second {
				t.Errorf("crash reported after %v, want < 2s", d)
			}
			t.Logf("%s killed: %q after %v", victim, ev.(*lkbrowser.Crashed).Reason, ev.Time().Sub(killed))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := p.Navigate(ctx, url("a.html")); !errors.Is(err, lkbrowser.ErrCrashed) {
				t.Errorf("Navigate after crash: %v, want ErrCrashed", err)
			}
			if err := p.Close(); err != nil {
				t.Errorf("Close after crash: %v", err)
			}
			if err := p.Navigate(ctx, url("a.html")); !errors.Is(err, lkbrowser.ErrClosed) {
				t.Errorf("Navigate after Close: %v, want ErrClosed", err)
			}
			// Closed is the last event, then the channel closes.
			var last lkbrowser.Event
			for ev := range p.Events() {
				last = ev
			}
			if _, ok := last.(*lkbrowser.Closed); !ok {
				t.Errorf("last event %v, want Closed", last)
			}
			if _, open := <-p.Frames(); open {
				t.Error("Frames still open after Close")
			}
		})
	}
}

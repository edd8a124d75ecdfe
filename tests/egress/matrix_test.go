package egress

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// outcome is one cell of the table in docs/reliability.md: a way tried on
// a spelling of a forbidden destination.
type outcome struct {
	way, host, note string
	seen            string // what the page saw
	events          int    // EgressRefused events for it
	reached         bool   // a forbidden server recorded it
}

// table collects the outcomes of the tests and, when
// $LKBROWSER_EGRESS_TABLE names a file, writes them there as Markdown.
var table struct {
	mu   sync.Mutex
	rows []outcome
}

func addRow(o outcome) {
	table.mu.Lock()
	table.rows = append(table.rows, o)
	table.mu.Unlock()
}

// writeTable writes the table, one row per spelling and one column per way.
func writeTable(t *testing.T) {
	path := os.Getenv("LKBROWSER_EGRESS_TABLE")
	if path == "" {
		return
	}
	table.mu.Lock()
	defer table.mu.Unlock()
	var ways []string
	cells := map[string]map[string]outcome{}
	var hosts []string
	for _, o := range table.rows {
		if cells[o.host] == nil {
			cells[o.host] = map[string]outcome{}
			hosts = append(hosts, o.host)
		}
		if !contains(ways, o.way) {
			ways = append(ways, o.way)
		}
		cells[o.host][o.way] = o
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| destination | what it is | %s |\n|---|---|%s\n", strings.Join(ways, " | "), strings.Repeat("---|", len(ways)))
	for _, h := range hosts {
		var note string
		var cs []string
		for _, w := range ways {
			o, ok := cells[h][w]
			if !ok {
				cs = append(cs, "")
				continue
			}
			note = o.note
			c := o.seen
			if o.events > 0 {
				c += fmt.Sprintf(", %d ev", o.events)
			}
			if o.reached {
				c += ", **REACHED**"
			}
			cs = append(cs, c)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", h, note, strings.Join(cs, " | "))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// reachedAny takes what reached every target; it reports whether anything did.
func reachedAny(t *testing.T) bool {
	t.Helper()
	hit := false
	for _, tg := range targets {
		if seen := tg.take(); len(seen) > 0 {
			hit = true
			t.Errorf("forbidden server %s was reached:\n  %s", tg.addr, strings.Join(seen, "\n  "))
		}
	}
	return hit
}

// parallelWays are the ways probed for all spellings at once: each makes
// exactly one plain-HTTP request per URL, whose unique path names it in the
// refusal events.
var parallelWays = []struct {
	name, fn, ext string
	redirect      bool // the URL is an allowed redirector pointing at it
}{
	{"img", "img", ".gif", false},
	{"script", "script", ".js", false},
	{"fetch", "fetch", ".gif", false},
	{"XHR", "xhr", ".gif", false},
	{"iframe", "iframe", ".html", false},
	{"form POST", "form", ".html", false},
	{"prefetch", "prefetch", ".gif", false},
	{"service worker fetch", "sw", ".gif", false},
	{"redirect (fetch)", "fetch", ".gif", true},
	{"redirect (iframe)", "iframe", ".html", true},
}

// TestEgressMatrix tries every forbidden destination, in every spelling,
// through every way a page reaches the network, from a page of an allowed
// host: no forbidden server may see anything, the page must see a network
// error, and the program one EgressRefused event per refused request.
func TestEgressMatrix(t *testing.T) {
	defer writeTable(t)
	p := probePage(t, engine, lkbrowser.PageOptions{})
	ev := &refusals{p: p}
	sp := spellings()

	for wi, w := range parallelWays {
		t.Run(w.name, func(t *testing.T) {
			urls := make([]string, len(sp))
			paths := make([]string, len(sp))
			calls := make([]string, len(sp))
			for i, s := range sp {
				paths[i] = fmt.Sprintf("/w%d/%d%s", wi, i, w.ext)
				urls[i] = "http://" + s.host + paths[i]
				u := urls[i]
				if w.redirect {
					u = pages.url("/redirect?to=" + url.QueryEscape(u))
				}
				calls[i] = "probe." + w.fn + "(" + js(u) + ")"
			}
			got := evalStrings(t, p, "Promise.all(["+strings.Join(calls, ",")+"])", 60*time.Second)
			ev.collect(300 * time.Millisecond)
			reached := reachedAny(t)
			for i, s := range sp {
				n := len(ev.withPath(paths[i]))
				addRow(outcome{way: w.name, host: s.host, note: s.note, seen: got[i], events: n, reached: reached})
				if got[i] != "error" {
					t.Errorf("%s %s: the page saw %q, want a network error", w.name, urls[i], got[i])
				}
				if n != 1 {
					t.Errorf("%s %s: %d EgressRefused events, want 1:%s", w.name, urls[i], n, describe(ev.withPath(paths[i])))
				}
			}
		})
	}

	// Tunnelled ways (CONNECT: the proxy sees only host:port), one at a
	// time so that each refusal is told apart.
	for _, w := range []struct{ name, fn, scheme string }{
		{"WebSocket ws://", "ws", "ws"},
		{"WebSocket wss://", "ws", "wss"},
		{"https fetch", "fetch", "https"},
	} {
		t.Run(w.name, func(t *testing.T) {
			for i, s := range sp {
				u := fmt.Sprintf("%s://%s/t/%d", w.scheme, s.host, i)
				n0 := len(ev.all)
				got := evalString(t, p, "probe."+w.fn+"("+js(u)+")", 30*time.Second)
				ev.collect(100 * time.Millisecond)
				evs := ev.since(n0)
				reached := reachedAny(t)
				addRow(outcome{way: w.name, host: s.host, note: s.note, seen: got, events: len(evs), reached: reached})
				if got != "error" {
					t.Errorf("%s: the page saw %q, want a network error", u, got)
				}
				if len(evs) != 1 {
					t.Errorf("%s: %d EgressRefused events, want 1:%s", u, len(evs), describe(evs))
				}
			}
		})
	}

	t.Run("preconnect and dns-prefetch", func(t *testing.T) {
		calls := make([]string, len(sp))
		for i, s := range sp {
			calls[i] = "probe.preconnect(" + js(fmt.Sprintf("http://%s/", s.host)) + ")"
		}
		n0 := len(ev.all)
		got := evalStrings(t, p, "Promise.all(["+strings.Join(calls, ",")+"])", 30*time.Second)
		ev.collect(300 * time.Millisecond)
		reached := reachedAny(t)
		for i, s := range sp {
			addRow(outcome{way: "preconnect, dns-prefetch", host: s.host, note: s.note, seen: got[i], reached: reached})
		}
		t.Logf("preconnect: %d refusals (Chromium preconnects to the proxy, not the destination):%s", len(ev.since(n0)), describe(ev.since(n0)))
	})

	// Top-level navigation, the program's own (Page.Navigate: what an
	// lksession's browser/navigate does) and a redirect from an allowed page.
	for _, w := range []struct {
		name     string
		redirect bool
	}{{"navigation", false}, {"redirect (navigation)", true}} {
		t.Run(w.name, func(t *testing.T) {
			for i, s := range sp {
				path := fmt.Sprintf("/nav%v/%d", w.redirect, i)
				u := "http://" + s.host + path
				if w.redirect {
					u = pages.url("/redirect?to=" + url.QueryEscape(u))
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				err := p.Navigate(ctx, u)
				cancel()
				var le *lkbrowser.LoadError
				seen := "loaded"
				if errors.As(err, &le) {
					seen = "error"
				} else if err != nil {
					t.Fatalf("Navigate(%s): %v", u, err)
				}
				ev.collect(200 * time.Millisecond)
				n := len(ev.withPath(path))
				reached := reachedAny(t)
				addRow(outcome{way: w.name, host: s.host, note: s.note, seen: seen, events: n, reached: reached})
				if seen != "error" {
					t.Errorf("Navigate(%s) = %v, want a *LoadError", u, err)
				}
				if n != 1 {
					t.Errorf("Navigate(%s): %d EgressRefused events, want 1:%s", u, n, describe(ev.withPath(path)))
				}
			}
		})
	}

	// Every refusal was one event, and Stats counts them.
	ev.collect(300 * time.Millisecond)
	if st := p.Stats(); st.EgressRefused != uint64(len(ev.all)) || st.EventsDropped != 0 {
		t.Errorf("Stats: EgressRefused %d, EventsDropped %d; the page sent %d EgressRefused events", st.EgressRefused, st.EventsDropped, len(ev.all))
	}
	for _, e := range ev.all {
		if e.Rule == "" || e.Host == "" || e.URL == "" {
			t.Errorf("event without URL, host or rule: %+v", e)
		}
	}
	rules := map[string]int{}
	for _, e := range ev.all {
		rules[e.Rule]++
	}
	var rs []string
	for r, n := range rules {
		rs = append(rs, fmt.Sprintf("%4d %s", n, r))
	}
	sort.Strings(rs)
	t.Logf("%d refusals by rule:\n%s", len(ev.all), strings.Join(rs, "\n"))
}

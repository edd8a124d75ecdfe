package egress

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// spelling is one way to write a forbidden destination in a URL.
type spelling struct {
	host   string  // as written in the URL (with brackets for IPv6)
	target *target // the server it would reach
	note   string  // what the spelling is
}

// targetAt returns the target server on addr.
func targetAt(addr string) *target {
	for _, t := range targets {
		if t.addr == addr {
			return t
		}
	}
	panic("no target at " + addr)
}

// spellings lists every forbidden destination in every spelling tested.
func spellings() []spelling {
	lo, lo6 := targetAt("127.0.0.1"), targetAt("::1")
	pr, cg, md, ula := targetAt(addrPrivate), targetAt(addrCGNAT), targetAt(addrMetadata), targetAt(addrULA)
	return []spelling{
		{"127.0.0.1", lo, "loopback"},
		{"2130706433", lo, "loopback, decimal"},
		{"0x7f.1", lo, "loopback, hex, two parts"},
		{"0177.0.0.1", lo, "loopback, octal"},
		{"0x7f000001", lo, "loopback, hex"},
		{"127.1", lo, "loopback, two parts"},
		{"127.0.0.1.", lo, "loopback, trailing dot"},
		{"[::ffff:127.0.0.1]", lo, "loopback, IPv4-mapped IPv6"},
		{"localhost", lo, "localhost"},
		{"localhost.", lo, "localhost, trailing dot"},
		{"loop.test", lo, "name resolving to loopback"},
		{"0.0.0.0", lo, "unspecified (Linux: this host)"},
		{"[::1]", lo6, "IPv6 loopback"},
		{addrPrivate, pr, "RFC 1918"},
		{"181075969", pr, "RFC 1918, decimal"},
		{"0xa.0xcb.0.1", pr, "RFC 1918, hex parts"},
		{"012.0313.0.01", pr, "RFC 1918, octal parts"},
		{"[::ffff:10.203.0.1]", pr, "RFC 1918, IPv4-mapped IPv6"},
		{"rebind.test", pr, "name resolving to RFC 1918"},
		{"mixed.test", pr, "name resolving to RFC 1918 and loopback"},
		{addrCGNAT, cg, "CGNAT"},
		{"cgnat.test", cg, "name resolving to CGNAT"},
		{addrMetadata, md, "cloud metadata (link-local)"},
		{"2852039166", md, "cloud metadata, decimal"},
		{"0xa9.0xfe.0xa9.0xfe", md, "cloud metadata, hex parts"},
		{"metadata.test", md, "name resolving to cloud metadata"},
		{"[" + addrULA + "]", ula, "unique-local IPv6"},
		{"[fd00:0:0:0:0:0:0:1]", ula, "unique-local IPv6, long form"},
		{"ula.test", ula, "name resolving to unique-local IPv6"},
	}
}

// evalString runs a probe expression on p and returns its string result.
func evalString(t *testing.T, p *lkbrowser.Page, expr string, d time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	raw, err := p.Eval(ctx, expr)
	if err != nil {
		t.Fatalf("Eval(%.200s): %v", expr, err)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("Eval(%.200s) = %s: %v", expr, raw, err)
	}
	return s
}

// evalStrings runs a probe expression that returns an array of strings.
func evalStrings(t *testing.T, p *lkbrowser.Page, expr string, d time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	raw, err := p.Eval(ctx, expr)
	if err != nil {
		t.Fatalf("Eval(%.200s): %v", expr, err)
	}
	var s []string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("Eval(%.200s) = %s: %v", expr, raw, err)
	}
	return s
}

// probePage opens the probe page on e with opts.
func probePage(t *testing.T, e *lkbrowser.Engine, opts lkbrowser.PageOptions) *lkbrowser.Page {
	t.Helper()
	if opts.URL == "" {
		opts.URL = pages.url("/probe.html")
	}
	if opts.Width == 0 {
		opts.Width, opts.Height = 320, 240
	}
	p := testsupport.OpenPage(t, e, opts)
	deadline := time.Now().Add(15 * time.Second)
	for evalString(t, p, `typeof window.probe`, 10*time.Second) != "object" {
		if time.Now().After(deadline) {
			t.Fatalf("the probe page did not load; url %s", evalString(t, p, `location.href + " " + document.title + " " + document.body.innerText.slice(0, 300)`, 5*time.Second))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p
}

// refusals collects the EgressRefused events of a page.
type refusals struct {
	p    *lkbrowser.Page
	all  []*lkbrowser.EgressRefused
	rest []lkbrowser.Event
}

// collect takes the events the page has sent so far, waiting up to d for
// more to stop coming.
func (r *refusals) collect(d time.Duration) {
	quiet := time.NewTimer(d)
	defer quiet.Stop()
	for {
		select {
		case ev := <-r.p.Events():
			if e, ok := ev.(*lkbrowser.EgressRefused); ok {
				r.all = append(r.all, e)
			} else {
				r.rest = append(r.rest, ev)
			}
			quiet.Reset(d)
		case <-quiet.C:
			return
		}
	}
}

// withPath returns the refusals whose URL has path p.
func (r *refusals) withPath(p string) []*lkbrowser.EgressRefused {
	var out []*lkbrowser.EgressRefused
	for _, e := range r.all {
		if u, err := url.Parse(e.URL); err == nil && u.Path == p {
			out = append(out, e)
		}
	}
	return out
}

// since returns the refusals after the first n.
func (r *refusals) since(n int) []*lkbrowser.EgressRefused { return r.all[n:] }

func describe(evs []*lkbrowser.EgressRefused) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "\n  %s (%s) %s", e.URL, e.Address, e.Rule)
	}
	return b.String()
}

// js quotes s for JavaScript.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// noneReached fails the test when any target was reached.
func noneReached(t *testing.T) {
	t.Helper()
	for _, tg := range targets {
		if seen := tg.take(); len(seen) > 0 {
			t.Errorf("forbidden server %s was reached:\n  %s", tg.addr, strings.Join(seen, "\n  "))
		}
	}
}

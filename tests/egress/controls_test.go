package egress

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// cmdline returns the command line of a page's Chromium.
func cmdline(t *testing.T, p *lkbrowser.Page) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.Processes().Browser))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// The same probes that must fail for forbidden destinations load from
// allowed ones (a public address and a name resolving to it, the page's
// own host), so the probes can tell a refusal from a success.
func TestEgressAllowedLoad(t *testing.T) {
	p := probePage(t, engine, lkbrowser.PageOptions{})
	ev := &refusals{p: p}
	public.take()
	for _, host := range []string{"public.test", addrPublic, pages.hostPort} {
		for _, fn := range []string{"img", "script", "fetch", "xhr", "iframe", "form", "sw"} {
			ext := map[string]string{"img": ".gif", "script": ".js", "fetch": ".gif", "xhr": ".gif", "sw": ".gif"}[fn]
			u := "http://" + host + "/ok/" + fn + ext
			if got := evalString(t, p, "probe."+fn+"("+js(u)+")", 30*time.Second); got != "loaded" {
				t.Errorf("%s %s: %q, want loaded", fn, u, got)
			}
		}
		if got := evalString(t, p, "probe.ws("+js("ws://"+host+"/ws")+")", 30*time.Second); got != "loaded" {
			t.Errorf("ws to %s: %q, want loaded", host, got)
		}
	}
	if seen := public.take(); len(seen) < 10 {
		t.Errorf("the public server saw only %q", seen)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Navigate(ctx, "http://public.test/ok/nav"); err != nil {
		t.Errorf("Navigate to an allowed host: %v", err)
	}
	ev.collect(200 * time.Millisecond)
	if len(ev.all) != 0 || p.Stats().EgressRefused != 0 {
		t.Errorf("allowed loads were refused:%s", describe(ev.all))
	}
	noneReached(t)
}

// The control: without a policy (the library's default) a page reaches
// the forbidden servers, which record it; its Chromium has no proxy. So
// the servers and probes of the other tests would see a leak.
func TestEgressOpenControl(t *testing.T) {
	p := probePage(t, openEng, lkbrowser.PageOptions{})
	if slices.ContainsFunc(cmdline(t, p), func(a string) bool { return strings.HasPrefix(a, "--proxy-server") }) {
		t.Errorf("a page without a policy runs Chromium with a proxy: %q", cmdline(t, p))
	}
	if p.Egress() != nil {
		t.Errorf("Egress() = %+v without a policy", p.Egress())
	}
	for _, tg := range targets {
		host := tg.addr
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		u := "http://" + host + "/control.gif"
		if got := evalString(t, p, "probe.img("+js(u)+")", 20*time.Second); got != "loaded" {
			t.Errorf("open page, img %s: %q, want loaded", u, got)
		}
		if seen := tg.take(); len(seen) == 0 {
			t.Errorf("server %s recorded nothing for an open page's request", tg.addr)
		}
	}
	// And WebRTC's STUN reaches a forbidden address over UDP.
	evalString(t, p, "probe.webrtc("+js(addrPrivate)+")", 30*time.Second)
	if seen := targetAt(addrPrivate).take(); !slices.ContainsFunc(seen, func(s string) bool { return strings.HasPrefix(s, "udp") }) {
		t.Errorf("an open page's ICE sent no UDP to the STUN server: %q", seen)
	}
}

// A filtering page's Chromium runs with the flags that send everything
// through its proxy, and Egress reports the policy.
func TestEgressChromiumFlags(t *testing.T) {
	p := probePage(t, engine, lkbrowser.PageOptions{})
	args := cmdline(t, p)
	proxy := regexp.MustCompile(`^--proxy-server=http://127\.0\.0\.1:\d+$`)
	if !slices.ContainsFunc(args, proxy.MatchString) {
		t.Errorf("no --proxy-server=http://127.0.0.1:PORT in %q", args)
	}
	for _, want := range []string{"--proxy-bypass-list=<-loopback>", "--webrtc-ip-handling-policy=disable_non_proxied_udp", "--disable-quic",
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"} {
		if !slices.Contains(args, want) {
			t.Errorf("no %s in %q", want, args)
		}
	}
	if pol := p.Egress(); pol == nil || !pol.BlockPrivate || !slices.Equal(pol.Allow, []string{pages.hostPort}) {
		t.Errorf("Egress() = %+v", pol)
	}
}

// Popups (window.open on a click): by default the page loads the popup's
// address itself, through the same proxy.
func TestEgressPopup(t *testing.T) {
	p := probePage(t, engine, lkbrowser.PageOptions{})
	ev := &refusals{p: p}
	for i, s := range spellings() {
		path := fmt.Sprintf("/popup/%d", i)
		u := "http://" + s.host + path
		evalString(t, p, "window.popupURL = "+js(u)+"; 'ok'", 5*time.Second)
		// A click can land while the page is still settling after the
		// last navigation back; nothing then happens, and it is clicked
		// again (at most three times).
		var failed bool
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		for try := 0; try < 3 && !failed && ctx.Err() == nil; try++ {
			if err := p.Click(ctx, 160, 120); err != nil {
				cancel()
				t.Fatal(err)
			}
			quiet := time.After(5 * time.Second)
		wait:
			for !failed {
				select {
				case e := <-p.Events():
					switch e := e.(type) {
					case *lkbrowser.EgressRefused:
						ev.all = append(ev.all, e)
					case *lkbrowser.LoadFailed:
						failed = true
					}
				case <-quiet:
					break wait
				case <-ctx.Done():
					break wait
				}
			}
		}
		cancel()
		ev.collect(200 * time.Millisecond)
		n := len(ev.withPath(path))
		reached := reachedAny(t)
		seen := "error"
		if !failed {
			seen = "no LoadFailed"
		}
		addRow(outcome{way: "popup (window.open)", host: s.host, note: s.note, seen: seen, events: n, reached: reached})
		// Two requests are refused: the popup window's own load, which
		// starts before lkbrowser closes the window, and the page's load
		// of its address; the first may not have started.
		if !failed || n < 1 || n > 2 {
			t.Errorf("popup %s: LoadFailed %v, %d EgressRefused events, want a failure and 1 or 2:%s", u, failed, n, describe(ev.withPath(path)))
		}
		// Back to the probe page for the next popup.
		ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
		err := p.Navigate(ctx, pages.url("/probe.html"))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for evalString(t, p, `typeof window.probe`, 10*time.Second) != "object" {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// WebRTC: ICE with STUN and TURN servers at forbidden addresses reveals no
// address of the machine in its candidates and sends nothing to them (no
// UDP at all; TURN over TCP goes to the proxy, which refuses it).
func TestEgressWebRTC(t *testing.T) {
	p := probePage(t, engine, lkbrowser.PageOptions{})
	ev := &refusals{p: p}
	ip := regexp.MustCompile(`\b(\d{1,3}\.){3}\d{1,3}\b|[0-9a-f]*:[0-9a-f:]+:[0-9a-f]+`)
	for _, host := range []string{addrPrivate, addrCGNAT, addrMetadata, "[" + addrULA + "]", "127.0.0.1"} {
		raw := evalString(t, p, "probe.webrtc("+js(host)+")", 30*time.Second)
		var res struct {
			Cands []string `json:"cands"`
			SDP   string   `json:"sdp"`
		}
		if err := json.Unmarshal([]byte(raw), &res); err != nil {
			t.Fatal(err)
		}
		n0 := len(ev.all)
		ev.collect(500 * time.Millisecond)
		for _, c := range res.Cands {
			if m := ip.FindString(c); m != "" && m != "0.0.0.0" {
				t.Errorf("ICE candidate reveals an address: %s", c)
			}
		}
		for _, line := range strings.Split(res.SDP, "\n") {
			if strings.HasPrefix(line, "a=candidate") {
				t.Errorf("SDP carries a candidate: %s", line)
			}
		}
		reached := reachedAny(t)
		addRow(outcome{way: "WebRTC ICE (STUN, TURN udp/tcp)", host: host, note: "STUN/TURN server", seen: fmt.Sprintf("%d candidates", len(res.Cands)), events: len(ev.since(n0)), reached: reached})
		t.Logf("%s: candidates %q, refusals:%s", host, res.Cands, describe(ev.since(n0)))
	}
}

package lkbrowser

import (
	"fmt"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/egress"
)

// EgressRefused reports a connection the page's EgressPolicy refused. The
// page saw it fail like a network error.
type EgressRefused struct {
	EventTime
	// URL is the refused request's URL for http:// (and ws:// sent as a
	// plain request). https:// and wss:// travel encrypted through a
	// tunnel whose request the proxy cannot read: URL is then the
	// destination, host:port.
	URL string
	// Host is the destination as the page asked for it, host:port.
	Host string
	// Address is the resolved address refused, with its port
	// ("10.0.0.5:80"), or "" when the name itself was refused (a Deny
	// entry for the name, an invalid host) before it was resolved.
	Address string
	// Rule names what refused it: "deny ENTRY", "block-private: CLASS"
	// (e.g. "block-private: loopback (127.0.0.0/8)"),
	// "deny-others (no allow entry matches)", "the egress proxy itself",
	// or "invalid destination: ...".
	Rule string
}

// egressFlags are the Chromium flags that send every connection of a page
// through its egress proxy at addr, and close the ways around it; see
// docs/reliability.md ("Egress") for why each is needed.
func egressFlags(addr string) []string {
	return []string{
		// One proxy for every scheme; Chromium tunnels https, ws and wss
		// through it with CONNECT and sends http to it.
		"--proxy-server=http://" + addr,
		// Chromium bypasses the proxy for localhost, *.localhost,
		// 127.0.0.0/8 and [::1] by default; this removes that implicit rule.
		"--proxy-bypass-list=<-loopback>",
		// No name resolves in Chromium (the proxy resolves): nothing is
		// reached, and no DNS query is sent, by a way that avoids the proxy
		// (DNS prefetch, WebRTC STUN/TURN names). The proxy is an address.
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
		// WebRTC sends no UDP (which cannot be proxied) and gathers no
		// local addresses: ICE reveals no address and connects only over
		// TCP through the proxy (TURN over TCP/TLS).
		"--webrtc-ip-handling-policy=disable_non_proxied_udp",
		// QUIC (UDP) is off anyway (chromiumFlags); repeated here because it
		// would bypass an HTTP proxy.
		"--disable-quic",
	}
}

// startEgress starts the page's egress proxy when its policy can refuse
// anything; it reports refusals as events.
func (p *Page) startEgress() error {
	pol := p.opts.Egress
	if !pol.filtering() {
		return nil
	}
	rules, err := pol.compile()
	if err != nil {
		return err
	}
	px, err := egress.Start(egress.Config{Rules: rules, Resolver: resolverOf(pol), Logger: p.e.log, OnRefuse: p.onRefuse})
	if err != nil {
		return fmt.Errorf("lkbrowser: egress proxy: %w", err)
	}
	p.egress = px
	return nil
}

// resolverOf returns the policy's resolver, or nil for the default.
func resolverOf(pol *EgressPolicy) egress.Resolver {
	if pol == nil || pol.Resolver == nil {
		return nil
	}
	return pol.Resolver
}

// setEgress gives a warm page the policy of the NewPage that adopts it
// (both filter: see sameStart).
func (p *Page) setEgress(pol *EgressPolicy) error {
	p.opts.Egress = pol
	if p.egress == nil {
		return nil
	}
	rules, err := pol.compile()
	if err != nil {
		return err
	}
	p.egress.SetRules(rules, resolverOf(pol))
	return nil
}

// onRefuse turns a refusal of the page's proxy into an event.
func (p *Page) onRefuse(r egress.Refusal) {
	p.e.log.Info("egress refused", "page", p.id, "url", r.URL, "addr", r.Addr, "rule", r.Rule)
	p.events.emit(&EgressRefused{EventTime: EventTime{time.Now()}, URL: r.URL, Host: r.Host, Address: r.Addr, Rule: r.Rule})
}

// Egress returns a copy of the page's egress policy, or nil when the page
// filters nothing (no policy, or one that refuses nothing).
func (p *Page) Egress() *EgressPolicy {
	if !p.opts.Egress.filtering() {
		return nil
	}
	return p.opts.Egress.clone()
}

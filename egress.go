package lkbrowser

import (
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/lkbrowser/lkbrowser/internal/egress"
)

// ErrInvalidEgress marks an EgressPolicy entry that cannot be parsed.
var ErrInvalidEgress = errors.New("invalid egress policy")

// EgressPolicy decides which network destinations a page may connect to,
// whoever drives the page: its own scripts, a participant in a LiveKit room,
// a model, the program's Navigate.
//
// The zero policy, and a nil *EgressPolicy, filter nothing: this is the
// library's default, so that a developer's page loads localhost, and a
// page then costs nothing extra. The lkbrowser publish and worker commands
// (and so their lksessions) turn BlockPrivate on unless the operator turns
// it off; see the README.
//
// A page whose policy can refuse something (Deny entries, BlockPrivate or
// DenyOthers) gets a filtering proxy of its own on 127.0.0.1, and its
// Chromium is started so that every connection goes through it: top-level
// navigations and every redirect hop, subresources, fetch and XHR,
// WebSocket, iframes, popups, service workers, form posts,
// prefetch/preconnect, and WebRTC over TCP. The proxy resolves names itself
// and decides on each address it resolved, then connects to exactly that
// address, so a public name that resolves to a private address is refused
// (DNS rebinding) and no spelling of an address (decimal, octal or hex
// IPv4, [::ffff:a.b.c.d], trailing dots) gets around a rule.
// docs/reliability.md says why Chromium cannot go around the proxy and
// lists the cases tested.
//
// A refused request fails in the page like a network error, and the page
// reports an *EgressRefused event; Stats.EgressRefused counts them.
//
// Precedence: a Deny entry wins over everything; an Allow entry wins over
// BlockPrivate and DenyOthers; what no entry matches is refused by
// DenyOthers, or by BlockPrivate when it is a private address, and allowed
// otherwise.
type EgressPolicy struct {
	// Allow lists destinations that are allowed even when BlockPrivate or
	// DenyOthers would refuse them. Deny lists destinations refused
	// always. Each entry is a host name ("example.com"; only that name),
	// a pattern for a name's subdomains ("*.example.com", not
	// example.com itself), an IP address in any spelling ("10.0.0.5",
	// "fd00::1"), or a CIDR range ("10.0.0.0/8", "fd00::/8"). Names and
	// addresses may name one port ("localhost:3000", "[::1]:8443"); else
	// they match every port. A name entry matches the name the page asked
	// for, whatever it resolves to (an allowed name's addresses are still
	// refused by a Deny entry that matches them); address and range
	// entries match the resolved address.
	Allow, Deny []string
	// BlockPrivate refuses addresses that are not the public internet:
	// loopback (127.0.0.0/8, ::1), the private ranges of RFC 1918,
	// link-local (169.254.0.0/16 with the cloud metadata service
	// 169.254.169.254, fe80::/10), carrier-grade NAT (100.64.0.0/10),
	// unique-local IPv6 (fc00::/7), the unspecified addresses (0.0.0.0/8,
	// ::), multicast and broadcast, the documentation, benchmarking and
	// other special-purpose ranges, and IPv6 forms that carry an IPv4
	// address of these (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
	BlockPrivate bool
	// DenyOthers refuses every destination no Allow entry matches: an
	// allow list.
	DenyOthers bool
	// Resolver resolves names for the proxy. Default net.DefaultResolver.
	// Tests use it to make a name resolve to a forbidden address.
	Resolver Resolver
}

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Validate returns nil when every entry of the policy can be parsed, and
// an *InvalidArgumentError matching ErrInvalidEgress for the first that
// cannot.
func (p EgressPolicy) Validate() error {
	_, err := p.compile()
	return err
}

// filtering reports whether the policy can refuse anything, that is
// whether a page with it needs a proxy.
func (p *EgressPolicy) filtering() bool {
	return p != nil && (len(p.Deny) > 0 || p.BlockPrivate || p.DenyOthers)
}

// compile turns the policy into the proxy's rules.
func (p EgressPolicy) compile() (*egress.Rules, error) {
	for _, l := range []struct {
		arg     string
		entries []string
	}{{"EgressPolicy.Allow", p.Allow}, {"EgressPolicy.Deny", p.Deny}} {
		for _, s := range l.entries {
			if _, err := egress.ParseEntry(s); err != nil {
				var ee *egress.EntryError
				reason := err.Error()
				if errors.As(err, &ee) {
					reason = ee.Reason
				}
				return nil, invalidArg(ErrInvalidEgress, l.arg, s, reason)
			}
		}
	}
	return egress.Compile(p.Allow, p.Deny, p.BlockPrivate, p.DenyOthers)
}

// clone returns a copy of p that shares no slices with it.
func (p *EgressPolicy) clone() *EgressPolicy {
	if p == nil {
		return nil
	}
	c := *p
	c.Allow, c.Deny = slices.Clone(p.Allow), slices.Clone(p.Deny)
	return &c
}

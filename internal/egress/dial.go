package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// Resolver looks up the addresses of a name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// RefusedError is the error of a connection the rules refused.
type RefusedError struct {
	// Host is the destination as asked, host:port.
	Host string
	// Addr is the refused address with its port, or "" when the name
	// itself was refused (or could not be parsed).
	Addr string
	// Rule names what refused it (Verdict.Rule).
	Rule string
}

// Error names the destination, the refused address and the rule.
func (e *RefusedError) Error() string {
	if e.Addr == "" {
		return fmt.Sprintf("egress: %s refused by %s", e.Host, e.Rule)
	}
	return fmt.Sprintf("egress: %s (%s) refused by %s", e.Host, e.Addr, e.Rule)
}

// connect decides about hostport and dials the first allowed address:
// exactly the address the rules saw, so no second resolution can change
// it. It returns a *RefusedError when the rules allow no address.
func (p *Proxy) connect(ctx context.Context, hostport string) (net.Conn, error) {
	host, ps, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, &RefusedError{Host: hostport, Rule: "invalid destination: " + err.Error()}
	}
	n, err := strconv.ParseUint(ps, 10, 16)
	if err != nil || n == 0 {
		return nil, &RefusedError{Host: hostport, Rule: "invalid destination: bad port"}
	}
	port := uint16(n)
	h, err := ParseHost(host)
	if err != nil {
		return nil, &RefusedError{Host: hostport, Rule: "invalid destination: " + err.Error()}
	}
	pol := p.pol.Load()
	rules := pol.rules
	var nameV Verdict
	addrs := []netip.Addr{h.Addr}
	if !h.IsAddr() {
		v, decided := rules.CheckName(h.Name, port)
		if decided {
			return nil, &RefusedError{Host: hostport, Rule: v.Rule}
		}
		nameV = v
		rctx, cancel := context.WithTimeout(ctx, p.dialTimeout)
		addrs, err = pol.res.LookupNetIP(rctx, "ip", h.Name)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", h.Name, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", h.Name)
		}
	}
	var allowed []netip.AddrPort
	var first *RefusedError
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a.Unmap(), port)
		v := rules.CheckAddr(nameV, a, port)
		if ap == p.self || a.Unmap().IsUnspecified() && port == p.self.Port() {
			v = Verdict{Rule: "the egress proxy itself"}
		}
		if v.Allowed {
			allowed = append(allowed, ap)
		} else if first == nil {
			first = &RefusedError{Host: hostport, Addr: ap.String(), Rule: v.Rule}
		}
	}
	if len(allowed) == 0 {
		return nil, first
	}
	d := net.Dialer{Timeout: p.dialTimeout}
	var errs []error
	for _, ap := range allowed {
		c, err := d.DialContext(ctx, "tcp", ap.String())
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Entry is one parsed allow or deny entry.
type Entry struct {
	// Text is the entry as given.
	Text string
	// Name is an exact name, or with Wildcard the parent of the names
	// matched ("*.example.com": Name "example.com", its subdomains only).
	Name     string
	Wildcard bool
	// Prefix is the address range of an address or CIDR entry.
	Prefix netip.Prefix
	// Port restricts the entry to one port; 0 means every port.
	Port uint16
}

// EntryError reports an entry that cannot be parsed.
type EntryError struct {
	Entry  string
	Reason string
}

// Error returns the entry and why it was refused, on one line.
func (e *EntryError) Error() string { return fmt.Sprintf("egress entry %q: %s", e.Entry, e.Reason) }

// ParseEntry parses an allow or deny entry: a name ("example.com"), a
// pattern for a name's subdomains ("*.example.com"), an address in any
// spelling ParseHost takes ("10.0.0.5", "fd00::1", "[fd00::1]"), a CIDR
// range ("10.0.0.0/8", "fd00::/8"); names and addresses may carry a port
// ("example.com:8080", "127.0.0.1:3000", "[::1]:3000").
func ParseEntry(s string) (Entry, error) {
	fail := func(reason string) (Entry, error) { return Entry{}, &EntryError{Entry: s, Reason: reason} }
	t := strings.TrimSpace(s)
	if t == "" {
		return fail("empty")
	}
	if strings.Contains(t, "://") {
		return fail("want a host name, *.name, an address or a CIDR range, not a URL")
	}
	if strings.ContainsAny(t, "?#@ \t\\") {
		return fail("invalid character in a host")
	}
	if strings.Contains(t, "/") {
		p, err := netip.ParsePrefix(t)
		if err != nil {
			return fail("invalid CIDR range (want e.g. 10.0.0.0/8 or fd00::/8)")
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
		}
		return Entry{Text: s, Prefix: p.Masked()}, nil
	}
	host, port := t, uint16(0)
	if h, ps, err := net.SplitHostPort(t); err == nil {
		n, perr := strconv.ParseUint(ps, 10, 16)
		if perr != nil || n == 0 {
			return fail("port must be 1..65535")
		}
		host, port = h, uint16(n)
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	} else if strings.HasPrefix(t, "[") && !strings.HasSuffix(t, "]") {
		return fail("unclosed [")
	} else if strings.Count(t, ":") == 1 {
		return fail("port must be 1..65535")
	}
	wild := false
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		host, wild = rest, true
	}
	if strings.Contains(host, "*") {
		return fail("* may only start a pattern, as in *.example.com")
	}
	h, err := ParseHost(host)
	if err != nil {
		return fail(err.Error())
	}
	if h.IsAddr() {
		if wild {
			return fail("*. needs a name, not an address")
		}
		a := h.Addr
		return Entry{Text: s, Prefix: netip.PrefixFrom(a, a.BitLen()), Port: port}, nil
	}
	return Entry{Text: s, Name: h.Name, Wildcard: wild, Port: port}, nil
}

// matchName reports whether the entry matches the name and port.
func (e Entry) matchName(name string, port uint16) bool {
	if e.Name == "" || e.Port != 0 && e.Port != port {
		return false
	}
	if e.Wildcard {
		return strings.HasSuffix(name, "."+e.Name)
	}
	return name == e.Name
}

// matchAddr reports whether the entry matches the address and port.
func (e Entry) matchAddr(a netip.Addr, port uint16) bool {
	if !e.Prefix.IsValid() || e.Port != 0 && e.Port != port {
		return false
	}
	return e.Prefix.Contains(a.Unmap().WithZone(""))
}

// Rules is a compiled egress policy. The zero value allows everything.
// Precedence: a deny entry wins over everything, an allow entry over
// DenyOthers and BlockPrivate.
type Rules struct {
	Allow, Deny []Entry
	// BlockPrivate refuses the addresses PrivateClass names.
	BlockPrivate bool
	// DenyOthers refuses every destination no allow entry matches.
	DenyOthers bool
}

// Compile parses allow and deny entries into Rules; the error joins one
// *EntryError per bad entry.
func Compile(allow, deny []string, blockPrivate, denyOthers bool) (*Rules, error) {
	r := &Rules{BlockPrivate: blockPrivate, DenyOthers: denyOthers}
	var errs []error
	for _, list := range []struct {
		in  []string
		out *[]Entry
	}{{allow, &r.Allow}, {deny, &r.Deny}} {
		for _, s := range list.in {
			e, err := ParseEntry(s)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			*list.out = append(*list.out, e)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Filtering reports whether the rules can refuse anything.
func (r *Rules) Filtering() bool {
	return r != nil && (len(r.Deny) > 0 || r.BlockPrivate || r.DenyOthers)
}

// Verdict is the decision about one destination.
type Verdict struct {
	Allowed bool
	// Rule names what decided: "deny ENTRY", "allow ENTRY",
	// "block-private: CLASS", "deny-others", or "open".
	Rule string
	// byName is set when an allow entry matched the name: every address
	// it resolves to is allowed unless a deny entry matches the address.
	byName bool
}

// CheckName decides what can be decided from the name alone, before it
// is resolved: a deny entry for the name refuses it, an allow entry lets
// every address through that no deny entry matches. decided is false when
// the addresses decide.
func (r *Rules) CheckName(name string, port uint16) (v Verdict, decided bool) {
	for _, e := range r.Deny {
		if e.matchName(name, port) {
			return Verdict{Rule: "deny " + e.Text}, true
		}
	}
	for _, e := range r.Allow {
		if e.matchName(name, port) {
			return Verdict{Allowed: true, Rule: "allow " + e.Text, byName: true}, false
		}
	}
	return Verdict{}, false
}

// CheckAddr decides about connecting to a (resolved from a name that
// CheckName returned nameV for, or given as an address: zero nameV).
func (r *Rules) CheckAddr(nameV Verdict, a netip.Addr, port uint16) Verdict {
	a = a.Unmap()
	for _, e := range r.Deny {
		if e.matchAddr(a, port) {
			return Verdict{Rule: "deny " + e.Text}
		}
	}
	if nameV.byName {
		return nameV
	}
	for _, e := range r.Allow {
		if e.matchAddr(a, port) {
			return Verdict{Allowed: true, Rule: "allow " + e.Text}
		}
	}
	if r.DenyOthers {
		return Verdict{Rule: "deny-others (no allow entry matches)"}
	}
	if r.BlockPrivate {
		if c := PrivateClass(a); c != "" {
			return Verdict{Rule: "block-private: " + c}
		}
	}
	return Verdict{Allowed: true, Rule: "open"}
}

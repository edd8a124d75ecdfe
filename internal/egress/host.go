package egress

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// Host is a parsed destination host: either an address (Addr valid) or a
// normalised name (lower case ASCII, no trailing dot).
type Host struct {
	Name string
	Addr netip.Addr
}

// IsAddr reports whether the host was given as an address.
func (h Host) IsAddr() bool { return h.Addr.IsValid() }

// String returns the host as it is matched: the name, or the address.
func (h Host) String() string {
	if h.IsAddr() {
		return h.Addr.String()
	}
	return h.Name
}

// maxName is the longest host name accepted (RFC 1035: 253 characters).
const maxName = 253

// ParseHost parses a host as a URL or a CONNECT line carries it, in every
// spelling a browser or a resolver would accept: IPv6 in brackets (with
// ::ffff: IPv4-mapped forms and zones), IPv4 in the WHATWG forms
// (decimal 2130706433, hex 0x7f.1, octal 0177.0.0.1, fewer than four
// parts), upper case and trailing dots. IPv4-mapped IPv6 addresses come
// back as IPv4. A name that ends in a number but is no IPv4 address
// (1.2.3.4.5, 0x1g) is refused, as browsers refuse it.
func ParseHost(s string) (Host, error) {
	if s == "" {
		return Host{}, errors.New("empty host")
	}
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return Host{}, errors.New("unclosed [ in host")
		}
		a, err := parseIPv6(s[1 : len(s)-1])
		if err != nil {
			return Host{}, err
		}
		return Host{Addr: a}, nil
	}
	if strings.Contains(s, ":") {
		a, err := parseIPv6(s)
		if err != nil {
			return Host{}, err
		}
		return Host{Addr: a}, nil
	}
	name := strings.ToLower(s)
	for strings.HasSuffix(name, ".") {
		name = name[:len(name)-1]
	}
	if name == "" {
		return Host{}, errors.New("host is only dots")
	}
	if a, ok, err := parseIPv4Loose(name); err != nil {
		return Host{}, err
	} else if ok {
		return Host{Addr: a}, nil
	}
	if !isASCII(name) || strings.Contains(name, "xn--") {
		ascii, err := idna.Lookup.ToASCII(name)
		if err != nil {
			return Host{}, errors.New("invalid international name: " + err.Error())
		}
		name = ascii
	}
	if len(name) > maxName {
		return Host{}, errors.New("name longer than 253 characters")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return Host{}, errors.New("empty label in name")
		}
		if len(label) > 63 {
			return Host{}, errors.New("label longer than 63 characters")
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return Host{}, errors.New("invalid character " + strconv.QuoteRune(rune(c)) + " in name")
			}
		}
	}
	// A name ending in a number is an IPv4 address or nothing (WHATWG).
	if a, ok, err := parseIPv4Loose(name); err != nil || ok {
		if err == nil {
			return Host{Addr: a}, nil
		}
		return Host{}, err
	}
	return Host{Name: name}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parseIPv6 parses an IPv6 address, with an optional zone (%eth0 or the
// URL form %25eth0); mapped IPv4 addresses are unmapped.
func parseIPv6(s string) (netip.Addr, error) {
	if i := strings.Index(s, "%25"); i >= 0 {
		s = s[:i] + "%" + s[i+3:]
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return netip.Addr{}, errors.New("invalid IPv6 address")
	}
	return a.Unmap(), nil
}

// parseIPv4Loose parses s as an IPv4 address the way the WHATWG URL
// standard (and inet_aton) does. ok is false when s is a name; err is set
// when s ends in a number but is not a valid address.
func parseIPv4Loose(s string) (a netip.Addr, ok bool, err error) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if !isNumberPart(parts[len(parts)-1]) {
		return netip.Addr{}, false, nil
	}
	if len(parts) > 4 {
		return netip.Addr{}, false, errors.New("invalid IPv4 address: more than four parts")
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, false, errors.New("invalid IPv4 address: bad part " + strconv.Quote(p))
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false, errors.New("invalid IPv4 address: part over 255")
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false, errors.New("invalid IPv4 address: out of range")
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

// isNumberPart reports whether p looks like a number to the WHATWG
// "ends in a number" check: all decimal digits, or 0x followed by hex digits.
func isNumberPart(p string) bool {
	if p == "" {
		return false
	}
	if allIn(p, "0123456789") {
		return true
	}
	if len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') {
		return allIn(p[2:], "0123456789abcdefABCDEF")
	}
	return false
}

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(set, rune(s[i])) {
			return false
		}
	}
	return true
}

// parseIPv4Part parses one part: 0x hex, 0 octal, or decimal.
func parseIPv4Part(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
		if p == "" {
			return 0, true
		}
	case len(p) >= 2 && p[0] == '0':
		p, base = p[1:], 8
	}
	if len(p) > 16 { // beyond any valid value; keeps ParseUint from overflowing quietly
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}

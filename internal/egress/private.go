package egress

import "net/netip"

// privateRange is a range that BlockPrivate refuses, with its name.
type privateRange struct {
	prefix netip.Prefix
	name   string
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// privateV4 are the IPv4 ranges that are not the public internet: the
// host itself, private networks, link-local (the cloud metadata service at
// 169.254.169.254), carrier-grade NAT, and the special-purpose ranges
// (RFC 6890) a page has no business reaching.
var privateV4 = []privateRange{
	{mustPrefix("0.0.0.0/8"), "this network (0.0.0.0/8, Linux connects 0.0.0.0 to the host itself)"},
	{mustPrefix("10.0.0.0/8"), "private (10.0.0.0/8)"},
	{mustPrefix("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"},
	{mustPrefix("127.0.0.0/8"), "loopback (127.0.0.0/8)"},
	{mustPrefix("169.254.0.0/16"), "link-local (169.254.0.0/16, cloud metadata)"},
	{mustPrefix("172.16.0.0/12"), "private (172.16.0.0/12)"},
	{mustPrefix("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"},
	{mustPrefix("192.0.2.0/24"), "documentation (192.0.2.0/24)"},
	{mustPrefix("192.168.0.0/16"), "private (192.168.0.0/16)"},
	{mustPrefix("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"},
	{mustPrefix("198.51.100.0/24"), "documentation (198.51.100.0/24)"},
	{mustPrefix("203.0.113.0/24"), "documentation (203.0.113.0/24)"},
	{mustPrefix("224.0.0.0/4"), "multicast (224.0.0.0/4)"},
	{mustPrefix("240.0.0.0/4"), "reserved and broadcast (240.0.0.0/4)"},
}

// privateV6 are the IPv6 ranges refused outright. IPv4-mapped addresses
// are unmapped before; NAT64 and 6to4 addresses are judged by the IPv4
// address they carry (embeddedV4).
var privateV6 = []privateRange{
	{mustPrefix("::1/128"), "loopback (::1)"},
	{mustPrefix("::/128"), "unspecified (::)"},
	{mustPrefix("::/96"), "IPv4-compatible IPv6 (::/96)"},
	{mustPrefix("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"},
	{mustPrefix("100::/64"), "discard-only (100::/64)"},
	{mustPrefix("2001::/32"), "Teredo (2001::/32, carries an IPv4 address)"},
	{mustPrefix("2001:db8::/32"), "documentation (2001:db8::/32)"},
	{mustPrefix("fc00::/7"), "unique-local (fc00::/7)"},
	{mustPrefix("fe80::/10"), "link-local (fe80::/10)"},
	{mustPrefix("fec0::/10"), "site-local (fec0::/10)"},
	{mustPrefix("ff00::/8"), "multicast (ff00::/8)"},
}

var (
	nat64     = mustPrefix("64:ff9b::/96")
	sixToFour = mustPrefix("2002::/16")
)

// PrivateClass names the private range a holds, or returns "" for a public
// address. An invalid address is private ("invalid address").
func PrivateClass(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid address"
	}
	a = a.Unmap().WithZone("")
	ranges := privateV6
	if a.Is4() {
		ranges = privateV4
	}
	for _, r := range ranges {
		if r.prefix.Contains(a) {
			return r.name
		}
	}
	if v4, how := embeddedV4(a); how != "" {
		if c := PrivateClass(v4); c != "" {
			return how + " of " + c
		}
	}
	return ""
}

// embeddedV4 returns the IPv4 address that a NAT64 or 6to4 address
// carries, and which kind it is.
func embeddedV4(a netip.Addr) (netip.Addr, string) {
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), "NAT64 form"
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), "6to4 form"
	}
	return netip.Addr{}, ""
}

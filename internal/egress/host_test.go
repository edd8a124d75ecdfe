package egress

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseHostSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1", "2130706433": "127.0.0.1", "0x7f.1": "127.0.0.1", "0177.0.0.1": "127.0.0.1",
		"0x7f000001": "127.0.0.1", "127.1": "127.0.0.1", "127.0.0.1.": "127.0.0.1", "0X7F.0.0.1": "127.0.0.1",
		"[::ffff:127.0.0.1]": "127.0.0.1", "[::ffff:7f00:1]": "127.0.0.1", "::ffff:10.0.0.1": "10.0.0.1",
		"181075969": "10.203.0.1", "0xa.0xcb.0.1": "10.203.0.1", "012.0313.0.01": "10.203.0.1",
		"2852039166": "169.254.169.254", "0xa9.0xfe.0xa9.0xfe": "169.254.169.254", "0": "0.0.0.0", "0x": "0.0.0.0",
		"[fd00::1]": "fd00::1", "[FD00:0:0:0:0:0:0:1]": "fd00::1", "[fe80::1%25eth0]": "fe80::1%eth0",
		"Example.COM.": "example.com", "localhost..": "localhost", "bücher.de": "xn--bcher-kva.de", "a_b.example": "a_b.example",
	} {
		h, err := ParseHost(in)
		if err != nil || h.String() != want {
			t.Errorf("ParseHost(%q) = %v, %v; want %s", in, h, err, want)
		}
	}
	for _, in := range []string{"", ".", "1.2.3.4.5", "256.0.0.1", "1.2.3.09", "1.2.3.256", "4294967296", "08.0.0.1", "[::1", "[zz::1]",
		"a b", "ex%61mple.com", "a..b", strings.Repeat("a", 64) + ".com", "exa/mple"} {
		if h, err := ParseHost(in); err == nil {
			t.Errorf("ParseHost(%q) = %v, want an error", in, h)
		}
	}
}

func TestPrivateClass(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
		"100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "240.0.0.1", "198.18.0.1",
		"::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "fd00::1", "fc00::1", "fe80::1", "ff02::1", "fec0::1",
		"64:ff9b::a00:1", "2002:7f00:1::", "2002:a9fe:a9fe::1", "2001::1", "2001:db8::1"} {
		if c := PrivateClass(netip.MustParseAddr(a)); c == "" {
			t.Errorf("PrivateClass(%s) = \"\", want private", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "11.0.0.1"} {
		if c := PrivateClass(netip.MustParseAddr(a)); c != "" {
			t.Errorf("PrivateClass(%s) = %q, want public", a, c)
		}
	}
	if c := PrivateClass(netip.Addr{}); c == "" {
		t.Error("the invalid address is public")
	}
}

// FuzzParseHost: parsing never panics; an address that parses is the
// same after a round trip; a name that parses is normalised, so parsing
// it again gives it back; what ParseHost calls a name never parses as an
// address in another spelling.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "0x7f.1", "0177.0.0.1", "2130706433", "[::ffff:127.0.0.1]", "localhost.", "bücher.de",
		"1.2.3.4.5", "[fe80::1%25eth0]", "xn--bcher-kva.de", "0x", "..", "a.b-c_d.", "[::]", "999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHost(s)
		if err != nil {
			return
		}
		if h.IsAddr() {
			if h.Addr.Is4In6() {
				t.Fatalf("ParseHost(%q) = %v: mapped address not unmapped", s, h.Addr)
			}
			again, err := ParseHost(bracket(h.Addr))
			if err != nil || again.Addr != h.Addr {
				t.Fatalf("ParseHost(%q) = %v; again: %v, %v", s, h.Addr, again, err)
			}
			return
		}
		if h.Name == "" || h.Name != strings.ToLower(h.Name) || strings.HasSuffix(h.Name, ".") {
			t.Fatalf("ParseHost(%q) = name %q, not normalised", s, h.Name)
		}
		again, err := ParseHost(h.Name)
		if err != nil || again != h {
			t.Fatalf("ParseHost(%q) = %q; again: %v, %v", s, h.Name, again, err)
		}
		if _, err := netip.ParseAddr(h.Name); err == nil {
			t.Fatalf("ParseHost(%q) = name %q, which is an address", s, h.Name)
		}
	})
}

func bracket(a netip.Addr) string {
	if a.Is6() {
		return "[" + a.String() + "]"
	}
	return a.String()
}

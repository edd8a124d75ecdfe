package egress

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseEntry(t *testing.T) {
	for in, want := range map[string]Entry{
		"example.com":         {Name: "example.com"},
		"Example.COM.":        {Name: "example.com"},
		"*.example.com":       {Name: "example.com", Wildcard: true},
		"example.com:443":     {Name: "example.com", Port: 443},
		"localhost:3000":      {Name: "localhost", Port: 3000},
		"10.0.0.5":            {Prefix: netip.MustParsePrefix("10.0.0.5/32")},
		"10.0.0.5:80":         {Prefix: netip.MustParsePrefix("10.0.0.5/32"), Port: 80},
		"0x7f.1":              {Prefix: netip.MustParsePrefix("127.0.0.1/32")},
		"fd00::1":             {Prefix: netip.MustParsePrefix("fd00::1/128")},
		"[fd00::1]":           {Prefix: netip.MustParsePrefix("fd00::1/128")},
		"[::1]:8443":          {Prefix: netip.MustParsePrefix("::1/128"), Port: 8443},
		"10.1.2.3/8":          {Prefix: netip.MustParsePrefix("10.0.0.0/8")},
		"fd00::/8":            {Prefix: netip.MustParsePrefix("fd00::/8")},
		"::ffff:10.0.0.0/104": {Prefix: netip.MustParsePrefix("10.0.0.0/8")},
	} {
		e, err := ParseEntry(in)
		want.Text = in
		if err != nil || e != want {
			t.Errorf("ParseEntry(%q) = %+v, %v; want %+v", in, e, err, want)
		}
	}
	for _, in := range []string{"", " ", "http://example.com", "example.com/x", "10.0.0.0/33", "*", "*.", "a.*.com", "*.10.0.0.1",
		"example.com:0", "example.com:99999", "example.com:x", "[::1", "1.2.3.4.5", "a b", "user@host", "ex?ample"} {
		if e, err := ParseEntry(in); err == nil {
			t.Errorf("ParseEntry(%q) = %+v, want an error", in, e)
		} else if var_ := (*EntryError)(nil); !errors.As(err, &var_) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseEntry(%q): error %v is not a one-line *EntryError", in, err)
		}
	}
}

// decide runs the rules as the proxy does for host:port resolving to addrs.
func decide(r *Rules, host string, port uint16, addrs ...string) Verdict {
	h, err := ParseHost(host)
	if err != nil {
		return Verdict{Rule: "invalid"}
	}
	var nameV Verdict
	if !h.IsAddr() {
		v, decided := r.CheckName(h.Name, port)
		if decided {
			return v
		}
		nameV = v
	} else {
		addrs = []string{h.Addr.String()}
	}
	var first Verdict
	for i, a := range addrs {
		v := r.CheckAddr(nameV, netip.MustParseAddr(a), port)
		if v.Allowed {
			return v
		}
		if i == 0 {
			first = v
		}
	}
	return first
}

func TestRulesPrecedence(t *testing.T) {
	r, err := Compile([]string{"localhost", "intranet.example", "10.9.0.0/16", "*.corp.example", "127.0.0.1:3000", "deny.example"},
		[]string{"10.9.9.0/24", "evil.example", "*.ads.example", "93.184.216.34:8080", "deny.example"}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		host  string
		port  uint16
		addrs []string
		ok    bool
		rule  string
	}{
		{"localhost", 80, []string{"127.0.0.1"}, true, "allow localhost"},                        // allowed name wins over BlockPrivate
		{"intranet.example", 80, []string{"10.9.9.9"}, false, "deny 10.9.9.0/24"},                // deny address wins over allowed name
		{"10.9.1.1", 80, nil, true, "allow 10.9.0.0/16"},                                         // allowed range
		{"10.9.9.1", 80, nil, false, "deny 10.9.9.0/24"},                                         // deny inside allowed range
		{"a.corp.example", 80, []string{"10.1.1.1"}, true, "allow *.corp.example"},               // wildcard
		{"corp.example", 80, []string{"10.1.1.1"}, false, "block-private: private (10.0.0.0/8)"}, // wildcard excludes the apex
		{"127.0.0.1", 3000, nil, true, "allow 127.0.0.1:3000"},
		{"127.0.0.1", 3001, nil, false, "block-private: loopback (127.0.0.0/8)"},
		{"2130706433", 3000, nil, true, "allow 127.0.0.1:3000"},
		{"rebind.example", 80, []string{"169.254.169.254"}, false, "block-private: link-local (169.254.0.0/16, cloud metadata)"},
		{"evil.example", 80, []string{"93.184.216.34"}, false, "deny evil.example"},
		{"x.ads.example", 443, []string{"93.184.216.34"}, false, "deny *.ads.example"},
		{"deny.example", 80, []string{"93.184.216.34"}, false, "deny deny.example"}, // deny beats allow of the same name
		{"93.184.216.34", 8080, nil, false, "deny 93.184.216.34:8080"},
		{"93.184.216.34", 80, nil, true, "open"},
		{"[::ffff:10.9.9.1]", 80, nil, false, "deny 10.9.9.0/24"},
		{"mixed.example", 80, []string{"10.0.0.1", "93.184.216.34"}, true, "open"},
	} {
		v := decide(r, c.host, c.port, c.addrs...)
		if v.Allowed != c.ok || v.Rule != c.rule {
			t.Errorf("%s:%d %v: %v %q, want %v %q", c.host, c.port, c.addrs, v.Allowed, v.Rule, c.ok, c.rule)
		}
	}
	only, _ := Compile([]string{"*.example.com"}, nil, false, true)
	if v := decide(only, "a.example.com", 443, "93.184.216.34"); !v.Allowed {
		t.Errorf("DenyOthers refuses an allowed name: %+v", v)
	}
	if v := decide(only, "other.org", 443, "93.184.216.34"); v.Allowed {
		t.Errorf("DenyOthers allows an unlisted name: %+v", v)
	}
	if (&Rules{}).Filtering() || !r.Filtering() || !only.Filtering() {
		t.Error("Filtering is wrong")
	}
}

// FuzzParseEntry: parsing never panics, errors are one line, and an
// entry that parses matches what it says: a name entry its name, an
// address entry its address.
func FuzzParseEntry(f *testing.F) {
	for _, s := range []string{"example.com", "*.example.com", "10.0.0.0/8", "[::1]:3000", "0x7f.1", "fd00::/8", "a:b:c", "*.", "[", "::ffff:1.2.3.4/120"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEntry(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseEntry(%q): multi-line error %q", s, err)
			}
			return
		}
		switch {
		case e.Name != "" && !e.Wildcard:
			if !e.matchName(e.Name, max(e.Port, 1)) {
				t.Fatalf("entry %q does not match its own name %q", s, e.Name)
			}
		case e.Name != "":
			if !e.matchName("x."+e.Name, max(e.Port, 1)) || e.matchName(e.Name, max(e.Port, 1)) {
				t.Fatalf("wildcard entry %q matches wrongly", s)
			}
		case e.Prefix.IsValid():
			if !e.matchAddr(e.Prefix.Addr(), max(e.Port, 1)) {
				t.Fatalf("entry %q does not match its own address %v", s, e.Prefix.Addr())
			}
		default:
			t.Fatalf("entry %q parsed to nothing: %+v", s, e)
		}
	})
}

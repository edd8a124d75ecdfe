package main

import (
	"slices"
	"strings"
	"testing"
)

// The egress flags: publish and worker block private addresses by
// default, publish (like screenshot and record) allows its URL's host, a
// worker only what its flags say; deny wins; bad entries are one-line
// usage errors.
func TestEgressFlags(t *testing.T) {
	parse := func(blockDefault bool, args ...string) (*egressFlags, error) {
		fs := newFlagSet("t")
		var f egressFlags
		f.register(fs, blockDefault)
		_, err := parseInterspersed(fs, args)
		return &f, err
	}
	f, _ := parse(true)
	p := f.policy("http://localhost:3000/app")
	if p == nil || !p.BlockPrivate || !slices.Equal(p.Allow, []string{"localhost"}) || len(p.Deny) != 0 {
		t.Errorf("publish default: %+v", p)
	}
	if p := f.policy(""); p == nil || !p.BlockPrivate || len(p.Allow) != 0 {
		t.Errorf("worker default: %+v", p)
	}
	if p := f.policy("data:text/html,x"); p == nil || len(p.Allow) != 0 {
		t.Errorf("data: URL allowed a host: %+v", p)
	}
	f, _ = parse(true, "--block-private=false")
	if p := f.policy("http://localhost:3000/"); p != nil {
		t.Errorf("--block-private=false: %+v, want no policy", p)
	}
	f, _ = parse(false)
	if p := f.policy("http://10.0.0.5/"); p != nil {
		t.Errorf("screenshot default: %+v, want no policy", p)
	}
	f, err := parse(false, "--deny-host", "*.ads.example", "--allow-host=10.1.0.0/16", "--allow-host", "[fd00::1]:8443", "--block-private")
	if err != nil {
		t.Fatal(err)
	}
	p = f.policy("https://[fd00::2]:9/")
	if p == nil || !p.BlockPrivate || !slices.Equal(p.Allow, []string{"10.1.0.0/16", "[fd00::1]:8443", "fd00::2"}) || !slices.Equal(p.Deny, []string{"*.ads.example"}) {
		t.Errorf("flags: %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("the flags' policy does not validate: %v", err)
	}
	f, _ = parse(false, "--deny-host", "169.254.169.254")
	if p := f.policy("http://example.com/"); p == nil || p.BlockPrivate || len(p.Allow) != 0 || len(p.Deny) != 1 {
		t.Errorf("--deny-host alone: %+v", p)
	}
	for _, bad := range []string{"http://x/", "10.0.0.0/99", "a.*.b", ""} {
		_, err := parse(true, "--allow-host", bad)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--allow-host") {
			t.Errorf("--allow-host %q: %v, want a one-line error naming the flag", bad, err)
		}
	}
}

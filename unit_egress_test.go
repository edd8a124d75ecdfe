package lkbrowser

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestUnitEgressPolicyValidate(t *testing.T) {
	ok := EgressPolicy{Allow: []string{"localhost:3000", "*.example.com", "10.0.0.0/8", "[fd00::1]"}, Deny: []string{"169.254.169.254"}, BlockPrivate: true}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(%+v) = %v", ok, err)
	}
	for _, bad := range []EgressPolicy{{Allow: []string{"http://x/"}}, {Deny: []string{"10.0.0.0/40"}}, {Deny: []string{"a.*.b"}}, {Allow: []string{""}}} {
		err := bad.Validate()
		var ia *InvalidArgumentError
		if !errors.Is(err, ErrInvalidEgress) || !errors.As(err, &ia) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(ia.Arg, "EgressPolicy.") {
			t.Errorf("Validate(%+v) = %v, want a one-line *InvalidArgumentError matching ErrInvalidEgress", bad, err)
		}
	}
	if err := (PageOptions{Egress: &EgressPolicy{Deny: []string{"*"}}}).withDefaults(PageOptions{}).validate(); !errors.Is(err, ErrInvalidEgress) {
		t.Errorf("PageOptions with a bad policy: %v", err)
	}
}

func TestUnitEgressFiltering(t *testing.T) {
	var nilPol *EgressPolicy
	for _, c := range []struct {
		p    *EgressPolicy
		want bool
	}{{nilPol, false}, {&EgressPolicy{}, false}, {&EgressPolicy{Allow: []string{"x"}}, false},
		{&EgressPolicy{BlockPrivate: true}, true}, {&EgressPolicy{Deny: []string{"x"}}, true}, {&EgressPolicy{DenyOthers: true}, true}} {
		if got := c.p.filtering(); got != c.want {
			t.Errorf("filtering(%+v) = %v", c.p, got)
		}
	}
	a := &EgressPolicy{Allow: []string{"a"}, BlockPrivate: true}
	b := a.clone()
	b.Allow[0] = "b"
	if a.Allow[0] != "a" {
		t.Error("clone shares Allow")
	}
}

// A page inherits the engine's policy (through DefaultPage) unless it has
// its own; warm pages serve pages with another policy only when both
// filter or neither does.
func TestUnitEgressDefaultsAndWarm(t *testing.T) {
	eng := &EgressPolicy{BlockPrivate: true}
	own := &EgressPolicy{Deny: []string{"example.com"}}
	if got := (PageOptions{}).withDefaults(PageOptions{Egress: eng}); got.Egress != eng {
		t.Errorf("page without a policy got %+v, want the engine's", got.Egress)
	}
	if got := (PageOptions{Egress: own}).withDefaults(PageOptions{Egress: eng}); got.Egress != own {
		t.Errorf("page with its own policy got %+v", got.Egress)
	}
	base := PageOptions{URL: "about:blank", Width: 100, Height: 100, FrameRate: 30, MaxWidth: 100, MaxHeight: 100}
	with := func(p *EgressPolicy) PageOptions { o := base; o.Egress = p; return o }
	if !sameStart(with(eng), with(own)) || !sameStart(with(nil), with(&EgressPolicy{})) {
		t.Error("two filtering (or two open) pages do not share warm pages")
	}
	if sameStart(with(nil), with(eng)) || sameStart(with(eng), with(&EgressPolicy{Allow: []string{"x"}})) {
		t.Error("a filtering and an open page share warm pages")
	}
	flags := chromiumFlags(&Engine{}, "/d", base, "127.0.0.1:1234")
	if !slices.Contains(flags, "--proxy-server=http://127.0.0.1:1234") || !slices.Contains(flags, "--proxy-bypass-list=<-loopback>") {
		t.Errorf("flags with a proxy: %q", flags)
	}
	if flags := chromiumFlags(&Engine{}, "/d", base, ""); slices.ContainsFunc(flags, func(f string) bool { return strings.HasPrefix(f, "--proxy") }) {
		t.Errorf("flags without a proxy: %q", flags)
	}
}

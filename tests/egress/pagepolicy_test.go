package egress

import (
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// PageOptions.Egress replaces the engine's policy for one page: Deny
// entries by name, by range and by address and port, an allow list
// (DenyOthers), each refusal naming its rule.
func TestEgressPagePolicy(t *testing.T) {
	for _, c := range []struct {
		name   string
		pol    lkbrowser.EgressPolicy
		url    string
		loaded bool
		rule   string
	}{
		{"deny a name", lkbrowser.EgressPolicy{Deny: []string{"public.test"}}, "http://public.test/p1.gif", false, "deny public.test"},
		{"deny wins over allow", lkbrowser.EgressPolicy{Allow: []string{"public.test"}, Deny: []string{"93.184.216.0/24"}}, "http://public.test/p2.gif", false, "deny 93.184.216.0/24"},
		{"deny a port", lkbrowser.EgressPolicy{Deny: []string{addrPublic + ":80"}}, "http://" + addrPublic + "/p3.gif", false, "deny " + addrPublic + ":80"},
		{"allow list", lkbrowser.EgressPolicy{DenyOthers: true, Allow: []string{"*.test"}}, "http://" + addrPublic + "/p4.gif", false, "deny-others (no allow entry matches)"},
		{"allow list, listed", lkbrowser.EgressPolicy{DenyOthers: true, Allow: []string{"*.test"}}, "http://public.test/p5.gif", true, ""},
		{"allow a private range", lkbrowser.EgressPolicy{BlockPrivate: true, Allow: []string{"10.203.0.0/24"}}, "http://rebind.test/p6.gif", true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			pol := c.pol
			pol.Resolver = testResolver{}
			pol.Allow = append(pol.Allow, pages.hostPort)
			p := probePage(t, engine, lkbrowser.PageOptions{Egress: &pol})
			ev := &refusals{p: p}
			got := evalString(t, p, "probe.img("+js(c.url)+")", 20*time.Second)
			ev.collect(200 * time.Millisecond)
			reached := targetAt(addrPrivate).take()
			public.take()
			if c.loaded {
				if got != "loaded" || len(ev.all) != 0 {
					t.Errorf("%s: %q, refusals:%s; want loaded", c.url, got, describe(ev.all))
				}
				if strings.Contains(c.url, "rebind") && len(reached) == 0 {
					t.Errorf("the allowed private server saw nothing")
				}
				return
			}
			if got != "error" || len(ev.all) != 1 || ev.all[0].Rule != c.rule {
				t.Errorf("%s: %q, refusals:%s; want an error refused by %q", c.url, got, describe(ev.all), c.rule)
			}
		})
	}
}

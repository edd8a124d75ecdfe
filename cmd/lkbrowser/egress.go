package main

import (
	"errors"
	"flag"
	"net/url"
	"slices"
	"strings"

	"github.com/lkbrowser/lkbrowser"
)

// egressFlags are the --allow-host, --deny-host and --block-private flags
// of the commands that open pages.
type egressFlags struct {
	allow, deny  []string
	blockPrivate bool
}

// register adds the flags to fs; blockPrivate is --block-private's default.
func (f *egressFlags) register(fs *flag.FlagSet, blockPrivate bool) {
	entry := func(list *[]string) func(string) error {
		return func(v string) error {
			if err := (lkbrowser.EgressPolicy{Allow: []string{v}}).Validate(); err != nil {
				var ia *lkbrowser.InvalidArgumentError
				if errors.As(err, &ia) {
					return errors.New(ia.Reason)
				}
				return err
			}
			*list = append(*list, v)
			return nil
		}
	}
	fs.Func("allow-host", "let pages reach this destination even when --block-private refuses it (repeatable): a name, *.name, an address or a CIDR range, with an optional :port", entry(&f.allow))
	fs.Func("deny-host", "never let pages reach this destination (repeatable; wins over --allow-host and the URL's host)", entry(&f.deny))
	fs.BoolVar(&f.blockPrivate, "block-private", blockPrivate, "refuse loopback, private (RFC 1918), link-local (cloud metadata), CGNAT, unique-local and other non-public addresses")
}

// policy returns the pages' egress policy, or nil when it filters nothing
// (no proxy). The host of startURL, the URL the operator starts the page
// with, is allowed: it is the operator's choice (publish
// http://localhost:3000 keeps working). A worker has no such URL: a
// dispatch's URL never loosens its policy.
func (f *egressFlags) policy(startURL string) *lkbrowser.EgressPolicy {
	p := &lkbrowser.EgressPolicy{Allow: slices.Clone(f.allow), Deny: slices.Clone(f.deny), BlockPrivate: f.blockPrivate}
	if host := startHost(startURL); host != "" && p.BlockPrivate {
		p.Allow = append(p.Allow, host)
	}
	if len(p.Deny) == 0 && !p.BlockPrivate {
		return nil
	}
	return p
}

// startHost returns the host of an http(s) URL as an allow entry, or "".
func startHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss":
	default:
		return ""
	}
	h := u.Hostname()
	if h == "" || (lkbrowser.EgressPolicy{Allow: []string{h}}).Validate() != nil {
		return ""
	}
	return h
}

// describe says what the policy does, for the commands' start-up lines.
func describeEgress(p *lkbrowser.EgressPolicy) string {
	if p == nil {
		return "egress: open (no --block-private, no --deny-host)"
	}
	var parts []string
	if p.BlockPrivate {
		parts = append(parts, "private addresses blocked")
	}
	if len(p.Allow) > 0 {
		parts = append(parts, "allowed: "+strings.Join(p.Allow, ", "))
	}
	if len(p.Deny) > 0 {
		parts = append(parts, "denied: "+strings.Join(p.Deny, ", "))
	}
	return "egress: " + strings.Join(parts, "; ")
}

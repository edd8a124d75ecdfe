package lkbrowser

import (
	"net/url"
	"slices"
	"strings"
)

// DefaultAllowedSchemes are the URL schemes that NewPage and Navigate accept
// unless Options.AllowedSchemes says otherwise. Pages driven from a LiveKit
// room use a stricter policy of their own (http and https only).
var DefaultAllowedSchemes = []string{"http", "https", "file", "data", "about"}

// MaxURLLength is the longest URL accepted, in bytes. Chromium itself takes
// up to 2 MiB, but a URL that long is almost always a mistake; serve big
// pages over http instead of inlining them in data: URLs.
const MaxURLLength = 64 << 10

// URLPolicy decides which URLs may be loaded.
type URLPolicy struct {
	// Schemes lists the allowed schemes, lower case.
	Schemes []string
}

// Check returns nil when raw is an absolute URL that the policy allows, and an
// *InvalidArgumentError matching ErrInvalidURL otherwise.
func (p URLPolicy) Check(raw string) error {
	if raw == "" {
		return invalidArg(ErrInvalidURL, "URL", raw, "empty")
	}
	if len(raw) > MaxURLLength {
		return invalidArg(ErrInvalidURL, "URL", raw, "longer than 64 KiB")
	}
	if strings.ContainsAny(raw, "\x00\r\n") {
		return invalidArg(ErrInvalidURL, "URL", raw, "contains control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalidArg(ErrInvalidURL, "URL", raw, err.Error())
	}
	if u.Scheme == "" {
		return invalidArg(ErrInvalidURL, "URL", raw, "not absolute (no scheme)")
	}
	scheme := strings.ToLower(u.Scheme)
	if !slices.Contains(p.Schemes, scheme) {
		return invalidArg(ErrInvalidURL, "URL", raw, "scheme "+scheme+" not allowed (allowed: "+strings.Join(p.Schemes, ", ")+")")
	}
	if (scheme == "http" || scheme == "https") && u.Host == "" {
		return invalidArg(ErrInvalidURL, "URL", raw, "no host")
	}
	return nil
}

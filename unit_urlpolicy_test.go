package lkbrowser

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
)

var unitDefaultPolicy = URLPolicy{Schemes: DefaultAllowedSchemes}

func TestUnitURLPolicyAccepts(t *testing.T) {
	// A URL exactly MaxURLLength bytes long is the longest accepted.
	longest := "http://example.com/?q="
	longest += strings.Repeat("a", MaxURLLength-len(longest))
	for _, raw := range []string{
		"http://example.com",
		"https://example.com/path?q=1#frag",
		"http://127.0.0.1:8080/",
		"https://[::1]:8443/x",
		"http://user:pass@example.com/",
		"file:///x",
		"file:///tmp/page.html",
		"data:text/html,<h1>hello world</h1>",
		"data:text/html;base64,PGgxPmhpPC9oMT4=",
		"data:text/html," + url.PathEscape("<p style=\"color:red\">#1</p>"),
		"about:blank",
		"HTTP://x",
		"hTTpS://Example.COM/",
		"DATA:text/plain,x",
		longest,
	} {
		if err := unitDefaultPolicy.Check(raw); err != nil {
			t.Errorf("Check(%.60q) = %v, want nil", raw, err)
		}
	}
	if len(longest) != MaxURLLength {
		t.Fatalf("test bug: longest is %d bytes", len(longest))
	}
}

func TestUnitURLPolicyRefuses(t *testing.T) {
	tooLong := "http://example.com/?q=" + strings.Repeat("a", 100<<10)
	justTooLong := "http://example.com/?q="
	justTooLong += strings.Repeat("a", MaxURLLength+1-len(justTooLong))
	tests := []struct {
		name, raw string
		reason    string // substring of the error message
	}{
		{"empty", "", "empty"},
		{"relative host", "example.com", "not absolute"},
		{"relative path", "/path", "not absolute"},
		{"relative dot path", "./page.html", "not absolute"},
		{"leading space", " http://example.com", "cannot contain colon"},
		{"ftp", "ftp://x", "scheme ftp not allowed"},
		{"javascript", "javascript:alert(1)", "scheme javascript not allowed"},
		{"javascript mixed case", "JavaScript:alert(1)", "scheme javascript not allowed"},
		{"chrome", "chrome://settings", "scheme chrome not allowed"},
		{"chrome-extension", "chrome-extension://abc/x.html", "not allowed"},
		{"view-source", "view-source:http://example.com", "not allowed"},
		{"blob", "blob:http://example.com/uuid", "not allowed"},
		{"http no host", "http://", "no host"},
		{"https no host", "https:///path", "no host"},
		{"http opaque", "http:example.com", "no host"},
		{"HTTP no host", "HTTP://", "no host"},
		{"100 KB", tooLong, "longer than 64 KiB"},
		{"MaxURLLength+1", justTooLong, "longer than 64 KiB"},
		{"NUL", "http://example.com/\x00x", "control characters"},
		{"CR", "http://example.com/\rx", "control characters"},
		{"LF", "http://example.com/\nx", "control characters"},
		{"CRLF header injection", "http://example.com/\r\nX-Evil: 1", "control characters"},
		{"bad escape", "http://example.com/%zz", "invalid URL escape"},
		{"bad port", "http://example.com:port/", "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := unitDefaultPolicy.Check(tt.raw)
			if err == nil {
				t.Fatalf("Check(%.60q) = nil, want an error", tt.raw)
			}
			if !errors.Is(err, ErrInvalidURL) {
				t.Errorf("error %v does not match ErrInvalidURL", err)
			}
			for _, other := range []error{ErrInvalidSize, ErrInvalidFrameRate, ErrInvalidPort, ErrInvalidInput} {
				if errors.Is(err, other) {
					t.Errorf("error %v wrongly matches %v", err, other)
				}
			}
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) {
				t.Fatalf("error %T is not an *InvalidArgumentError", err)
			}
			if ia.Arg != "URL" {
				t.Errorf("Arg = %q, want URL", ia.Arg)
			}
			if !strings.Contains(ia.Reason, tt.reason) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q (reason %q) does not mention %q", err, ia.Reason, tt.reason)
			}
			if len(ia.Value) > 80 {
				t.Errorf("Value is %d bytes, want it shortened to <= 80", len(ia.Value))
			}
			if len(err.Error()) > 400 {
				t.Errorf("error message is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestUnitURLPolicyCustom(t *testing.T) {
	p := URLPolicy{Schemes: []string{"https"}}
	tests := []struct {
		raw string
		ok  bool
	}{
		{"https://example.com/", true},
		{"HTTPS://example.com/", true},
		{"http://example.com/", false},
		{"file:///x", false},
		{"data:text/html,x", false},
		{"about:blank", false},
		{"https://", false},
	}
	for _, tt := range tests {
		err := p.Check(tt.raw)
		if tt.ok && err != nil {
			t.Errorf("Check(%q) = %v, want nil", tt.raw, err)
		}
		if !tt.ok && !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Check(%q) = %v, want ErrInvalidURL", tt.raw, err)
		}
	}
	// The refusal names the allowed schemes, so the user knows what to use.
	err := p.Check("http://example.com/")
	if err == nil || !strings.Contains(err.Error(), "allowed: https") {
		t.Errorf("error %v does not list the allowed schemes", err)
	}
	// An empty policy allows nothing.
	if err := (URLPolicy{}).Check("https://example.com/"); !errors.Is(err, ErrInvalidURL) {
		t.Errorf("empty policy: Check = %v, want ErrInvalidURL", err)
	}
}

// FuzzURLPolicy checks that Check never panics and that whatever it accepts
// is a well-formed URL of an allowed scheme within the length limit.
func FuzzURLPolicy(f *testing.F) {
	for _, s := range []string{
		"", "http://example.com", "HTTP://x", "https://", "file:///x", "about:blank",
		"data:text/html,<b>x</b>", "javascript:alert(1)", "ftp://x", "/path", "example.com",
		"http://a/\x00", "http://[::1]:80/", "http:x", "http://example.com/%zz",
	} {
		f.Add(s)
	}
	policies := []URLPolicy{unitDefaultPolicy, {Schemes: []string{"https"}}}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range policies {
			err := p.Check(raw)
			if err != nil {
				var ia *InvalidArgumentError
				if !errors.As(err, &ia) || !errors.Is(err, ErrInvalidURL) {
					t.Fatalf("Check(%q) = %v (%T), want an *InvalidArgumentError matching ErrInvalidURL", raw, err, err)
				}
				if len(ia.Value) > 80 {
					t.Fatalf("Check(%q): Value not shortened: %d bytes", raw, len(ia.Value))
				}
				continue
			}
			if len(raw) == 0 || len(raw) > MaxURLLength {
				t.Fatalf("accepted URL of length %d", len(raw))
			}
			if strings.ContainsAny(raw, "\x00\r\n") {
				t.Fatalf("accepted URL with control characters: %q", raw)
			}
			u, perr := url.Parse(raw)
			if perr != nil {
				t.Fatalf("accepted %q, which does not parse: %v", raw, perr)
			}
			scheme := strings.ToLower(u.Scheme)
			if !slices.Contains(p.Schemes, scheme) {
				t.Fatalf("accepted %q with scheme %q, not in %v", raw, u.Scheme, p.Schemes)
			}
			if (scheme == "http" || scheme == "https") && u.Host == "" {
				t.Fatalf("accepted %q: http(s) without a host", raw)
			}
			if !strings.HasPrefix(strings.ToLower(raw), scheme+":") {
				t.Fatalf("accepted %q: does not start with its scheme %q", raw, scheme)
			}
		}
	})
}

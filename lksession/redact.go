package lksession

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Secrets never reach the logs or the errors of a session: the LiveKit SDK
// logs its join attempts with the token, and the server's refusal of a
// token ("invalid token: <the token>") comes back as the join error. Both
// pass through a redactor, which hides the API secret, the token and
// anything shaped like a token.

// jwtPattern matches a JSON Web Token: base64url parts separated by dots,
// the first an encoded JSON object (`{"` is "eyJ").
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*`)

// tokenParam matches a token passed in a URL's query.
var tokenParam = regexp.MustCompile(`(access_token=)[^&\s"']+`)

// redactor hides secrets in text.
type redactor struct {
	secrets []string // exact strings to hide: the API secret, the token
}

func newRedactor(secrets ...string) redactor {
	var r redactor
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// redact returns s with the secrets and anything shaped like a token
// replaced.
func (r redactor) redact(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, "[redacted token]")
	}
	if strings.Contains(s, "access_token=") {
		s = tokenParam.ReplaceAllString(s, "${1}[redacted]")
	}
	return s
}

// redactedError is an error whose text had secrets removed. It unwraps to
// the original error, for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// error returns err with its text redacted (err itself when there was
// nothing to hide).
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.redact(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

// redactHandler is a slog.Handler that redacts messages and attribute
// values before handing them on.
type redactHandler struct {
	inner slog.Handler
	r     redactor
}

func (h redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return redactHandler{inner: h.inner.WithAttrs(red), r: h.r}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{inner: h.inner.WithGroup(name), r: h.r}
}

// attr redacts one attribute. Values other than strings (errors, the SDK's
// structs) are checked as a text handler would print them, and replaced by
// their redacted text when they held a secret.
func (h redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]slog.Attr, len(g))
		for i, ga := range g {
			red[i] = h.attr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(red...)}
	case slog.KindAny:
		var s string
		if err, ok := v.Any().(error); ok {
			s = err.Error()
		} else {
			s = fmt.Sprintf("%+v", v.Any())
		}
		if red := h.r.redact(s); red != s {
			return slog.String(a.Key, red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

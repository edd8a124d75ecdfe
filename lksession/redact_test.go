package lksession

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const testJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJrIiwic3ViIjoiaWQifQ.IOV4emvaCwL44zQeeCB8Qt6-J4vtz9Ak64G66cTa4zI"

func TestRedact(t *testing.T) {
	r := newRedactor("s3cr3t-value", "", "opaque-token")
	for in, want := range map[string]string{
		"invalid token: " + testJWT + ", error: bad": "invalid token: [redacted token], error: bad",
		"secret s3cr3t-value here":                   "secret [redacted] here",
		"join with opaque-token":                     "join with [redacted]",
		"ws://h/rtc?access_token=abc.def&x=1":        "ws://h/rtc?access_token=[redacted]&x=1",
		"nothing to hide: eyJ alone":                 "nothing to hide: eyJ alone",
	} {
		if got := r.redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactError(t *testing.T) {
	r := newRedactor("s3cr3t-value")
	base := errors.New("unauthorized: invalid token: " + testJWT)
	err := r.error(fmt.Errorf("lksession: join: %w", base))
	if strings.Contains(err.Error(), "eyJ") || !strings.Contains(err.Error(), "[redacted token]") {
		t.Errorf("error %q", err)
	}
	if !errors.Is(err, base) {
		t.Error("the redacted error no longer matches the original")
	}
	plain := errors.New("connection refused")
	if r.error(plain) != plain || r.error(nil) != nil {
		t.Error("an error without secrets was changed")
	}
}

type joinAttempt struct {
	backoff int
	token   string
}

func TestRedactHandler(t *testing.T) {
	var buf bytes.Buffer
	h := redactHandler{inner: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), r: newRedactor("s3cr3t-value")}
	log := slog.New(h).With("key", "s3cr3t-value").WithGroup("g")
	log.Debug("attempting join "+testJWT,
		"attempt", joinAttempt{1, testJWT},
		"err", errors.New("invalid token: "+testJWT),
		"url", "ws://h/rtc?access_token="+testJWT,
		slog.Group("inner", "secret", "s3cr3t-value", "n", 3),
		"fine", 42)
	out := buf.String()
	if strings.Contains(out, "eyJ") || strings.Contains(out, "s3cr3t") {
		t.Fatalf("secrets logged: %s", out)
	}
	for _, want := range []string{"attempting join [redacted token]", "g.fine=42", "g.inner.n=3", "key=[redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if h.Enabled(context.Background(), slog.LevelDebug-1) {
		t.Error("Enabled does not follow the inner handler")
	}
}

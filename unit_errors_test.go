package lkbrowser

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUnitInvalidArgumentError(t *testing.T) {
	err := invalidArg(ErrInvalidSize, "Width", 5000, "must be 16..4096")
	var ia *InvalidArgumentError
	if !errors.As(err, &ia) {
		t.Fatalf("invalidArg returned %T", err)
	}
	if ia.Arg != "Width" || ia.Value != "5000" || ia.Reason != "must be 16..4096" || ia.Err != ErrInvalidSize {
		t.Errorf("fields = %+v", ia)
	}
	if ia.Unwrap() != ErrInvalidSize {
		t.Errorf("Unwrap = %v, want ErrInvalidSize", ia.Unwrap())
	}
	if !errors.Is(err, ErrInvalidSize) {
		t.Error("errors.Is(err, ErrInvalidSize) = false")
	}
	for _, other := range []error{ErrInvalidURL, ErrInvalidFrameRate, ErrInvalidPort, ErrInvalidInput, ErrClosed} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(err, %v) = true", other)
		}
	}
	// Wrapped further, it still matches.
	wrapped := errors.Join(errors.New("context"), err)
	if !errors.Is(wrapped, ErrInvalidSize) || !errors.As(wrapped, &ia) {
		t.Error("a wrapped InvalidArgumentError no longer matches")
	}
	msg := err.Error()
	for _, want := range []string{"lkbrowser", "invalid size", "Width", `"5000"`, "must be 16..4096"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
}

func TestUnitInvalidArgumentValueShortening(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"short", "abc", "abc"},
		{"int", -3, "-3"},
		{"80 bytes kept", strings.Repeat("x", 80), strings.Repeat("x", 80)},
		{"81 bytes shortened", strings.Repeat("x", 81), strings.Repeat("x", 77) + "..."},
		{"100 KB shortened", strings.Repeat("y", 100<<10), strings.Repeat("y", 77) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := invalidArg(ErrInvalidURL, "URL", tt.value, "r")
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) {
				t.Fatalf("invalidArg returned %T", err)
			}
			if ia.Value != tt.want {
				t.Errorf("Value = %q (%d bytes), want %q", ia.Value, len(ia.Value), tt.want)
			}
			if len(ia.Value) > 80 {
				t.Errorf("Value is %d bytes", len(ia.Value))
			}
			if len(err.Error()) > 200 {
				t.Errorf("message is %d bytes", len(err.Error()))
			}
		})
	}
}

func TestUnitProcessError(t *testing.T) {
	out := "line1\nline2\nline3\nline4\nline5\nline6\nline7\n\n"
	err := &ProcessError{Process: "Xvfb", Err: fs.ErrNotExist, Output: out}
	msg := err.Error()
	for _, want := range []string{"Xvfb", fs.ErrNotExist.Error(), "line3", "line4", "line5", "line6", "line7"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	for _, not := range []string{"line1", "line2"} {
		if strings.Contains(msg, not) {
			t.Errorf("message %q contains %q, beyond the last 5 lines", msg, not)
		}
	}
	if !strings.Contains(msg, "line6 | line7") || strings.Contains(msg, "\n") {
		t.Errorf("lines not joined on one line: %q", msg)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("ProcessError does not unwrap to its Err")
	}

	// No output: no output clause.
	for _, o := range []string{"", "  \n\t\n"} {
		msg := (&ProcessError{Process: "chromium", Err: errors.New("exit status 1"), Output: o}).Error()
		if msg != "lkbrowser: chromium: exit status 1" {
			t.Errorf("output %q: message %q", o, msg)
		}
	}
}

func TestUnitLoadError(t *testing.T) {
	err := &LoadError{URL: "http://nope.invalid/", Text: "net::ERR_NAME_NOT_RESOLVED"}
	if msg := err.Error(); !strings.Contains(msg, "http://nope.invalid/") || !strings.Contains(msg, "net::ERR_NAME_NOT_RESOLVED") {
		t.Errorf("message %q", msg)
	}
}

func TestUnitLastLines(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a", 5, "a"},
		{"a\nb", 5, "a | b"},
		{"a\nb\nc", 2, "b | c"},
		{"1\n2\n3\n4\n5\n6", 5, "2 | 3 | 4 | 5 | 6"},
	}
	for _, tt := range tests {
		if got := lastLines(tt.in, tt.n); got != tt.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestUnitInvalidArgumentValueUTF8: shortening a long value must not cut a
// character in half, or the error shows \x escapes and Value is not UTF-8.
func TestUnitInvalidArgumentValueUTF8(t *testing.T) {
	for prefix := 0; prefix < 4; prefix++ {
		v := strings.Repeat("a", prefix) + strings.Repeat("é", 60) + strings.Repeat("漢", 30)
		err := invalidArg(ErrInvalidURL, "URL", v, "r")
		var ia *InvalidArgumentError
		if !errors.As(err, &ia) || !utf8.ValidString(ia.Value) || len(ia.Value) > 80 || !strings.HasSuffix(ia.Value, "...") {
			t.Errorf("prefix %d: Value %q", prefix, ia.Value)
		}
	}
}

package lksession

import (
	"errors"
	"strings"
	"testing"
)

// TestOptionsErrorsAreOneLine: every refusal of Options is one line that
// starts with the package's prefix and matches ErrInvalidOptions.
func TestOptionsErrorsAreOneLine(t *testing.T) {
	for _, o := range []Options{
		{},
		{URL: "ftp://x"},
		{URL: "ws://x"},
		{URL: "ws://x", Token: "t", Identity: AgentIdentity},
	} {
		err := o.withDefaults(640, 480, 30)
		if err == nil {
			t.Errorf("%+v accepted", o)
			continue
		}
		if !errors.Is(err, ErrInvalidOptions) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "lksession: invalid options: ") {
			t.Errorf("%+v: %q (Is ErrInvalidOptions: %v); want one line matching ErrInvalidOptions", o, err, errors.Is(err, ErrInvalidOptions))
		}
	}
}

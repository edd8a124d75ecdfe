package lkbrowser

import (
	"errors"
	"testing"
	"time"
)

func TestUnitRestartPolicyDelay(t *testing.T) {
	r := RestartPolicy{MaxRestarts: 10, Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for n, w := range want {
		if got := r.delay(n); got != w*time.Millisecond {
			t.Errorf("delay after %d restarts: %v, want %v", n, got, w*time.Millisecond)
		}
	}
	if got := r.delay(1000); got != time.Second { // never overflows
		t.Errorf("delay after 1000 restarts: %v", got)
	}
	d := RestartPolicy{MaxRestarts: 1}.withDefaults()
	if d.Backoff != DefaultRestartBackoff || d.MaxBackoff != DefaultRestartMaxBackoff || d.Window != DefaultRestartWindow {
		t.Errorf("defaults %+v", d)
	}
	if long := (RestartPolicy{MaxRestarts: 1, Backoff: time.Hour}).withDefaults(); long.MaxBackoff != time.Hour {
		t.Errorf("MaxBackoff below a long Backoff: %+v", long)
	}
}

func TestUnitRestartPolicyValidate(t *testing.T) {
	for _, r := range []RestartPolicy{{}, {MaxRestarts: 3}, {MaxRestarts: 3, Backoff: time.Second, MaxBackoff: time.Second, Window: time.Minute}} {
		if err := r.validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	for _, r := range []RestartPolicy{
		{MaxRestarts: -1}, {Backoff: -1}, {MaxBackoff: -1}, {Window: -1},
		{MaxRestarts: 1, Backoff: time.Minute, MaxBackoff: time.Second},
	} {
		err := r.validate()
		var ie *InvalidArgumentError
		if !errors.Is(err, ErrInvalidRestartPolicy) || !errors.As(err, &ie) {
			t.Errorf("%+v: %v, want an InvalidArgumentError matching ErrInvalidRestartPolicy", r, err)
		}
	}
}

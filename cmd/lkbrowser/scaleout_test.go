package main

import (
	"strings"
	"testing"
)

// Mistakes in the worker and dispatch command lines are usage errors (exit
// 2) that say what is missing; nothing is started.
func TestScaleOutUsageErrors(t *testing.T) {
	t.Setenv("LIVEKIT_URL", "")
	t.Setenv("LIVEKIT_API_KEY", "")
	t.Setenv("LIVEKIT_API_SECRET", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"worker"}, "give --livekit-url, --api-key and --api-secret"},
		{[]string{"worker", "--livekit-url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "--capacity", "0"}, "--capacity must be at least 1"},
		{[]string{"worker", "extra"}, "want 0 arguments"},
		{[]string{"dispatch", "http://x/"}, "give --livekit-url"},
		{[]string{"dispatch", "--livekit-url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "http://x/"}, "give --room"},
		{[]string{"dispatch", "--livekit-url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "--room", "r", "file:///etc/passwd"}, "want an http or https URL"},
		{[]string{"dispatch", "--livekit-url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "--room", "r", "--fps", "0", "http://x/"}, "frame rate 0"},
		{[]string{"dispatch", "--livekit-url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "--room", "r"}, "want 1 arguments"},
	} {
		var stdout, stderr strings.Builder
		code := run(tc.args, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// help lists the scale-out commands and their flags.
func TestScaleOutHelp(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "worker") || !strings.Contains(stdout.String(), "dispatch") {
		t.Fatalf("help: %d %q", code, stdout.String())
	}
	for cmd, flag := range map[string]string{"worker": "--capacity", "dispatch": "--room"} {
		stdout.Reset()
		if code := run([]string{"help", cmd}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), flag) {
			t.Errorf("help %s: %d %q", cmd, code, stdout.String())
		}
	}
}

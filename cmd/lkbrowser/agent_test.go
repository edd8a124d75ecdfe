package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/lkbrowser/lkbrowser/agent/anthropic"
)

// Without ANTHROPIC_API_KEY, agent says so in one line on stderr and exits
// 1 before starting anything (no server, no browser: it returns at once).
func TestAgentWithoutKey(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "")
	var stdout, stderr bytes.Buffer
	code := run([]string{"agent", "--viewer-addr", "off", "--task", "x", "https://example.com/"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if got := stderr.String(); got != "lkbrowser: agent: ANTHROPIC_API_KEY is not set: the agent needs an Anthropic API key\n" {
		t.Errorf("stderr %q", got)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q", stdout.String())
	}
}

// agent takes publish's flags and its own; its help lists them, with the
// default model.
func TestAgentFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help", "agent"}, &stdout, &stderr); code != 0 {
		t.Fatalf("help agent: exit %d, %s", code, stderr.String())
	}
	help := stdout.String()
	for _, f := range []string{"--livekit-url", "--api-key", "--api-secret", "--room", "--identity", "--width", "--height", "--fps",
		"--viewer-addr", "--task", "--verbose", "--model string", "(default " + anthropic.DefaultModel + ")",
		"--allow-host", "--deny-host", "--block-private"} {
		if !strings.Contains(help, f) {
			t.Errorf("help agent lacks %q:\n%s", f, help)
		}
	}
	// Mistakes in the command line are usage errors, found before the key.
	t.Setenv("ANTHROPIC_API_KEY", "")
	for _, args := range [][]string{
		{"agent"},
		{"agent", "--width", "5", "https://example.com/"},
		{"agent", "--model", "", "https://example.com/"},
		{"agent", "--identity", "__agent__", "https://example.com/"},
	} {
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, code, stderr.String())
		}
	}
}

// The agent's page blocks private destinations unless the operator says
// otherwise, and allows the host of the URL it was started on.
func TestAgentEgressDefault(t *testing.T) {
	var p pub
	fs := newFlagSet("agent")
	p.addFlags(fs)
	if _, err := parseInterspersed(fs, []string{"http://localhost:3000/"}); err != nil {
		t.Fatal(err)
	}
	pol := p.egress.policy("http://localhost:3000/")
	if pol == nil || !pol.BlockPrivate || !slices.Equal(pol.Allow, []string{"localhost"}) {
		t.Errorf("agent's default policy %+v; want BlockPrivate allowing localhost", pol)
	}
}

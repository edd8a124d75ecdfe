package agent

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/lkbrowser/lkbrowser/computer"
)

// The function tools the agent offers besides the computer tool.
const (
	ToolNavigate  = "navigate"   // input {"url": "..."}: load a URL
	ToolGoBack    = "go_back"    // go one entry back in the page's history
	ToolGoForward = "go_forward" // go one entry forward
)

// The pseudo-actions an Observer sees for the function tools.
const (
	ActionNavigate  computer.Kind = "navigate"   // Text is the URL
	ActionGoBack    computer.Kind = "go_back"    //
	ActionGoForward computer.Kind = "go_forward" //
)

// DefaultInstructions is the system prompt of an agent without
// Options.Instructions.
const DefaultInstructions = `You are a browser agent. You see and drive one web page in a Chromium browser through the computer tool. Its screenshots show the page alone (no address bar, tabs or other browser chrome) at the display size the tool declares, and its coordinates are pixels of those screenshots. Use the navigate tool to load a URL and go_back and go_forward for the page's history.
Every action returns a screenshot taken once the page has settled, so look at it before your next action instead of waiting. Use zoom to read small text.
People may be watching the page and may take control of it for a while; if the page changed in a way you did not expect, take a screenshot before you go on.
Do what the user asks, then tell them in a sentence or two what you did or found.`

// functionTools are the function tools' definitions.
var functionTools = []Tool{
	{
		Name:        ToolNavigate,
		Description: "Load a URL in the browser page. Returns a screenshot once the page has settled.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"url":{"type":"string","description":"The absolute URL to load, e.g. https://example.com/"}},"required":["url"]}`),
	},
	{
		Name:        ToolGoBack,
		Description: "Go back one page in the browser's history. Returns a screenshot once the page has settled.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{}}`),
	},
	{
		Name:        ToolGoForward,
		Description: "Go forward one page in the browser's history. Returns a screenshot once the page has settled.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{}}`),
	},
}

// Tools returns the definitions of the function tools the agent offers
// besides the computer tool (Request.Tools).
func Tools() []Tool {
	out := make([]Tool, len(functionTools))
	copy(out, functionTools)
	return out
}

// functionAction reads a function tool's call into the pseudo-action an
// Observer sees; an unknown tool or a bad input is an *InputError.
func functionAction(use *ToolUse) (computer.Action, error) {
	switch use.Name {
	case ToolNavigate:
		var in struct {
			URL *string `json:"url"`
		}
		if err := decodeInput(use.Input, &in); err != nil {
			return computer.Action{}, &InputError{Tool: use.Name, Reason: err.Error(), Err: ErrInvalidInput}
		}
		if in.URL == nil || *in.URL == "" {
			return computer.Action{}, &InputError{Tool: use.Name, Field: "url", Reason: "required", Err: ErrInvalidInput}
		}
		return computer.Action{Kind: ActionNavigate, Text: *in.URL}, nil
	case ToolGoBack, ToolGoForward:
		var in map[string]json.RawMessage
		if err := decodeInput(use.Input, &in); err != nil {
			return computer.Action{}, &InputError{Tool: use.Name, Reason: err.Error(), Err: ErrInvalidInput}
		}
		if use.Name == ToolGoBack {
			return computer.Action{Kind: ActionGoBack}, nil
		}
		return computer.Action{Kind: ActionGoForward}, nil
	}
	return computer.Action{}, &InputError{Tool: use.Name, Reason: "the tools are the computer tool, navigate, go_back and go_forward", Err: ErrUnknownTool}
}

// decodeInput decodes a tool's input object; an empty input is {}.
func decodeInput(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = json.RawMessage(`{}`)
	}
	return json.Unmarshal(raw, v)
}

// checkURL refuses a URL to navigate to whose scheme is not one of
// schemes, or that has no host where its scheme needs one.
func checkURL(raw string, schemes []string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrURLNotAllowed, shorten(raw), err)
	}
	scheme := strings.ToLower(u.Scheme)
	if !slices.ContainsFunc(schemes, func(s string) bool { return strings.EqualFold(s, scheme) }) {
		return fmt.Errorf("%w: %q: the scheme must be one of %s", ErrURLNotAllowed, shorten(raw), strings.Join(schemes, ", "))
	}
	if (scheme == "http" || scheme == "https") && u.Host == "" {
		return fmt.Errorf("%w: %q: no host", ErrURLNotAllowed, shorten(raw))
	}
	return nil
}

// shorten cuts a model's string for an error message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // never inside a character
		cut--
	}
	return s[:cut] + "..."
}

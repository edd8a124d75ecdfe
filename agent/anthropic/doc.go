// Package anthropic is an agent.Provider on Anthropic's Messages API,
// through the official Go SDK (github.com/anthropics/anthropic-sdk-go/v2).
//
// It declares the computer tool — computer_20251124 with the computer's
// display size and zoom enabled (beta header computer-use-2025-11-24), or
// the GA toolset computer_toolset_20260801 (Options.Tool) — besides the
// agent's function tools, streams each answer (the beta Messages
// endpoint), and maps every action of the tool (screenshot, zoom,
// cursor_position, left/right/middle/double/triple_click with held keys in
// "text", mouse_move, left_click_drag, left_mouse_down/up, scroll, type,
// key with repeat, hold_key, wait) onto a computer.Action, pure and before
// anything happens (mapping.go). A call the mapping cannot read (not valid
// JSON, a missing field, an unknown action) comes back as an
// agent.InputError that the loop answers as an error result. Screenshots
// go to the model as base64 image blocks in the tool results.
//
// # Credentials and endpoint
//
// The SDK's defaults apply: ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)
// and ANTHROPIC_BASE_URL from the environment; Options.RequestOptions
// (option.WithAPIKey, option.WithBaseURL, ...) override them.
//
// # Lifecycle and concurrency
//
// New makes no request and starts nothing; a Provider needs no Close.
// Step may be called from several goroutines; each call is one HTTP
// request bounded by its context. The library never prints; it logs
// through Options.Logger.
package anthropic

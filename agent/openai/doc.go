// Package openai is an agent.Provider on OpenAI's Responses API with its
// computer-use tool, through the official Go SDK
// (github.com/openai/openai-go/v3).
//
// It declares the GA computer tool ("computer", whose calls may batch
// several actions) or the preview tool computer_use_preview (declared with
// the display size and the browser environment; Options.Tool) besides the
// agent's function tools, and maps each action — click (left, right,
// wheel), double_click, drag along a path, keypress (OpenAI's key names
// such as ENTER or CTRL become xdotool names), move, screenshot, scroll by
// scroll_x/scroll_y pixels, type, wait, each with held keys — onto a
// computer.Action (mapping.go). A computer call becomes one agent.ToolUse
// per action; their results go back as the call's one
// computer_call_output, the last screenshot, with any errors as text in a
// user message after it.
//
// The provider stores nothing on OpenAI's side (store false) and sends the
// whole conversation each time, the reasoning items encrypted as the API
// returned them. Safety checks the API attaches to a computer call are
// acknowledged only when Options.AcknowledgeSafetyChecks says so;
// otherwise the call is answered as an error and not performed.
//
// # Credentials and endpoint
//
// The SDK's defaults apply: OPENAI_API_KEY and OPENAI_BASE_URL from the
// environment; Options.RequestOptions override them.
//
// # Lifecycle and concurrency
//
// New makes no request and starts nothing; a Provider needs no Close.
// Step may be called from several goroutines; each call is one HTTP
// request bounded by its context. The library never prints; it logs
// through Options.Logger.
package openai

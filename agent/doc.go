// Package agent runs a computer-use AI model on an lkbrowser page: the
// model sees screenshots of the page and drives it through a
// computer.Computer, while an Observer (the room glue, package agent/room)
// shows what it does.
//
// # The loop
//
// Run adds the user's message to the conversation and loops: status
// thinking, a model call (Provider.Step), then each tool call of the
// model's answer in order (Options.Gate, Observer.Acting, the action,
// Observer.Acted, a tool result), until the model answers without a tool
// call (the end of its turn), Options.MaxSteps model calls were made, the
// Gate returns an error or the context is done. The status is idle again
// when Run returns. The conversation carries over to the next Run.
//
// The tools are the provider's computer tool, whose calls the provider
// maps onto computer.Actions (ToolUse.Action), and the function tools
// navigate {url}, go_back and go_forward (Tools). After every action that
// may change the page the tool result carries a fresh screenshot, taken
// once the computer saw the page settle, so it already shows what the
// action did; screenshot and zoom return their own image, cursor_position
// its position as text. Screenshots are exactly the computer's declared
// display size (Request.DisplayWidth x DisplayHeight), the space of every
// coordinate. Only the newest Options.KeepScreenshots images stay in the
// conversation; older ones become the text "[screenshot omitted]".
//
// A tool call that fails never ends the loop: an unknown tool or action,
// input that is not valid JSON or lacks a field, coordinates outside the
// display, a navigation that failed — each goes back to the model as an
// error result, and the turn's later calls (which assumed it worked) are
// answered ErrNotExecuted. A Run ends early only when ctx is done, the Gate
// says so, the model call fails or the page was closed; every tool call
// is answered even then, so the next Run continues a valid conversation.
//
// # Vendors
//
// The loop knows no vendor: a Provider turns the vendor-neutral Request
// into the vendor's call and its answer into a Message — agent/anthropic
// for Anthropic's Messages API (computer_20251124 or the GA computer
// toolset), agent/openai for OpenAI's Responses API (its computer tool).
//
// The navigate tool loads only Options.NavigateSchemes (http and https by
// default): a model, which a page's text can sway, does not get file: or
// other URLs the engine may allow. Where the page may go is the page's
// egress policy (lkbrowser.EgressPolicy): give a page a model drives
// BlockPrivate, as lkbrowser agent does by default, so that neither a
// navigate nor a link a page talks the model into reaches the operator's
// network; New logs a warning for a page without a policy.
//
// # Lifecycle, concurrency, ownership
//
// New starts nothing and the agent holds no goroutine or resource between
// Runs, so it needs no Close. Run may be called from several goroutines;
// Runs are serialised. The Observer and the Gate are called from the
// goroutine of the Run under way, synchronously. The page and the computer
// stay the caller's; the agent only acts on them during a Run. The agent
// never panics on bad model output, never prints, and logs through
// Options.Logger.
package agent

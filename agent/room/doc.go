// Package room puts an AI agent (package agent) into a LiveKit room
// through an lksession.Session: people watch the page it drives, chat with
// it, and take the page over, with the room protocol of the reference's
// BrowserAgent (livekit-plugins-browser), so that its viewers work
// unchanged. lksession documents the topics and payloads.
//
// # Use
//
//	r := room.New(sess, room.Options{})
//	ag, err := agent.New(page, comp, provider, agent.Options{Gate: r.Gate, Observer: r})
//	...
//	err = r.Serve(ctx, ag, "Find the opening hours")
//
// Serve runs the task, then every chat message a viewer sends on
// "browser-agent-chat" as a new agent Run (the agent's conversation
// carries over), until ctx is done or the session ends.
//
// # What the room sees
//
// Room is the agent's Observer: each status goes out on
// "browser-agent-status" ("thinking", "acting", "idle"), the model's text
// on "browser-agent-chat" as {"text", "sender": "agent"}, and each action
// with a point as the agent's cursor on "browser-agent-cursor" (page
// pixels, with the page's width and height; the action in Anthropic's
// names: left_click, double_click, right_click, mouse_move, scroll,
// left_click_drag...), hidden ({"visible": false}) when the agent goes idle
// or pauses. A Run that fails says why on the chat ("(error: ...)"). The
// reference sends only changes; so that a viewer who joins late learns the
// status (and the cursor while shown), Serve sends them again every
// Options.Announce (3 s).
//
// # Focus and takeover
//
// The agent holds focus (lksession's SetAgentFocus) from the start of a
// Run until it is idle with nothing queued, then gives it back so people
// can drive the page freely. Room input is ignored while the agent holds
// focus; a person who asks for focus (browser/request-focus) always gets
// it from the agent. Room is the agent's Gate, called before every action:
// if a person holds focus, the agent stops there (the action is not
// performed), says "(paused — you have control)" on the chat, goes idle
// and hides its cursor, and waits:
//
//   - when the person releases focus (or leaves the room), the agent takes
//     the page back (only if nobody else took it meanwhile), says
//     "(resuming)", and the paused Run goes on; the action it stopped
//     before is not performed, since it was planned on the page as it was
//     before the person came (Gate returns agent.ErrPageChanged): the
//     model gets the page as the person left it and decides again;
//   - when a chat message arrives while it is paused, the paused Run ends
//     (Gate returns ErrSuperseded) and the message starts the next Run.
//
// A chat message written while a person holds the page (the agent paused,
// or idle) reclaims focus from that person when its Run starts: as in the
// reference, where each chat message reclaims the agent's focus if it was
// interrupted, writing to the agent hands the page back to it. A person
// who wants it back again asks for focus again and wins. The initial task,
// and messages written while the agent held the page, never take focus
// from a person: they wait at their first action until the page is free.
//
// # Messages while the agent works
//
// A chat message that arrives during a Run (not paused) is queued, and run
// after the current Run ends, in order (at most Options.MaxQueue are kept;
// more are dropped, logged and counted by Dropped). Messages on the chat
// topic with "sender": "agent" (another agent's), empty ones and ones that
// are not {"text": ...} are ignored; text longer than MaxChatText is cut.
//
// # Lifecycle, concurrency and ownership
//
// New holds no goroutine. Serve subscribes to the chat for as long as it
// runs and stops everything it started before it returns: a reader of the
// chat, the announcer, and the Run in flight (through its context). When
// it returns the status is idle, the cursor hidden and focus given back. Serve runs one
// agent at a time: a second concurrent Serve on the same Room returns an
// error. Gate and the Observer methods are called by the agent from the
// Run's goroutine, synchronously; they publish with a short timeout each
// and never panic. The session and the agent stay the caller's. Logs go to
// Options.Logger (discarded by default); the package prints nothing.
package room

// Package lksession publishes an lkbrowser page into a LiveKit room and
// lets the people (or agents) in the room watch it and take turns driving
// it, with the room protocol of LiveKit's reference browser plugin
// (livekit-plugins-browser), so that its viewers work unchanged.
//
// # What is published
//
// The page's picture goes out as the video track "browser-video" (screen
// share source, VP8 encoded here with libvpx in real-time CBR mode at
// Options.VideoBitrate). Frames are encoded as the page paints them, at
// most at the page's frame rate, converting only the dirty rectangles; a
// still page costs two tiny frames a second; a PLI or FIR from the server
// (a new subscriber, a lost packet) gets a keyframe within about 100 ms.
// A resized page goes on at its new size, starting with a keyframe.
//
// The page's sound goes out as the audio track "browser-audio" (screen
// share audio, Opus in 10 ms packets), published on the page's first sound
// as the reference does. Each 10 ms of sound is encoded and sent a fixed
// Options.AudioDelay after it was captured (1.5 frame intervals unless set:
// Chromium takes one to three display intervals to show a picture, about
// 50 ms to deliver a sound), never paced by a clock of its own, so sound
// leaves with its picture and cannot drift from it.
//
// # Remote control
//
// Participants ask for focus with the RPC "browser/request-focus" (answer
// {"granted": true} or {"granted": false, "holder": id}) and give it back
// with "browser/release-focus" ({"released": bool}). Only the focus
// holder's input on the data topic "browser-input" (a JSON array of
// mousemove, mousedown, mouseup, wheel, keydown, keyup and char events, see
// DecodeInput) reaches the page, in order, through one queue of 256
// operations; each participant may send Options.InputRate events a second.
// A message that is malformed, too big (MaxInputMessage, MaxInputEvents) or
// from someone without focus is refused whole with a logged reason (at
// most one log line a second per participant) and changes nothing.
//
// "browser/navigate" ({"url": ...}), "browser/go-back" and
// "browser/go-forward" answer {"status": "ok"} once the page committed the
// navigation, or an RPC error that says why. Navigation is refused while
// another participant holds focus, and URLs are checked against
// Options.AllowedSchemes (http and https by default; file, chrome,
// javascript, data and the browser's other local schemes never).
//
// The session broadcasts the focus holder on "browser-focus"
// ({"identity": id or null}), the page's address on "browser-url"
// ({"url": ...}) and the cursor on "cursor_changed" ({"cursor": css name});
// a participant who joins is told the current address and focus holder.
// Focus is released when its holder leaves the room. The local program can
// hold focus as the agent (SetAgentFocus); a participant who asks for focus
// takes it from the agent, and AgentInterrupted says so.
//
// # Application data and agents
//
// PublishData sends a JSON payload on a topic of the program's own,
// reliably, to everyone or to given identities; SubscribeData reads the
// JSON messages others send on such topics, each subscription through its
// own queue of DataQueue messages (full: the message is dropped and
// counted, the session never waits), its channel closed once, by its Close
// or the session's. The remote-control topics above stay the session's:
// PublishData refuses them and subscriptions never see them.
//
// The topics of the reference's agent (BrowserAgent) are named here, with
// their payloads (agent_protocol.go); package agent/room speaks them:
//
//   - "browser-agent-chat" (TopicAgentChat): a viewer writes to the agent
//     {"text": ...}; the agent writes to everyone {"text": ..., "sender":
//     "agent"}, including "(paused — you have control)" when a person takes
//     the page from it.
//   - "browser-agent-status" (TopicAgentStatus): {"status": "thinking" |
//     "acting" | "idle"}.
//   - "browser-agent-cursor" (TopicAgentCursor): where the agent acts, in
//     page pixels with the page's size, {"x", "y", "action", "visible":
//     true, "width", "height"}; {"visible": false} hides it.
//
// An agent holds focus with SetAgentFocus(true) while it acts. A person
// who asks for focus always gets it from the agent (never from another
// person), and AgentInterrupted's channel closes; FocusChanged's channel
// closes at every change of holder, so an agent can wait until the person
// released the page (Focus() == "") or left, then take it again.
//
// # Connection
//
// The SDK resumes or restarts a broken connection by itself (republishing
// the tracks); if it gives up, the session joins again with back-off (up to
// 10 s between attempts) until Close; with Options.NoRejoin it closes
// itself instead. Every new connection starts with a keyframe and tells the
// room the address and focus holder again.
//
// # Lifecycle, concurrency and ownership
//
// Start connects and returns a running Session; Close leaves the room,
// stops the session's goroutines and frees the encoder, and is idempotent
// and safe for concurrent use. The session closes itself when the page
// closes. From Start to Close the session reads the page through its own
// subscriptions (Page.SubscribeFrames, SubscribeAudio unless
// Options.NoAudio, SubscribeEvents), each with its own queue and drops:
// each frame is converted and released at once. The program reads the
// page's events (and frames, and sound) on channels of its own at the same
// time: Page.Events, or a subscription. The page stays the caller's, who may keep using the Page API (an agent's
// clicks, Eval, Resize) and closes it after the session. Every method of
// Session is safe for concurrent use.
package lksession

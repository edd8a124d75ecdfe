// Package viewer serves the web page through which a person watches and
// drives a page that lkbrowser publishes into a LiveKit room (the CLI's
// `lkbrowser publish` serves it, by default on 127.0.0.1:8080).
//
// The page joins the room as a subscriber with a fresh identity
// ("viewer-" and 8 hex digits, minted by GET /api/join through
// Config.Token), plays the publisher's "browser-video" and "browser-audio"
// tracks, and speaks the reference browser plugin's remote-control protocol
// to the publisher: input events as JSON arrays on the data topic
// "browser-input", the RPCs browser/request-focus, browser/release-focus,
// browser/navigate, browser/go-back and browser/go-forward, and the
// broadcasts on "browser-focus", "browser-url" and "cursor_changed".
//
// # Assets
//
// index.html, app.js and style.css are written by hand and committed. The
// only third-party code, livekit-client's browser bundle, is pinned by
// web/package-lock.json; scripts/setup.sh installs it with npm ci and
// copies it to web/vendor/ (gitignored). Everything is embedded into the
// binary. A build made before setup has run still compiles: it serves
// /vendor/livekit-client.umd.js as 503 and AssetsPresent reports false.
//
// # Security
//
// Only GET and HEAD are served (/api/join: GET only). Every response carries
// a strict Content-Security-Policy (scripts, styles and media from the page
// itself; network connections only to the page and to the LiveKit server's
// origin), X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer,
// and the page cannot be framed. /api/join responses are never cached.
//
// DNS-rebinding guard: a request that reached the server on a loopback
// address (the connection's local address, http.LocalAddrContextKey, is in
// 127.0.0.0/8 or ::1) must name a loopback host in its Host header:
// "localhost", a name under ".localhost", or a loopback IP, with or without
// a port. Anything else gets 403, so a web site whose name an attacker
// points at 127.0.0.1 cannot read a join token from a viewer served on the
// loopback interface. A viewer served on another address (the operator
// chose to expose it) is not restricted by Host.
//
// # DOM contract
//
// Automated tests drive the page through stable hooks: #video (the
// <video>), #stage (its focusable container), #focus (take/release
// control), #url (address field), #back, #forward, #sound (enable sound /
// mute), #status; and attributes of <body>: data-state
// (connecting|connected|reconnecting|disconnected), data-focus
// (me|other|none), data-holder (focus holder's identity, "" when none),
// data-video (none|waiting|playing: playing once a frame of a video with a
// non-zero size was presented), data-video-size ("WxH" of the decoded
// video), data-audio (none|blocked|on|muted), data-identity (this viewer's
// identity) and data-publisher (present|absent). window.lkViewer offers
// toClient(x, y) (the client position of the centre of page pixel x,y, through
// the letterboxing), toPage(clientX, clientY), state() and room. Opening the
// page with ?debug turns on livekit-client's debug log in the console.
//
// # Agent
//
// When an AI agent drives the page (package agent/room, `lkbrowser
// agent`), the page shows it from the first message on one of the agent's
// topics (see lksession's documentation): a side panel #agent with the
// agent's status (#agent-status, from "browser-agent-status"), the chat
// (#chat-log: one <li data-sender="agent|me|viewer"> per message, text
// only; the agent's are those the publisher sent with "sender": "agent")
// and a box (#chat-input, #chat-send in #chat-form) whose message goes to
// everyone, the agent included, as {"text"} on "browser-agent-chat"
// (reliable); and the agent's cursor, #agent-cursor, drawn over the video
// at x/width, y/height of the displayed picture, data-visible
// "true|false", data-action the action's name. Status and cursor are taken
// only from the publisher. Attributes of <body>: data-agent
// (absent|present) and data-agent-status (""|thinking|acting|idle).
// window.lkViewer.state() adds agentStatus, agentCursor and chat.
//
// Input the page sends, beyond the protocol's letter: a mousemove to the
// press position precedes each mousedown; a key that types a character sends
// keydown, char (keyCode = charCode = the Unicode code point, which may
// exceed 255), keyup; Enter types '\r' (char 13), as in CEF; no char is sent
// while Ctrl, Alt or Meta is held (except for AltGr characters). Keys and
// buttons still held when the page loses focus are released. The page
// learns the focus holder and the URL only from the publisher's broadcasts,
// so the publisher should send both to each participant that joins.
package viewer

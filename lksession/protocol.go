package lksession

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// Data topics and RPC methods of the reference plugin's room protocol
// (livekit-plugins-browser, session.py).
const (
	// TopicInput carries a JSON array of InputEvent from the focus holder.
	TopicInput = "browser-input"
	// TopicFocus is broadcast when the focus holder changes: {"identity": id|null}.
	TopicFocus = "browser-focus"
	// TopicURL is broadcast when the page's address changes: {"url": url}.
	TopicURL = "browser-url"
	// TopicCursor is broadcast when the mouse cursor changes: {"cursor": css}.
	TopicCursor = "cursor_changed"

	MethodRequestFocus = "browser/request-focus"
	MethodReleaseFocus = "browser/release-focus"
	MethodNavigate     = "browser/navigate"
	MethodGoBack       = "browser/go-back"
	MethodGoForward    = "browser/go-forward"

	// AgentIdentity is the focus holder's identity while the local program
	// (an AI agent) holds focus, as in the reference.
	AgentIdentity = "__agent__"
)

// Limits of one browser-input message.
const (
	// MaxInputMessage is the largest browser-input message accepted, in bytes.
	MaxInputMessage = 64 << 10
	// MaxInputEvents is the most events one message may carry.
	MaxInputEvents = 256
	// maxCoord bounds x and y; maxWheel bounds deltaX and deltaY.
	maxCoord = 1 << 15
	maxWheel = 100_000
)

// InputType is the type of a remote input event.
type InputType string

// Input event types of the browser-input topic.
const (
	InputMouseMove InputType = "mousemove"
	InputMouseDown InputType = "mousedown"
	InputMouseUp   InputType = "mouseup"
	InputWheel     InputType = "wheel"
	InputKeyDown   InputType = "keydown"
	InputKeyUp     InputType = "keyup"
	InputChar      InputType = "char"
)

// InputEvent is one event of a browser-input message, validated: X and Y
// are page pixels, Button is 0 (left), 1 (middle) or 2 (right), DeltaX and
// DeltaY are wheel pixels in CEF's signs, KeyCode is a Windows virtual key
// code, CharCode a Unicode code point, Modifiers CEF event flags.
type InputEvent struct {
	Type           InputType
	X, Y           int
	Button         int
	DeltaX, DeltaY int
	KeyCode        int
	CharCode       rune
	Modifiers      uint32
}

// wireEvent is an event as it comes off the wire. Numbers are float64
// because browsers send fractional coordinates; pointers tell absent
// fields apart.
type wireEvent struct {
	Type      *string  `json:"type"`
	X         *float64 `json:"x"`
	Y         *float64 `json:"y"`
	Button    *float64 `json:"button"`
	DeltaX    *float64 `json:"deltaX"`
	DeltaY    *float64 `json:"deltaY"`
	KeyCode   *float64 `json:"keyCode"`
	CharCode  *float64 `json:"charCode"`
	Modifiers *float64 `json:"modifiers"`
}

// DecodeInput parses and validates a browser-input message. It accepts the
// whole message or nothing: any malformed event refuses it all with an
// *InputError, so that a half-applied gesture never reaches the page.
// Unknown fields are ignored (newer viewers may send more).
func DecodeInput(msg []byte) ([]InputEvent, error) {
	if len(msg) > MaxInputMessage {
		return nil, &InputError{Index: -1, Reason: fmt.Sprintf("%d bytes, more than %d", len(msg), MaxInputMessage)}
	}
	if !utf8.Valid(msg) {
		return nil, &InputError{Index: -1, Reason: "not UTF-8"}
	}
	trimmed := bytes.TrimSpace(msg)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, &InputError{Index: -1, Reason: "not a JSON array"}
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, &InputError{Index: -1, Reason: "invalid JSON: " + err.Error()}
	}
	if len(raw) > MaxInputEvents {
		return nil, &InputError{Index: -1, Reason: fmt.Sprintf("%d events, more than %d", len(raw), MaxInputEvents)}
	}
	out := make([]InputEvent, 0, len(raw))
	for i, r := range raw {
		ev, reason := decodeEvent(r)
		if reason != "" {
			return nil, &InputError{Index: i, Reason: reason}
		}
		out = append(out, ev)
	}
	return out, nil
}

// decodeEvent validates one event; a non-empty reason refuses it.
func decodeEvent(r json.RawMessage) (InputEvent, string) {
	var w wireEvent
	if len(r) == 0 || r[0] != '{' {
		return InputEvent{}, "not a JSON object"
	}
	if err := json.Unmarshal(r, &w); err != nil {
		return InputEvent{}, "wrong field type: " + err.Error()
	}
	if w.Type == nil {
		return InputEvent{}, "no type"
	}
	ev := InputEvent{Type: InputType(*w.Type)}
	var reason string
	// num reads an optional integer field into dst within lo..hi; required
	// fields must be present.
	num := func(name string, v *float64, required bool, lo, hi float64, dst *int) {
		if reason != "" {
			return
		}
		if v == nil {
			if required {
				reason = "no " + name
			}
			return
		}
		f := math.Round(*v)
		if f < lo || f > hi {
			reason = fmt.Sprintf("%s %v outside %v..%v", name, *v, lo, hi)
			return
		}
		*dst = int(f)
	}
	var mods int
	num("modifiers", w.Modifiers, false, 0, math.MaxUint32, &mods)
	ev.Modifiers = uint32(mods)
	switch ev.Type {
	case InputMouseMove, InputMouseDown, InputMouseUp:
		num("x", w.X, true, -maxCoord, maxCoord, &ev.X)
		num("y", w.Y, true, -maxCoord, maxCoord, &ev.Y)
		num("button", w.Button, false, 0, 2, &ev.Button)
	case InputWheel:
		num("x", w.X, true, -maxCoord, maxCoord, &ev.X)
		num("y", w.Y, true, -maxCoord, maxCoord, &ev.Y)
		num("deltaX", w.DeltaX, false, -maxWheel, maxWheel, &ev.DeltaX)
		num("deltaY", w.DeltaY, false, -maxWheel, maxWheel, &ev.DeltaY)
	case InputKeyDown, InputKeyUp:
		num("keyCode", w.KeyCode, true, 0, 255, &ev.KeyCode)
	case InputChar:
		// CEF and browsers put the character itself in a char event's
		// key code, so it may exceed 255; only small codes are kept as
		// virtual key codes.
		num("keyCode", w.KeyCode, false, 0, utf8.MaxRune, &ev.KeyCode)
		if ev.KeyCode > 255 {
			ev.KeyCode = 0
		}
		var c int
		num("charCode", w.CharCode, true, 1, utf8.MaxRune, &c)
		if reason == "" && !utf8.ValidRune(rune(c)) {
			reason = fmt.Sprintf("charCode %d is not a Unicode scalar value", c)
		}
		ev.CharCode = rune(c)
	default:
		t := *w.Type
		if len(t) > 32 {
			t = t[:32] + "..."
		}
		return InputEvent{}, fmt.Sprintf("unknown type %q", t)
	}
	return ev, reason
}

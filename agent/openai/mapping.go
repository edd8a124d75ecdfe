package openai

import (
	"encoding/json"
	"fmt"
	"image"
	"strings"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
)

// Actions lists the computer-use actions of the Responses API's computer
// tools (computer and computer_use_preview).
var Actions = []string{"click", "double_click", "drag", "keypress", "move", "screenshot", "scroll", "type", "wait"}

// actionInput is one action of a computer_call: the union of every
// action's fields.
type actionInput struct {
	Type    string   `json:"type"`
	Button  *string  `json:"button"`
	X       *int     `json:"x"`
	Y       *int     `json:"y"`
	Keys    []string `json:"keys"`
	Path    []xy     `json:"path"`
	ScrollX *int     `json:"scroll_x"`
	ScrollY *int     `json:"scroll_y"`
	Text    *string  `json:"text"`
}

type xy struct {
	X *int `json:"x"`
	Y *int `json:"y"`
}

// mapAction maps one computer action (its JSON object) onto a
// computer.Action. Coordinates are screenshot pixels, which are the
// computer's display pixels.
func mapAction(raw json.RawMessage) (computer.Action, error) {
	var in actionInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return computer.Action{}, invalid("", "", err.Error())
	}
	var (
		a   computer.Action
		err error
	)
	switch in.Type {
	case "screenshot":
		a.Kind = computer.Screenshot
	case "wait":
		a.Kind = computer.Wait
	case "click", "double_click":
		a = computer.Action{Kind: computer.Click, Button: computer.ButtonLeft, Count: 1, Keys: modifiers(in.Keys)}
		if in.Type == "double_click" {
			a.Count = 2
		} else if in.Button != nil {
			switch *in.Button {
			case "left":
			case "right":
				a.Button = computer.ButtonRight
			case "wheel", "middle":
				a.Button = computer.ButtonMiddle
			default:
				return a, invalid(in.Type, "button", fmt.Sprintf("%q: this page takes left, right and wheel", *in.Button))
			}
		}
		a.Point, err = point(in.Type, in.X, in.Y)
	case "move":
		a = computer.Action{Kind: computer.MouseMove, Keys: modifiers(in.Keys)}
		a.Point, err = point(in.Type, in.X, in.Y)
	case "drag":
		a = computer.Action{Kind: computer.Drag, Button: computer.ButtonLeft, Keys: modifiers(in.Keys)}
		if len(in.Path) < 2 {
			return a, invalid(in.Type, "path", "want at least two points [{x, y}, ...]")
		}
		for i, p := range in.Path {
			q, err := point(in.Type, p.X, p.Y)
			if err != nil {
				return a, invalid(in.Type, fmt.Sprintf("path[%d]", i), "want {x, y}")
			}
			a.Path = append(a.Path, *q)
		}
	case "scroll":
		a = computer.Action{Kind: computer.Scroll, Keys: modifiers(in.Keys)}
		if a.Point, err = point(in.Type, in.X, in.Y); err != nil {
			break
		}
		if in.ScrollX != nil {
			a.DeltaX = *in.ScrollX
		}
		if in.ScrollY != nil {
			a.DeltaY = *in.ScrollY
		}
		if a.DeltaX == 0 && a.DeltaY == 0 {
			return a, invalid(in.Type, "scroll_x, scroll_y", "both 0: nothing to scroll")
		}
	case "type":
		if in.Text == nil || *in.Text == "" {
			return a, invalid(in.Type, "text", "required")
		}
		a = computer.Action{Kind: computer.Type, Text: *in.Text}
	case "keypress":
		if len(in.Keys) == 0 {
			return a, invalid(in.Type, "keys", "required: the keys of the combo, e.g. [\"CTRL\", \"A\"]")
		}
		names := make([]string, len(in.Keys))
		for i, k := range in.Keys {
			if names[i] = keyName(k); names[i] == "" {
				return a, invalid(in.Type, "keys", "an empty key")
			}
		}
		a = computer.Action{Kind: computer.Key, Keys: strings.Join(names, "+")}
	case "":
		return a, invalid("", "type", "required")
	default:
		return a, &agent.InputError{Tool: "computer", Action: in.Type,
			Reason: "the actions are click, double_click, drag, keypress, move, screenshot, scroll, type and wait", Err: agent.ErrUnknownAction}
	}
	return a, err
}

// point reads a required x, y pair.
func point(action string, x, y *int) (*image.Point, error) {
	if x == nil || y == nil {
		return nil, invalid(action, "x, y", "required, in screenshot pixels")
	}
	return &image.Point{X: *x, Y: *y}, nil
}

// modifiers joins held keys into a combo of xdotool names.
func modifiers(keys []string) string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		if n := keyName(k); n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, "+")
}

// keyNames maps the key names OpenAI's models use onto xdotool names.
var keyNames = map[string]string{
	"ENTER": "Return", "RETURN": "Return", "ESC": "Escape", "ESCAPE": "Escape", "TAB": "Tab",
	"BACKSPACE": "BackSpace", "DELETE": "Delete", "DEL": "Delete", "INSERT": "Insert", "SPACE": "space",
	"UP": "Up", "DOWN": "Down", "LEFT": "Left", "RIGHT": "Right",
	"ARROWUP": "Up", "ARROWDOWN": "Down", "ARROWLEFT": "Left", "ARROWRIGHT": "Right",
	"PAGEUP": "Page_Up", "PAGEDOWN": "Page_Down", "HOME": "Home", "END": "End",
	"CTRL": "ctrl", "CONTROL": "ctrl", "SHIFT": "shift", "ALT": "alt", "OPTION": "alt",
	"CMD": "super", "COMMAND": "super", "META": "super", "SUPER": "super", "WIN": "super",
	"CAPSLOCK": "Caps_Lock",
}

// keyName is the xdotool name of an OpenAI key name: the table above, a
// single letter in lower case (a model's "A" in ["CTRL", "A"] is the a
// key, not Shift+a), anything else as it is.
func keyName(k string) string {
	k = strings.TrimSpace(k)
	if n, ok := keyNames[strings.ToUpper(k)]; ok {
		return n
	}
	if len(k) == 1 && k[0] >= 'A' && k[0] <= 'Z' {
		return strings.ToLower(k)
	}
	return k
}

func invalid(action, field, reason string) error {
	return &agent.InputError{Tool: "computer", Action: action, Field: field, Reason: reason, Err: agent.ErrInvalidInput}
}

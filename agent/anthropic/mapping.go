package anthropic

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"time"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
)

// Actions lists the actions of the computer tool (computer_20251124, with
// zoom enabled), which are also the members of the computer toolset
// (computer_toolset_20260801).
var Actions = []string{
	"screenshot", "zoom", "cursor_position",
	"left_click", "right_click", "middle_click", "double_click", "triple_click",
	"mouse_move", "left_click_drag", "left_mouse_down", "left_mouse_up",
	"scroll", "type", "key", "hold_key", "wait",
}

// computerInput is the input of a computer action: the union of every
// action's fields (computer_20251124 adds "action").
type computerInput struct {
	Action          *string   `json:"action"`
	Coordinate      []float64 `json:"coordinate"`
	StartCoordinate []float64 `json:"start_coordinate"`
	Text            *string   `json:"text"`
	ScrollDirection *string   `json:"scroll_direction"`
	ScrollAmount    *float64  `json:"scroll_amount"`
	Duration        *float64  `json:"duration"`
	Region          []float64 `json:"region"`
	Repeat          *float64  `json:"repeat"`
}

// mapCall maps a call of the computer tool (computer_20251124: the action
// is input's "action" field) onto a computer.Action.
func mapCall(input json.RawMessage) (computer.Action, error) {
	var in computerInput
	if err := decode(input, &in); err != nil {
		return computer.Action{}, invalid("", "", err.Error())
	}
	if in.Action == nil || *in.Action == "" {
		return computer.Action{}, invalid("", "action", "required")
	}
	return mapInput(*in.Action, in)
}

// mapMember maps a call of a computer toolset member (the action is the
// tool_use's name) onto a computer.Action.
func mapMember(name string, input json.RawMessage) (computer.Action, error) {
	var in computerInput
	if err := decode(input, &in); err != nil {
		return computer.Action{}, invalid(name, "", err.Error())
	}
	return mapInput(name, in)
}

// mapInput maps one action with its input. Coordinates are display pixels;
// the computer refuses those outside the display.
func mapInput(action string, in computerInput) (computer.Action, error) {
	var (
		a   computer.Action
		err error
	)
	switch action {
	case "screenshot":
		a.Kind = computer.Screenshot
	case "cursor_position":
		a.Kind = computer.CursorPosition
	case "zoom":
		a.Kind = computer.Zoom
		a.Region, err = region(action, in.Region)
	case "left_click", "right_click", "middle_click", "double_click", "triple_click":
		a = computer.Action{Kind: computer.Click, Button: computer.ButtonLeft, Count: 1, Keys: str(in.Text)}
		switch action {
		case "right_click":
			a.Button = computer.ButtonRight
		case "middle_click":
			a.Button = computer.ButtonMiddle
		case "double_click":
			a.Count = 2
		case "triple_click":
			a.Count = 3
		}
		a.Point, err = optPoint(action, "coordinate", in.Coordinate)
	case "mouse_move":
		a = computer.Action{Kind: computer.MouseMove, Keys: str(in.Text)}
		a.Point, err = point(action, "coordinate", in.Coordinate)
	case "left_mouse_down", "left_mouse_up":
		a = computer.Action{Kind: computer.MouseDown, Button: computer.ButtonLeft}
		if action == "left_mouse_up" {
			a.Kind = computer.MouseUp
		}
		a.Point, err = optPoint(action, "coordinate", in.Coordinate)
	case "left_click_drag":
		a = computer.Action{Kind: computer.Drag, Button: computer.ButtonLeft, Keys: str(in.Text)}
		var from, to *image.Point
		if from, err = point(action, "start_coordinate", in.StartCoordinate); err == nil {
			if to, err = point(action, "coordinate", in.Coordinate); err == nil {
				a.Path = []image.Point{*from, *to}
			}
		}
	case "scroll":
		a = computer.Action{Kind: computer.Scroll, Keys: str(in.Text)}
		if a.Point, err = optPoint(action, "coordinate", in.Coordinate); err != nil {
			break
		}
		if in.ScrollDirection == nil {
			return a, invalid(action, "scroll_direction", "required: up, down, left or right")
		}
		switch d := computer.Direction(*in.ScrollDirection); d {
		case computer.Up, computer.Down, computer.Left, computer.Right:
			a.Direction = d
		default:
			return a, invalid(action, "scroll_direction", fmt.Sprintf("%q: want up, down, left or right", *in.ScrollDirection))
		}
		if in.ScrollAmount != nil {
			a.Amount, err = count(action, "scroll_amount", *in.ScrollAmount)
		}
	case "type":
		if in.Text == nil || *in.Text == "" {
			return a, invalid(action, "text", "required")
		}
		a = computer.Action{Kind: computer.Type, Text: *in.Text}
	case "key":
		if in.Text == nil || *in.Text == "" {
			return a, invalid(action, "text", "required: a key or combo such as Return or ctrl+a")
		}
		a = computer.Action{Kind: computer.Key, Keys: *in.Text}
		if in.Repeat != nil {
			a.Repeat, err = count(action, "repeat", *in.Repeat)
		}
	case "hold_key":
		if in.Text == nil || *in.Text == "" {
			return a, invalid(action, "text", "required")
		}
		a = computer.Action{Kind: computer.HoldKey, Keys: *in.Text}
		a.Duration, err = seconds(action, in.Duration)
	case "wait":
		a.Kind = computer.Wait
		a.Duration, err = seconds(action, in.Duration)
	default:
		return a, &agent.InputError{Tool: "computer", Action: action,
			Reason: "the actions are screenshot, zoom, cursor_position, left_click, right_click, middle_click, double_click, triple_click, mouse_move, left_click_drag, left_mouse_down, left_mouse_up, scroll, type, key, hold_key and wait",
			Err:    agent.ErrUnknownAction}
	}
	return a, err
}

// limit bounds every number of an input, far beyond any display or
// duration, so that conversions cannot overflow.
const limit = 1e9

// point reads a required [x, y].
func point(action, field string, v []float64) (*image.Point, error) {
	if v == nil {
		return nil, invalid(action, field, "required: [x, y] in screenshot pixels")
	}
	return optPoint(action, field, v)
}

// optPoint reads an optional [x, y]; nil when absent.
func optPoint(action, field string, v []float64) (*image.Point, error) {
	if v == nil {
		return nil, nil
	}
	if len(v) != 2 || math.Abs(v[0]) > limit || math.Abs(v[1]) > limit {
		return nil, invalid(action, field, fmt.Sprintf("%v: want [x, y] in screenshot pixels", v))
	}
	return &image.Point{X: int(math.Round(v[0])), Y: int(math.Round(v[1]))}, nil
}

// region reads a zoom's [x0, y0, x1, y1].
func region(action string, v []float64) (image.Rectangle, error) {
	bad := func(why string) (image.Rectangle, error) {
		return image.Rectangle{}, invalid(action, "region", fmt.Sprintf("%v: %s", v, why))
	}
	if v == nil {
		return bad("required: [x0, y0, x1, y1] in screenshot pixels")
	}
	if len(v) != 4 {
		return bad("want [x0, y0, x1, y1] in screenshot pixels")
	}
	var c [4]int
	for i, f := range v {
		if math.Abs(f) > limit {
			return bad("out of range")
		}
		c[i] = int(math.Round(f))
	}
	if c[2] <= c[0] || c[3] <= c[1] {
		return bad("want x0 < x1 and y0 < y1")
	}
	return image.Rect(c[0], c[1], c[2], c[3]), nil
}

// count reads a whole number of at least 1 (the computer bounds it above).
func count(action, field string, f float64) (int, error) {
	if f != math.Trunc(f) || f < 1 || f > limit {
		return 0, invalid(action, field, fmt.Sprintf("%v: want a whole number of at least 1", f))
	}
	return int(f), nil
}

// seconds reads an optional duration in seconds (absent: the computer's
// default; the computer bounds it above).
func seconds(action string, f *float64) (time.Duration, error) {
	if f == nil {
		return 0, nil
	}
	if *f < 0 || *f > limit {
		return 0, invalid(action, "duration", fmt.Sprintf("%v: want seconds, at least 0", *f))
	}
	return time.Duration(*f * float64(time.Second)), nil
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decode decodes a tool's input object; an empty input is {}.
func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}

func invalid(action, field, reason string) error {
	return &agent.InputError{Tool: "computer", Action: action, Field: field, Reason: reason, Err: agent.ErrInvalidInput}
}

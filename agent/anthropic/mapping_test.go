package anthropic

import (
	"encoding/json"
	"errors"
	"image"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
)

func pt(x, y int) *image.Point { return &image.Point{X: x, Y: y} }

// The mapping of every action of computer_20251124 (and so of every member
// of the toolset).
var mappings = []struct {
	input string
	want  computer.Action
}{
	{`{"action":"screenshot"}`, computer.Action{Kind: computer.Screenshot}},
	{`{"action":"cursor_position"}`, computer.Action{Kind: computer.CursorPosition}},
	{`{"action":"zoom","region":[10,20,110,70]}`, computer.Action{Kind: computer.Zoom, Region: image.Rect(10, 20, 110, 70)}},
	{`{"action":"left_click","coordinate":[100,200]}`, computer.Action{Kind: computer.Click, Point: pt(100, 200), Button: computer.ButtonLeft, Count: 1}},
	{`{"action":"left_click","coordinate":[100,200],"text":"ctrl+shift"}`, computer.Action{Kind: computer.Click, Point: pt(100, 200), Button: computer.ButtonLeft, Count: 1, Keys: "ctrl+shift"}},
	{`{"action":"left_click"}`, computer.Action{Kind: computer.Click, Button: computer.ButtonLeft, Count: 1}},
	{`{"action":"right_click","coordinate":[1,2]}`, computer.Action{Kind: computer.Click, Point: pt(1, 2), Button: computer.ButtonRight, Count: 1}},
	{`{"action":"middle_click","coordinate":[1,2],"text":"alt"}`, computer.Action{Kind: computer.Click, Point: pt(1, 2), Button: computer.ButtonMiddle, Count: 1, Keys: "alt"}},
	{`{"action":"double_click","coordinate":[3,4]}`, computer.Action{Kind: computer.Click, Point: pt(3, 4), Button: computer.ButtonLeft, Count: 2}},
	{`{"action":"triple_click","coordinate":[3.4,4.6]}`, computer.Action{Kind: computer.Click, Point: pt(3, 5), Button: computer.ButtonLeft, Count: 3}},
	{`{"action":"mouse_move","coordinate":[5,6]}`, computer.Action{Kind: computer.MouseMove, Point: pt(5, 6)}},
	{`{"action":"left_click_drag","start_coordinate":[1,2],"coordinate":[30,40]}`, computer.Action{Kind: computer.Drag, Button: computer.ButtonLeft, Path: []image.Point{{1, 2}, {30, 40}}}},
	{`{"action":"left_click_drag","start_coordinate":[1,2],"coordinate":[30,40],"text":"shift"}`, computer.Action{Kind: computer.Drag, Button: computer.ButtonLeft, Path: []image.Point{{1, 2}, {30, 40}}, Keys: "shift"}},
	{`{"action":"left_mouse_down"}`, computer.Action{Kind: computer.MouseDown, Button: computer.ButtonLeft}},
	{`{"action":"left_mouse_up","coordinate":[7,8]}`, computer.Action{Kind: computer.MouseUp, Button: computer.ButtonLeft, Point: pt(7, 8)}},
	{`{"action":"scroll","coordinate":[10,10],"scroll_direction":"down","scroll_amount":5}`, computer.Action{Kind: computer.Scroll, Point: pt(10, 10), Direction: computer.Down, Amount: 5}},
	{`{"action":"scroll","scroll_direction":"left","scroll_amount":1,"text":"shift"}`, computer.Action{Kind: computer.Scroll, Direction: computer.Left, Amount: 1, Keys: "shift"}},
	{`{"action":"scroll","coordinate":[0,0],"scroll_direction":"up"}`, computer.Action{Kind: computer.Scroll, Point: pt(0, 0), Direction: computer.Up}},
	{`{"action":"type","text":"héllo, 世界"}`, computer.Action{Kind: computer.Type, Text: "héllo, 世界"}},
	{`{"action":"key","text":"Return"}`, computer.Action{Kind: computer.Key, Keys: "Return"}},
	{`{"action":"key","text":"ctrl+a","repeat":3}`, computer.Action{Kind: computer.Key, Keys: "ctrl+a", Repeat: 3}},
	{`{"action":"hold_key","text":"shift","duration":1.5}`, computer.Action{Kind: computer.HoldKey, Keys: "shift", Duration: 1500 * time.Millisecond}},
	{`{"action":"wait","duration":2}`, computer.Action{Kind: computer.Wait, Duration: 2 * time.Second}},
	{`{"action":"wait"}`, computer.Action{Kind: computer.Wait}},
}

func TestMapCall(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range mappings {
		got, err := mapCall(json.RawMessage(m.input))
		if err != nil {
			t.Errorf("%s: %v", m.input, err)
			continue
		}
		if !reflect.DeepEqual(got, m.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", m.input, got, m.want)
		}
		var in struct{ Action string }
		json.Unmarshal([]byte(m.input), &in)
		seen[in.Action] = true
	}
	for _, a := range Actions {
		if !seen[a] {
			t.Errorf("action %s has no mapping test", a)
		}
	}
}

// A toolset member's input is the same without "action".
func TestMapMember(t *testing.T) {
	for _, m := range mappings {
		var in map[string]any
		json.Unmarshal([]byte(m.input), &in)
		name := in["action"].(string)
		delete(in, "action")
		raw, _ := json.Marshal(in)
		got, err := mapMember(name, raw)
		if err != nil || !reflect.DeepEqual(got, m.want) {
			t.Errorf("member %s %s: %+v, %v", name, raw, got, err)
		}
	}
}

func TestMapRefuses(t *testing.T) {
	for _, c := range []struct {
		input string
		err   error
		says  string
	}{
		{`{}`, agent.ErrInvalidInput, "action: required"},
		{`{"action":"fly"}`, agent.ErrUnknownAction, "computer fly"},
		{`{"action":5}`, agent.ErrInvalidInput, "cannot unmarshal"},
		{`{"action":"left_click","coordinate":[1]}`, agent.ErrInvalidInput, "coordinate"},
		{`{"action":"left_click","coordinate":"1,2"}`, agent.ErrInvalidInput, "cannot unmarshal"},
		{`{"action":"left_click","coordinate":[1e12,2]}`, agent.ErrInvalidInput, "coordinate"},
		{`{"action":"mouse_move"}`, agent.ErrInvalidInput, "coordinate: required"},
		{`{"action":"left_click_drag","coordinate":[1,2]}`, agent.ErrInvalidInput, "start_coordinate: required"},
		{`{"action":"scroll","coordinate":[1,2]}`, agent.ErrInvalidInput, "scroll_direction: required"},
		{`{"action":"scroll","scroll_direction":"sideways"}`, agent.ErrInvalidInput, "sideways"},
		{`{"action":"scroll","scroll_direction":"up","scroll_amount":0}`, agent.ErrInvalidInput, "scroll_amount"},
		{`{"action":"scroll","scroll_direction":"up","scroll_amount":1.5}`, agent.ErrInvalidInput, "scroll_amount"},
		{`{"action":"type"}`, agent.ErrInvalidInput, "text: required"},
		{`{"action":"type","text":""}`, agent.ErrInvalidInput, "text: required"},
		{`{"action":"key"}`, agent.ErrInvalidInput, "text: required"},
		{`{"action":"key","text":"a","repeat":-1}`, agent.ErrInvalidInput, "repeat"},
		{`{"action":"hold_key","text":"a","duration":-1}`, agent.ErrInvalidInput, "duration"},
		{`{"action":"wait","duration":"long"}`, agent.ErrInvalidInput, "cannot unmarshal"},
		{`{"action":"zoom"}`, agent.ErrInvalidInput, "region"},
		{`{"action":"zoom","region":[10,10,5,20]}`, agent.ErrInvalidInput, "x0 < x1"},
		{`{"action":"zoom","region":[1,2,3]}`, agent.ErrInvalidInput, "region"},
	} {
		_, err := mapCall(json.RawMessage(c.input))
		var ie *agent.InputError
		if !errors.Is(err, c.err) || !errors.As(err, &ie) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want %v saying %q", c.input, err, c.err, c.says)
		}
	}
	if _, err := mapMember("fly", json.RawMessage(`{}`)); !errors.Is(err, agent.ErrUnknownAction) {
		t.Errorf("member fly: %v", err)
	}
}

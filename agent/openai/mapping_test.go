package openai

import (
	"encoding/json"
	"errors"
	"image"
	"reflect"
	"strings"
	"testing"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
)

func pt(x, y int) *image.Point { return &image.Point{X: x, Y: y} }

func TestMapAction(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range []struct {
		input string
		want  computer.Action
	}{
		{`{"type":"screenshot"}`, computer.Action{Kind: computer.Screenshot}},
		{`{"type":"wait"}`, computer.Action{Kind: computer.Wait}},
		{`{"type":"click","button":"left","x":10,"y":20}`, computer.Action{Kind: computer.Click, Button: computer.ButtonLeft, Count: 1, Point: pt(10, 20)}},
		{`{"type":"click","button":"right","x":1,"y":2,"keys":["CTRL","SHIFT"]}`, computer.Action{Kind: computer.Click, Button: computer.ButtonRight, Count: 1, Point: pt(1, 2), Keys: "ctrl+shift"}},
		{`{"type":"click","button":"wheel","x":1,"y":2}`, computer.Action{Kind: computer.Click, Button: computer.ButtonMiddle, Count: 1, Point: pt(1, 2)}},
		{`{"type":"double_click","x":3,"y":4}`, computer.Action{Kind: computer.Click, Button: computer.ButtonLeft, Count: 2, Point: pt(3, 4)}},
		{`{"type":"drag","path":[{"x":1,"y":2},{"x":5,"y":6},{"x":9,"y":9}]}`, computer.Action{Kind: computer.Drag, Button: computer.ButtonLeft, Path: []image.Point{{1, 2}, {5, 6}, {9, 9}}}},
		{`{"type":"move","x":7,"y":8,"keys":["ALT"]}`, computer.Action{Kind: computer.MouseMove, Point: pt(7, 8), Keys: "alt"}},
		{`{"type":"scroll","x":100,"y":200,"scroll_x":0,"scroll_y":300}`, computer.Action{Kind: computer.Scroll, Point: pt(100, 200), DeltaY: 300}},
		{`{"type":"scroll","x":1,"y":1,"scroll_x":-40,"scroll_y":0,"keys":["shift"]}`, computer.Action{Kind: computer.Scroll, Point: pt(1, 1), DeltaX: -40, Keys: "shift"}},
		{`{"type":"type","text":"héllo"}`, computer.Action{Kind: computer.Type, Text: "héllo"}},
		{`{"type":"keypress","keys":["ENTER"]}`, computer.Action{Kind: computer.Key, Keys: "Return"}},
		{`{"type":"keypress","keys":["CTRL","A"]}`, computer.Action{Kind: computer.Key, Keys: "ctrl+a"}},
		{`{"type":"keypress","keys":["ArrowLeft"]}`, computer.Action{Kind: computer.Key, Keys: "Left"}},
		{`{"type":"keypress","keys":["PAGEDOWN"]}`, computer.Action{Kind: computer.Key, Keys: "Page_Down"}},
		{`{"type":"keypress","keys":["ESC"]}`, computer.Action{Kind: computer.Key, Keys: "Escape"}},
		{`{"type":"keypress","keys":["CMD","SPACE"]}`, computer.Action{Kind: computer.Key, Keys: "super+space"}},
	} {
		got, err := mapAction(json.RawMessage(c.input))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", c.input, got, err, c.want)
		}
		var in struct{ Type string }
		json.Unmarshal([]byte(c.input), &in)
		seen[in.Type] = true
	}
	for _, a := range Actions {
		if !seen[a] {
			t.Errorf("action %s has no mapping test", a)
		}
	}
}

func TestMapActionRefuses(t *testing.T) {
	for _, c := range []struct {
		input string
		err   error
		says  string
	}{
		{`{}`, agent.ErrInvalidInput, "type: required"},
		{`{"type":"fly"}`, agent.ErrUnknownAction, "fly"},
		{`{"type":"click","button":"back","x":1,"y":1}`, agent.ErrInvalidInput, "back"},
		{`{"type":"click","button":"left"}`, agent.ErrInvalidInput, "x, y: required"},
		{`{"type":"click","x":"1","y":2}`, agent.ErrInvalidInput, "cannot unmarshal"},
		{`{"type":"drag","path":[{"x":1,"y":2}]}`, agent.ErrInvalidInput, "two points"},
		{`{"type":"drag","path":[{"x":1,"y":2},{"x":3}]}`, agent.ErrInvalidInput, "path[1]"},
		{`{"type":"scroll","x":1,"y":1,"scroll_x":0,"scroll_y":0}`, agent.ErrInvalidInput, "nothing to scroll"},
		{`{"type":"type","text":""}`, agent.ErrInvalidInput, "text: required"},
		{`{"type":"keypress","keys":[]}`, agent.ErrInvalidInput, "keys: required"},
		{`{"type":"move","y":3}`, agent.ErrInvalidInput, "x, y"},
	} {
		_, err := mapAction(json.RawMessage(c.input))
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want %v saying %q", c.input, err, c.err, c.says)
		}
	}
}

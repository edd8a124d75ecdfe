package agent

import (
	"testing"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// The GA computer toolset drives the page the same way: its members'
// calls (named after the action, toolset_name "computer") map onto the
// same actions, in the same display pixels.
func TestAgentToolset(t *testing.T) {
	page := openForm(t, "form.html")
	fake := fakeanthropic.New(
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			if _, ok := r.Tool("computer_toolset_20260801"); !ok {
				t.Errorf("tools %+v", r.Tools)
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Member("m1", "screenshot", nil)}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantColour(t, "button", resultShot(t, r, 0), buttonBg, red)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{
				fakeanthropic.Member("m2", "double_click", map[string]any{"coordinate": []int{buttonAt.X, buttonAt.Y}}),
				fakeanthropic.Member("m3", "triple_click", map[string]any{"coordinate": []int{fieldAt.X, fieldAt.Y}}),
				fakeanthropic.Member("m4", "type", map[string]any{"text": "toolset"}),
				fakeanthropic.Member("m5", "cursor_position", nil),
			}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			res := r.Results()
			if len(res) != 4 {
				t.Fatalf("results %+v", res)
			}
			wantColour(t, "button after the double click", resultShot(t, r, 0), buttonBg, green)
			if got := res[3].Content.Text(); got != "X=150,Y=165" {
				t.Errorf("cursor_position answered %q, want X=150,Y=165", got)
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("done")}}
		},
	)
	defer fake.Close()
	a := newAgent(t, page, fake, anthropic.Options{Tool: anthropic.ComputerToolset20260801}, agent.Options{})
	if out, err := runAgent(t, a, "double-click"); err != nil || out.Errors != 0 {
		t.Fatalf("Run = %+v, %v (refused %v)", out, err, fake.Refused())
	}
	if n := testsupport.EvalAs[int](t, page, `window.clicks`); n != 2 {
		t.Errorf("the button saw %d clicks, want 2 (a double click)", n)
	}
	if v := testsupport.EvalAs[string](t, page, `document.getElementById('field').value`); v != "toolset" {
		t.Errorf("the field holds %q", v)
	}
	noRefusals(t, fake)
}

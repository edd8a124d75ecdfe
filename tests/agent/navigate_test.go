package agent

import (
	"strings"
	"testing"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// navigate, go_back and go_forward each answer with a screenshot of the
// page they reached, once it has loaded.
func TestAgentNavigates(t *testing.T) {
	page := openForm(t, "form.html")
	fake := fakeanthropic.New(
		fakeanthropic.Call(fakeanthropic.ToolUse("t1", "navigate", map[string]any{"url": pageURL("green.html")})),
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantColour(t, "after navigate", resultShot(t, r, 0), bgAt, leaf)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.ToolUse("t2", "go_back", map[string]any{})}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			img := resultShot(t, r, 0)
			wantColour(t, "after go_back", img, bgAt, blue)
			wantColour(t, "after go_back", img, buttonBg, red)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.ToolUse("t3", "go_forward", map[string]any{})}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantColour(t, "after go_forward", resultShot(t, r, 0), bgAt, leaf)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.ToolUse("t4", "navigate", map[string]any{"url": "file:///etc/passwd"})}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			if res := r.Results(); len(res) != 1 || !res[0].IsError || !strings.Contains(res[0].Content.Text(), "URL") {
				t.Errorf("a refused URL answered %+v", res)
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("back and forth")}}
		},
	)
	defer fake.Close()
	a := newAgent(t, page, fake, anthropic.Options{}, agent.Options{})
	out, err := runAgent(t, a, "browse")
	if err != nil || out.Errors != 1 || out.Reason != agent.ReasonEndTurn {
		t.Fatalf("Run = %+v, %v (refused %v)", out, err, fake.Refused())
	}
	if loc := testsupport.EvalAs[string](t, page, `location.pathname`); loc != "/green.html" {
		t.Errorf("the page is at %s", loc)
	}
	noRefusals(t, fake)
}

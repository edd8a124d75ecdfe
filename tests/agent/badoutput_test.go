package agent

import (
	"image"
	"strings"
	"testing"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// Bad model output — an unknown action, coordinates off the display, input
// that is not valid JSON, an unknown tool, a call missing its field — goes
// back to the model as error results; the loop goes on and the page does
// not change.
func TestAgentBadModelOutput(t *testing.T) {
	page := openForm(t, "form.html")
	var first image.Image
	// wantError checks that the previous call came back as an error saying says.
	wantError := func(r *fakeanthropic.Request, says ...string) {
		t.Helper()
		res := r.Results()
		if len(res) != 1 || !res[0].IsError {
			t.Errorf("results %+v, want one error", res)
			return
		}
		for _, s := range says {
			if !strings.Contains(res[0].Content.Text(), s) {
				t.Errorf("error %q does not say %q", res[0].Content.Text(), s)
			}
		}
	}
	reply := func(b fakeanthropic.Block) fakeanthropic.Reply {
		return fakeanthropic.Reply{Content: []fakeanthropic.Block{b}}
	}
	fake := fakeanthropic.New(
		fakeanthropic.Call(fakeanthropic.Computer("t1", "screenshot", nil)),
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			first = resultShot(t, r, 0)
			return reply(fakeanthropic.Computer("t2", "teleport", map[string]any{"coordinate": []int{1, 1}}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "unknown action", "teleport")
			// x 640 is one past the display's right edge (the button on an unconverted page).
			return reply(fakeanthropic.Computer("t3", "left_click", map[string]any{"coordinate": []int{displayW, 80}}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "outside")
			return reply(fakeanthropic.Computer("t3b", "left_click", map[string]any{"coordinate": []int{-1, 80}}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "outside")
			return reply(fakeanthropic.BadJSON("t4", "computer", `{"action": "left_click", "coordinate": [125, 8`))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "invalid tool input", "not valid JSON")
			return reply(fakeanthropic.ToolUse("t5", "computer", map[string]any{"action": "left_click", "coordinate": "125,80"}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "invalid tool input")
			return reply(fakeanthropic.ToolUse("t6", "teleport", map[string]any{"to": "the button"}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "unknown tool", "teleport")
			return reply(fakeanthropic.ToolUse("t7", "navigate", map[string]any{}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "url", "required")
			return reply(fakeanthropic.Computer("t8", "key", map[string]any{"text": "ctrl+nosuchkey"}))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			wantError(r, "nosuchkey")
			return reply(fakeanthropic.Computer("t9", "screenshot", nil))
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			last := resultShot(t, r, 0)
			for _, p := range []image.Point{buttonBg, fieldAt, outBg, bgAt} {
				if !near(last.At(p.X, p.Y), first.At(p.X, p.Y)) {
					t.Errorf("pixel %v changed: %v, was %v", p, last.At(p.X, p.Y), first.At(p.X, p.Y))
				}
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("I give up.")}}
		},
	)
	defer fake.Close()
	a := newAgent(t, page, fake, anthropic.Options{}, agent.Options{})
	out, err := runAgent(t, a, "misbehave")
	if err != nil {
		t.Fatalf("Run: %v (refused: %v)", err, fake.Refused())
	}
	noRefusals(t, fake)
	if out.Reason != agent.ReasonEndTurn || out.Steps != 11 || out.Actions != 10 || out.Errors != 8 || out.Final != "I give up." {
		t.Errorf("outcome %+v", out)
	}
	if n := testsupport.EvalAs[int](t, page, `window.clicks`); n != 0 {
		t.Errorf("the button was clicked %d times", n)
	}
	if v := testsupport.EvalAs[string](t, page, `document.getElementById('out').textContent + document.getElementById('field').value`); v != "" {
		t.Errorf("the form changed: %q", v)
	}
}

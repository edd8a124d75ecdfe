package agent

import (
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// The scripted model looks at the page, clicks the button by display
// coordinates, types into the field, presses Enter, zooms on the small
// square and ends its turn; at every step it checks the screenshot it got.
func TestAgentDrivesThePage(t *testing.T) {
	// Not openForm: the agent's first look must itself wait for the page
	// just opened to load and paint.
	page := testsupport.OpenPage(t, engine, lkbrowser.PageOptions{URL: pageURL("form.html"), Width: pageW, Height: pageH})
	fake := fakeanthropic.New(
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			tool, ok := r.Tool("computer_20251124")
			if !ok || tool.DisplayWidthPx != displayW || tool.DisplayHeightPx != displayH || !tool.EnableZoom {
				t.Errorf("computer tool %+v, want %dx%d with zoom", tool, displayW, displayH)
			}
			if got := r.Messages[0].Content.Text(); got != "press the button, then send hello agent" {
				t.Errorf("task %q", got)
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{
				fakeanthropic.Text("Let me look."),
				fakeanthropic.Computer("toolu_shot", "screenshot", nil),
			}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			img := resultShot(t, r, 0)
			wantColour(t, "background", img, bgAt, blue)
			wantColour(t, "button", img, buttonBg, red)
			wantColour(t, "field", img, fieldAt, white)
			wantColour(t, "output", img, outBg, grey)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{
				fakeanthropic.Computer("toolu_click", "left_click", map[string]any{"coordinate": []int{buttonAt.X, buttonAt.Y}}),
			}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			// The first screenshot after the click already shows it.
			wantColour(t, "button after the click", resultShot(t, r, 0), buttonBg, green)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{
				fakeanthropic.Computer("toolu_field", "left_click", map[string]any{"coordinate": []int{fieldAt.X, fieldAt.Y}}),
				fakeanthropic.Computer("toolu_type", "type", map[string]any{"text": "hello agent"}),
				fakeanthropic.Computer("toolu_enter", "key", map[string]any{"text": "Return"}),
			}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			res := r.Results()
			if len(res) != 3 || res[0].ToolUseID != "toolu_field" || res[2].ToolUseID != "toolu_enter" {
				t.Errorf("results %+v", res)
			}
			wantColour(t, "output after Enter", resultShot(t, r, 2), outBg, magenta)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{
				fakeanthropic.Computer("toolu_zoom", "zoom", map[string]any{"region": squareBox}),
			}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			res := r.Results()
			if len(res) != 1 || res[0].IsError || len(res[0].Content.Images()) != 1 {
				t.Fatalf("zoom result %+v", res)
			}
			img, format, err := res[0].Content.Images()[0].Decode()
			if err != nil || format != "png" {
				t.Fatalf("zoom image: %s %v", format, err)
			}
			b := img.Bounds()
			// A 30x30 display region (60x60 page pixels) at full resolution or more.
			if b.Dx() < 60 || b.Dy() < 60 || b.Dx() > displayW || b.Dy() > displayH {
				t.Errorf("zoom image %v", b.Size())
			}
			wantColour(t, "zoom's corner", img, image.Point{1, 1}, blue)
			wantColour(t, "zoom's square", img, image.Point{b.Dx() / 4, b.Dy() * 3 / 4}, yellow)
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("Done: pressed the button and sent hello agent.")}}
		},
	)
	defer fake.Close()
	obs := &observed{}
	a := newAgent(t, page, fake, anthropic.Options{}, agent.Options{Observer: obs})
	out, err := runAgent(t, a, "press the button, then send hello agent")
	if err != nil {
		t.Fatalf("Run: %v (refused: %v)", err, fake.Refused())
	}
	noRefusals(t, fake)
	want := agent.Outcome{Steps: 5, Actions: 6, Final: "Done: pressed the button and sent hello agent.", Reason: agent.ReasonEndTurn}
	if out != want {
		t.Errorf("outcome %+v, want %+v", out, want)
	}
	// What the page shows.
	if n := testsupport.EvalAs[int](t, page, `window.clicks`); n != 1 {
		t.Errorf("the button was clicked %d times, want 1", n)
	}
	if v := testsupport.EvalAs[string](t, page, `document.getElementById('field').value`); v != "hello agent" {
		t.Errorf("the field holds %q", v)
	}
	if v := testsupport.EvalAs[string](t, page, `document.getElementById('out').textContent`); v != "submitted: hello agent" {
		t.Errorf("the output shows %q", v)
	}
	// What the observer was told: the click in page pixels.
	ev := obs.list()
	for _, w := range []string{
		"status thinking", "said Let me look.", "status acting",
		"acting click at 251,161 1280x720", "acted click <nil>",
		"acting type 1280x720", "acting key 1280x720", "acting zoom 1280x720",
		"said Done: pressed the button and sent hello agent.",
	} {
		if !slices.Contains(ev, w) {
			t.Errorf("the observer was not told %q:\n%s", w, strings.Join(ev, "\n"))
		}
	}
	if ev[len(ev)-1] != "status idle" {
		t.Errorf("last event %q, want status idle", ev[len(ev)-1])
	}
}

package agent

import (
	"image"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/option"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/openai"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeopenai"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// The same loop drives the page with OpenAI's Responses API: a batched
// computer call clicks the button, types into the field and presses ENTER;
// its one output is a screenshot showing all of it.
func TestAgentOpenAI(t *testing.T) {
	page := openForm(t, "form.html")
	fake := fakeopenai.New(
		func(r *fakeopenai.Request) fakeopenai.Reply {
			if len(r.Tools) == 0 || r.Tools[0].Type != "computer" {
				t.Errorf("tools %+v", r.Tools)
			}
			return fakeopenai.Reply{Output: []map[string]any{
				fakeopenai.Reasoning("rs_1"),
				fakeopenai.ComputerCall("call_1", map[string]any{"type": "screenshot"}),
			}}
		},
		func(r *fakeopenai.Request) fakeopenai.Reply {
			img := openaiShot(t, r)
			wantColour(t, "button", img, buttonBg, red)
			wantColour(t, "output", img, outBg, grey)
			return fakeopenai.Reply{Output: []map[string]any{
				fakeopenai.Message("Pressing it and sending the form."),
				fakeopenai.ComputerCall("call_2",
					map[string]any{"type": "click", "button": "left", "x": buttonAt.X, "y": buttonAt.Y},
					map[string]any{"type": "click", "button": "left", "x": fieldAt.X, "y": fieldAt.Y},
					map[string]any{"type": "type", "text": "hello openai"},
					map[string]any{"type": "keypress", "keys": []string{"ENTER"}}),
			}}
		},
		func(r *fakeopenai.Request) fakeopenai.Reply {
			img := openaiShot(t, r)
			wantColour(t, "button after the click", img, buttonBg, green)
			wantColour(t, "output after ENTER", img, outBg, magenta)
			return fakeopenai.Reply{Output: []map[string]any{
				fakeopenai.ComputerCall("call_3", map[string]any{"type": "click", "button": "left", "x": displayW + 5, "y": 10}),
			}}
		},
		func(r *fakeopenai.Request) fakeopenai.Reply {
			// The refused click: a stand-in screenshot and the error as text.
			var said []string
			for _, it := range r.Last() {
				if it.Type == "message" {
					said = append(said, it.Texts()...)
				}
			}
			if !strings.Contains(strings.Join(said, " "), "outside") {
				t.Errorf("the off-display click was answered with %q", said)
			}
			return fakeopenai.Reply{Output: []map[string]any{fakeopenai.Message("Sent.")}}
		},
	)
	defer fake.Close()
	comp, err := computer.New(page, computer.Options{DisplayWidth: displayW, DisplayHeight: displayH, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := openai.New(openai.Options{RequestOptions: []option.RequestOption{
		option.WithBaseURL(fake.BaseURL), option.WithAPIKey("test-key"), option.WithMaxRetries(0)}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(page, comp, provider, agent.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	out, err := runAgent(t, a, "press the button, then send hello openai")
	if err != nil {
		t.Fatalf("Run: %v (refused %v)", err, fake.Refused())
	}
	if r := fake.Refused(); len(r) > 0 {
		t.Errorf("the API refused requests: %v", r)
	}
	if out.Reason != agent.ReasonEndTurn || out.Steps != 4 || out.Actions != 6 || out.Errors != 1 || out.Final != "Sent." {
		t.Errorf("outcome %+v", out)
	}
	if n := testsupport.EvalAs[int](t, page, `window.clicks`); n != 1 {
		t.Errorf("the button was clicked %d times", n)
	}
	if v := testsupport.EvalAs[string](t, page, `document.getElementById('out').textContent`); v != "submitted: hello openai" {
		t.Errorf("the output shows %q", v)
	}
}

// openaiShot is the screenshot of the request's computer_call_output, of
// the declared display size.
func openaiShot(t *testing.T, r *fakeopenai.Request) image.Image {
	t.Helper()
	for _, it := range r.Outputs() {
		if it.Type != "computer_call_output" {
			continue
		}
		img, err := it.Screenshot()
		if err != nil {
			t.Errorf("screenshot: %v", err)
			break
		}
		if s := img.Bounds().Size(); s != (image.Point{displayW, displayH}) {
			t.Errorf("screenshot is %v, want %dx%d", s, displayW, displayH)
		}
		return img
	}
	t.Errorf("no computer_call_output in %+v", r.Last())
	return image.NewRGBA(image.Rect(0, 0, displayW, displayH))
}

package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
)

// newProvider points a Provider at fake with a dummy key.
func newProvider(t *testing.T, fake *fakeanthropic.Server, opts Options) *Provider {
	t.Helper()
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "")
	t.Setenv("ANTHROPIC_BASE_URL", "")
	opts.RequestOptions = append(opts.RequestOptions, option.WithBaseURL(fake.URL), option.WithAPIKey("test-key"), option.WithMaxRetries(0))
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pngOf is a w x h PNG of one colour.
func pngOf(t *testing.T, w, h int, c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// conversation is a first turn answered: a screenshot's result and an
// error result.
func conversation(t *testing.T, toolset string) []agent.Message {
	shot := pngOf(t, 64, 36, color.RGBA{R: 255, A: 255})
	name := "computer"
	input := json.RawMessage(`{"action":"screenshot"}`)
	if toolset != "" {
		name, input = "screenshot", json.RawMessage(`{}`)
	}
	return []agent.Message{
		{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("look")}},
		{Role: agent.RoleAssistant, Content: []agent.Block{
			agent.TextBlock("Looking."),
			{Type: agent.BlockToolUse, ToolUse: &agent.ToolUse{ID: "toolu_1", Name: name, Toolset: toolset, Input: input}},
			{Type: agent.BlockToolUse, ToolUse: &agent.ToolUse{ID: "toolu_2", Name: "navigate", Input: json.RawMessage(`{}`)}},
		}},
		{Role: agent.RoleUser, Content: []agent.Block{
			{Type: agent.BlockToolResult, ToolResult: &agent.ToolResult{ToolUseID: "toolu_1", Content: []agent.Block{
				agent.ImageBlock(&agent.Image{MediaType: "image/png", Data: shot})}}},
			{Type: agent.BlockToolResult, ToolResult: &agent.ToolResult{ToolUseID: "toolu_2", IsError: true, Content: []agent.Block{
				agent.TextBlock("agent: invalid tool input: navigate: url: required")}}},
		}},
	}
}

func request(msgs []agent.Message) agent.Request {
	return agent.Request{System: "be brief", Messages: msgs, Tools: agent.Tools(), DisplayWidth: 640, DisplayHeight: 360}
}

func TestStepComputer20251124(t *testing.T) {
	var got *fakeanthropic.Request
	fake := fakeanthropic.New(func(r *fakeanthropic.Request) fakeanthropic.Reply {
		got = r
		return fakeanthropic.Reply{Content: []fakeanthropic.Block{
			fakeanthropic.Text("Clicking the red square."),
			fakeanthropic.Computer("toolu_3", "left_click", map[string]any{"coordinate": []int{12, 34}, "text": "shift"}),
			fakeanthropic.ToolUse("toolu_4", "navigate", map[string]any{"url": "https://example.com/"}),
		}}
	})
	defer fake.Close()
	p := newProvider(t, fake, Options{})
	msg, err := p.Step(context.Background(), request(conversation(t, "")))
	if err != nil {
		t.Fatalf("Step: %v (refused: %v)", err, fake.Refused())
	}
	// What the API got.
	if got.Model != DefaultModel || got.MaxTokens != DefaultMaxTokens || !got.Stream || got.System.Text() != "be brief" {
		t.Errorf("model %q max_tokens %d stream %v system %q", got.Model, got.MaxTokens, got.Stream, got.System.Text())
	}
	if k := got.APIKey(); k != "test-key" {
		t.Errorf("x-api-key %q", k)
	}
	if b := got.Header.Get("Anthropic-Beta"); !strings.Contains(b, "computer-use-2025-11-24") {
		t.Errorf("anthropic-beta %q", b)
	}
	tool, ok := got.Tool("computer_20251124")
	if !ok || tool.Name != "computer" || tool.DisplayWidthPx != 640 || tool.DisplayHeightPx != 360 || !tool.EnableZoom {
		t.Errorf("computer tool %+v", tool)
	}
	for _, name := range []string{"navigate", "go_back", "go_forward"} {
		if f, ok := got.Tool(name); !ok || len(f.InputSchema) == 0 || f.Description == "" {
			t.Errorf("function tool %s: %+v", name, f)
		}
	}
	if nav, _ := got.Tool("navigate"); !strings.Contains(string(nav.InputSchema), `"required":["url"]`) {
		t.Errorf("navigate's schema %s", nav.InputSchema)
	}
	res := got.Results()
	if len(res) != 2 || res[0].ToolUseID != "toolu_1" || res[0].IsError || !res[1].IsError || !strings.Contains(res[1].Content.Text(), "url: required") {
		t.Fatalf("results %+v", res)
	}
	img, format, err := res[0].Content.Images()[0].Decode()
	if err != nil || format != "png" || img.Bounds().Dx() != 64 {
		t.Errorf("the screenshot arrived as %v %s %v", img.Bounds(), format, err)
	} else if r, _, _, _ := img.At(5, 5).RGBA(); r>>8 != 255 {
		t.Errorf("the screenshot's colour changed")
	}
	// What Step returned.
	if msg.Role != agent.RoleAssistant || msg.StopReason != "tool_use" || len(msg.Content) != 3 {
		t.Fatalf("message %+v", msg)
	}
	if msg.Content[0].Text != "Clicking the red square." {
		t.Errorf("text %q", msg.Content[0].Text)
	}
	click := msg.Content[1].ToolUse
	want := computer.Action{Kind: computer.Click, Point: pt(12, 34), Button: computer.ButtonLeft, Count: 1, Keys: "shift"}
	if click.ID != "toolu_3" || click.Name != "computer" || click.Err != nil || click.Action == nil || !equalAction(*click.Action, want) {
		t.Errorf("click %+v action %+v", click, click.Action)
	}
	nav := msg.Content[2].ToolUse
	if nav.Action != nil || nav.Err != nil || nav.Name != "navigate" || string(nav.Input) != `{"url":"https://example.com/"}` {
		t.Errorf("navigate %+v", nav)
	}
}

func equalAction(a, b computer.Action) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestStepToolset(t *testing.T) {
	var got *fakeanthropic.Request
	fake := fakeanthropic.New(func(r *fakeanthropic.Request) fakeanthropic.Reply {
		got = r
		return fakeanthropic.Reply{Content: []fakeanthropic.Block{
			fakeanthropic.Member("toolu_3", "double_click", map[string]any{"coordinate": []int{5, 6}}),
			fakeanthropic.Member("toolu_4", "zoom", map[string]any{"region": []int{0, 0, 320, 180}}),
			fakeanthropic.Member("toolu_5", "fly", nil),
		}}
	})
	defer fake.Close()
	p := newProvider(t, fake, Options{Tool: ComputerToolset20260801, Model: "claude-sonnet-5"})
	msg, err := p.Step(context.Background(), request(conversation(t, "computer")))
	if err != nil {
		t.Fatalf("Step: %v (refused: %v)", err, fake.Refused())
	}
	if got.Model != "claude-sonnet-5" {
		t.Errorf("model %q", got.Model)
	}
	if _, ok := got.Tool("computer_toolset_20260801"); !ok {
		t.Errorf("tools %+v", got.Tools)
	}
	if b := got.Header.Get("Anthropic-Beta"); strings.Contains(b, "computer-use") {
		t.Errorf("the GA toolset sent a beta header %q", b)
	}
	// The call went back with its toolset, and so did its result.
	if !strings.Contains(string(got.Body), `"toolset_name":"computer"`) {
		t.Errorf("toolset_name not sent back: %s", got.Body)
	}
	if use := got.Messages[1].Content[1]; use.Name != "screenshot" || use.ToolsetName != "computer" {
		t.Errorf("tool_use sent back as %+v", use)
	}
	if len(msg.Content) != 3 {
		t.Fatalf("message %+v", msg)
	}
	if a := msg.Content[0].ToolUse.Action; a == nil || a.Kind != computer.Click || a.Count != 2 || *a.Point != *pt(5, 6) {
		t.Errorf("double_click → %+v", a)
	}
	if a := msg.Content[1].ToolUse.Action; a == nil || a.Kind != computer.Zoom || a.Region != image.Rect(0, 0, 320, 180) {
		t.Errorf("zoom → %+v", a)
	}
	if u := msg.Content[2].ToolUse; u.Action != nil || !errors.Is(u.Err, agent.ErrUnknownAction) || u.Toolset != "computer" {
		t.Errorf("fly → %+v", u)
	}
	// A computer_20251124-style call is not the toolset's.
	if p.Tool() != ComputerToolset20260801 {
		t.Errorf("Tool() = %s", p.Tool())
	}
}

func TestStepInvalidJSON(t *testing.T) {
	var second *fakeanthropic.Request
	fake := fakeanthropic.New(
		fakeanthropic.Call(fakeanthropic.BadJSON("toolu_3", "computer", `{"action": "left_click", "coordinate": [1, `)),
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			second = r
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("ok")}}
		},
	)
	defer fake.Close()
	p := newProvider(t, fake, Options{})
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	msg, err := p.Step(context.Background(), request(msgs))
	if err != nil {
		t.Fatalf("Step: %v (refused: %v)", err, fake.Refused())
	}
	u := msg.Content[0].ToolUse
	if u.Action != nil || !errors.Is(u.Err, agent.ErrInvalidInput) || !strings.Contains(u.Err.Error(), "not valid JSON") || string(u.Input) != `{}` {
		t.Fatalf("call %+v", u)
	}
	// The call goes back (with input {}) with its error result, and the API takes it.
	msgs = append(msgs, msg, agent.Message{Role: agent.RoleUser, Content: []agent.Block{
		{Type: agent.BlockToolResult, ToolResult: &agent.ToolResult{ToolUseID: "toolu_3", IsError: true, Content: []agent.Block{agent.TextBlock(u.Err.Error())}}},
	}})
	if _, err := p.Step(context.Background(), request(msgs)); err != nil {
		t.Fatalf("second Step: %v (refused: %v)", err, fake.Refused())
	}
	if in := second.Messages[1].Content[0].Input; string(in) != `{}` {
		t.Errorf("the call went back with input %s", in)
	}
}

func TestStepAPIError(t *testing.T) {
	fake := fakeanthropic.New(func(*fakeanthropic.Request) fakeanthropic.Reply {
		return fakeanthropic.Reply{Status: 529, ErrorType: "overloaded_error"}
	})
	defer fake.Close()
	p := newProvider(t, fake, Options{})
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	if _, err := p.Step(context.Background(), request(msgs)); err == nil || !strings.Contains(err.Error(), "529") {
		t.Errorf("Step = %v, want the 529", err)
	}
}

func TestStepCanceled(t *testing.T) {
	fake := fakeanthropic.New(func(r *fakeanthropic.Request) fakeanthropic.Reply {
		<-r.Context.Done()
		return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("late")}}
	})
	defer fake.Close()
	p := newProvider(t, fake, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	_, err := p.Step(ctx, request(msgs))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Step = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Step returned %v after the deadline", d)
	}
}

// The SDK's environment defaults: ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL.
func TestEnvironment(t *testing.T) {
	var keys []string
	fake := fakeanthropic.New()
	for range 2 {
		fake.Append(func(r *fakeanthropic.Request) fakeanthropic.Reply {
			keys = append(keys, r.APIKey())
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("hi")}}
		})
	}
	defer fake.Close()
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "")
	t.Setenv("ANTHROPIC_API_KEY", "env-key")
	t.Setenv("ANTHROPIC_BASE_URL", fake.URL)
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Step(context.Background(), request(msgs)); err != nil {
		t.Fatalf("Step with the environment's key and URL: %v", err)
	}
	p, _ = New(Options{RequestOptions: []option.RequestOption{option.WithAPIKey("option-key")}})
	if _, err := p.Step(context.Background(), request(msgs)); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != "env-key" || keys[1] != "option-key" {
		t.Errorf("keys %v, want [env-key option-key]", keys)
	}
}

func TestNewAndRequestRefusals(t *testing.T) {
	if _, err := New(Options{Tool: "computer_20241022"}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("old tool: %v", err)
	}
	if _, err := New(Options{MaxTokens: -1}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("MaxTokens -1: %v", err)
	}
	p, err := New(Options{RequestOptions: []option.RequestOption{option.WithBaseURL("http://127.0.0.1:1"), option.WithAPIKey("k")}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	if _, err := p.Step(context.Background(), agent.Request{Messages: msgs}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("no display: %v", err)
	}
	empty := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("")}}}
	if _, err := p.Step(context.Background(), request(empty)); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("empty message: %v", err)
	}
}

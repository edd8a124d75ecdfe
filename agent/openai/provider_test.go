package openai

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/option"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeopenai"
)

func newProvider(t *testing.T, fake *fakeopenai.Server, opts Options) *Provider {
	t.Helper()
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	opts.RequestOptions = append(opts.RequestOptions, option.WithBaseURL(fake.BaseURL), option.WithAPIKey("test-key"), option.WithMaxRetries(0))
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

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

func request(msgs []agent.Message) agent.Request {
	return agent.Request{System: "be brief", Messages: msgs, Tools: agent.Tools(), DisplayWidth: 640, DisplayHeight: 360}
}

func result(id string, isErr bool, blocks ...agent.Block) agent.Block {
	return agent.Block{Type: agent.BlockToolResult, ToolResult: &agent.ToolResult{ToolUseID: id, IsError: isErr, Content: blocks}}
}

// A batched computer call splits into one ToolUse per action; the results
// go back as one computer_call_output with the last screenshot and the
// errors as text; reasoning and the call go back as they came.
func TestStepRoundTrip(t *testing.T) {
	var second *fakeopenai.Request
	fake := fakeopenai.New(
		func(r *fakeopenai.Request) fakeopenai.Reply {
			if tool := r.Tools[0]; tool.Type != "computer" {
				t.Errorf("tools %+v", r.Tools)
			}
			if r.Store == nil || *r.Store || len(r.Include) != 1 || r.Include[0] != "reasoning.encrypted_content" || r.Instructions != "be brief" {
				t.Errorf("store %v include %v instructions %q", r.Store, r.Include, r.Instructions)
			}
			if r.Model != DefaultModel {
				t.Errorf("model %q", r.Model)
			}
			return fakeopenai.Reply{Output: []map[string]any{
				fakeopenai.Reasoning("rs_1"),
				fakeopenai.Message("Clicking."),
				fakeopenai.ComputerCall("call_1",
					map[string]any{"type": "click", "button": "left", "x": 10, "y": 20},
					map[string]any{"type": "type", "text": "hi"},
					map[string]any{"type": "fly"}),
				fakeopenai.FunctionCall("call_2", "navigate", `{"url":"https://example.com/"}`),
				fakeopenai.FunctionCall("call_3", "navigate", `{"url":`),
			}}
		},
		func(r *fakeopenai.Request) fakeopenai.Reply {
			second = r
			return fakeopenai.Reply{Output: []map[string]any{fakeopenai.Message("done")}}
		},
	)
	defer fake.Close()
	p := newProvider(t, fake, Options{})
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	msg, err := p.Step(context.Background(), request(msgs))
	if err != nil {
		t.Fatalf("Step: %v (refused %v)", err, fake.Refused())
	}
	var texts []string
	var uses []*agent.ToolUse
	for _, b := range msg.Content {
		switch b.Type {
		case agent.BlockText:
			texts = append(texts, b.Text)
		case agent.BlockToolUse:
			uses = append(uses, b.ToolUse)
		}
	}
	if len(texts) != 1 || texts[0] != "Clicking." || msg.StopReason != "tool_use" {
		t.Errorf("texts %q stop %q", texts, msg.StopReason)
	}
	if len(uses) != 5 {
		t.Fatalf("%d tool uses", len(uses))
	}
	if a := uses[0].Action; uses[0].ID != "call_1#0" || a == nil || a.Kind != computer.Click || *a.Point != *pt(10, 20) {
		t.Errorf("click %+v", uses[0])
	}
	if a := uses[1].Action; a == nil || a.Kind != computer.Type || a.Text != "hi" {
		t.Errorf("type %+v", uses[1])
	}
	if !errors.Is(uses[2].Err, agent.ErrUnknownAction) {
		t.Errorf("fly %+v", uses[2])
	}
	if uses[3].ID != "call_2" || uses[3].Action != nil || uses[3].Err != nil || uses[3].Name != "navigate" {
		t.Errorf("navigate %+v", uses[3])
	}
	if !errors.Is(uses[4].Err, agent.ErrInvalidInput) || string(uses[4].Input) != "{}" {
		t.Errorf("bad arguments %+v", uses[4])
	}
	shot := pngOf(t, 64, 36, color.RGBA{G: 255, A: 255})
	msgs = append(msgs, msg, agent.Message{Role: agent.RoleUser, Content: []agent.Block{
		result("call_1#0", false, agent.ImageBlock(&agent.Image{MediaType: "image/png", Data: pngOf(t, 64, 36, color.Black)})),
		result("call_1#1", false, agent.ImageBlock(&agent.Image{MediaType: "image/png", Data: shot})),
		result("call_1#2", true, agent.TextBlock("agent: unknown action: computer fly")),
		result("call_2", false, agent.ImageBlock(&agent.Image{MediaType: "image/png", Data: shot})),
		result("call_3", true, agent.TextBlock("agent: invalid tool input: navigate")),
		agent.TextBlock("and then?"),
	}})
	if _, err := p.Step(context.Background(), request(msgs)); err != nil {
		t.Fatalf("second Step: %v (refused %v)", err, fake.Refused())
	}
	types := []string{}
	for _, it := range second.Input {
		types = append(types, it.Type)
	}
	want := "message reasoning message computer_call function_call function_call function_call_output function_call_output computer_call_output message"
	if strings.Join(types, " ") != want {
		t.Errorf("input items %s\nwant %s", strings.Join(types, " "), want)
	}
	outs := second.Outputs()
	var cco fakeopenai.Item
	for _, o := range outs {
		if o.Type == "computer_call_output" {
			cco = o
		}
	}
	img, err := cco.Screenshot()
	if err != nil || img.Bounds().Dx() != 64 {
		t.Fatalf("computer_call_output: %v", err)
	}
	if _, g, _, _ := img.At(1, 1).RGBA(); g>>8 != 255 {
		t.Errorf("the output is not the call's last screenshot")
	}
	last := second.Input[len(second.Input)-1]
	joined := strings.Join(last.Texts(), "|")
	if last.Role != "user" || !strings.Contains(joined, "and then?") || !strings.Contains(joined, "call_1: an action failed: agent: unknown action") {
		t.Errorf("last message %s %q", last.Role, joined)
	}
	if r := second.Input[1]; r.EncryptedContent != "enc:rs_1" {
		t.Errorf("reasoning sent back as %+v", r)
	}
	if !bytes.Contains(second.Body, []byte(`"call_id":"call_1"`)) {
		t.Errorf("the computer call did not go back")
	}
}

func TestSafetyChecks(t *testing.T) {
	call := fakeopenai.ComputerCall("call_1", map[string]any{"type": "click", "button": "left", "x": 1, "y": 1})
	call["pending_safety_checks"] = []any{map[string]any{"id": "sc_1", "code": "malicious_instructions", "message": "the page says to do things"}}
	for _, ack := range []bool{false, true} {
		var second *fakeopenai.Request
		fake := fakeopenai.New(
			func(*fakeopenai.Request) fakeopenai.Reply { return fakeopenai.Reply{Output: []map[string]any{call}} },
			func(r *fakeopenai.Request) fakeopenai.Reply { second = r; return fakeopenai.Reply{} },
		)
		asked := 0
		p := newProvider(t, fake, Options{AcknowledgeSafetyChecks: func(code, message string) bool {
			asked++
			return ack && code == "malicious_instructions"
		}})
		msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
		msg, err := p.Step(context.Background(), request(msgs))
		if err != nil {
			t.Fatal(err)
		}
		var use *agent.ToolUse
		for _, b := range msg.Content {
			if b.Type == agent.BlockToolUse {
				use = b.ToolUse
			}
		}
		if ack != (use.Action != nil) || ack == (use.Err != nil) || asked != 1 {
			t.Errorf("ack %v: use %+v, asked %d", ack, use, asked)
		}
		res := result(use.ID, !ack, agent.TextBlock("x"))
		if ack {
			res = result(use.ID, false, agent.ImageBlock(&agent.Image{MediaType: "image/png", Data: pngOf(t, 4, 4, color.White)}))
		}
		msgs = append(msgs, msg, agent.Message{Role: agent.RoleUser, Content: []agent.Block{res}})
		if _, err := p.Step(context.Background(), request(msgs)); err != nil {
			t.Fatalf("second Step: %v (refused %v)", err, fake.Refused())
		}
		var acks int
		for _, it := range second.Input {
			acks += len(it.Acknowledged)
		}
		if (acks == 1) != ack {
			t.Errorf("ack %v: %d checks acknowledged", ack, acks)
		}
		fake.Close()
	}
}

func TestPreviewTool(t *testing.T) {
	var got *fakeopenai.Request
	fake := fakeopenai.New(func(r *fakeopenai.Request) fakeopenai.Reply {
		got = r
		return fakeopenai.Reply{Output: []map[string]any{fakeopenai.PreviewCall("call_1", map[string]any{"type": "screenshot"})}}
	})
	defer fake.Close()
	p := newProvider(t, fake, Options{Tool: ComputerUsePreview})
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	msg, err := p.Step(context.Background(), request(msgs))
	if err != nil {
		t.Fatalf("Step: %v (refused %v)", err, fake.Refused())
	}
	if tool := got.Tools[0]; tool.Type != "computer_use_preview" || tool.DisplayWidth != 640 || tool.DisplayHeight != 360 || tool.Environment != "browser" || got.Truncation != "auto" || got.Model != "computer-use-preview" {
		t.Errorf("tool %+v truncation %q model %q", tool, got.Truncation, got.Model)
	}
	for _, b := range msg.Content {
		if b.Type == agent.BlockToolUse && (b.ToolUse.Action == nil || b.ToolUse.Action.Kind != computer.Screenshot) {
			t.Errorf("use %+v", b.ToolUse)
		}
	}
}

func TestEnvironment(t *testing.T) {
	var auth string
	fake := fakeopenai.New(func(r *fakeopenai.Request) fakeopenai.Reply {
		auth = r.Header.Get("Authorization")
		return fakeopenai.Reply{Output: []map[string]any{fakeopenai.Message("hi")}}
	})
	defer fake.Close()
	t.Setenv("OPENAI_API_KEY", "env-key")
	t.Setenv("OPENAI_BASE_URL", fake.BaseURL)
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []agent.Message{{Role: agent.RoleUser, Content: []agent.Block{agent.TextBlock("go")}}}
	if _, err := p.Step(context.Background(), request(msgs)); err != nil || auth != "Bearer env-key" {
		t.Errorf("Step = %v, authorization %q", err, auth)
	}
	if _, err := New(Options{Tool: "computer_use"}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("bad tool: %v", err)
	}
	if img, err := png.Decode(bytes.NewReader(placeholderPNG)); err != nil || img.Bounds().Dx() != 1 {
		t.Errorf("placeholder PNG: %v", err)
	}
}

package anthropic

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
)

// accumulator builds the answer from its stream events with the SDK's
// Accumulate, and keeps each tool call's input as it was streamed: the
// SDK replaces input that is not valid JSON by {}, and the model must be
// told what was wrong.
type accumulator struct {
	msg     sdk.BetaMessage
	partial map[int64]*strings.Builder // input_json_delta text by block index
	stopped bool                       // message_stop arrived
}

func (a *accumulator) add(ev sdk.BetaRawMessageStreamEventUnion) error {
	switch ev.Type {
	case "content_block_delta":
		if ev.Delta.Type == "input_json_delta" {
			if a.partial == nil {
				a.partial = map[int64]*strings.Builder{}
			}
			b := a.partial[ev.Index]
			if b == nil {
				b = &strings.Builder{}
				a.partial[ev.Index] = b
			}
			b.WriteString(ev.Delta.PartialJSON)
		}
	case "message_stop":
		a.stopped = true
	}
	return a.msg.Accumulate(ev)
}

// streamedInput returns block i's input as streamed and whether it is
// valid JSON; with no delta, the input the block started with.
func (a *accumulator) streamedInput(i int, start json.RawMessage) (json.RawMessage, bool) {
	b := a.partial[int64(i)]
	if b == nil || b.Len() == 0 {
		return start, len(start) == 0 || json.Valid(start)
	}
	raw := json.RawMessage(b.String())
	return raw, json.Valid(raw)
}

// message converts the accumulated answer, mapping computer calls.
func (p *Provider) message(a *accumulator) agent.Message {
	out := agent.Message{Role: agent.RoleAssistant, StopReason: string(a.msg.StopReason)}
	for i, b := range a.msg.Content {
		switch b.Type {
		case "text":
			out.Content = append(out.Content, agent.TextBlock(b.Text))
		case "tool_use":
			input, ok := a.streamedInput(i, b.Input)
			use := &agent.ToolUse{ID: b.ID, Name: b.Name, Toolset: b.ToolsetName, Input: input}
			if !ok {
				use.Input = json.RawMessage(`{}`)
				use.Err = &agent.InputError{Tool: b.Name, Reason: "the input is not valid JSON: " + shorten(string(input)), Err: agent.ErrInvalidInput}
			} else {
				p.mapComputer(use)
			}
			out.Content = append(out.Content, agent.Block{Type: agent.BlockToolUse, ToolUse: use})
		default: // thinking, server tools...: sent back as they came
			out.Content = append(out.Content, agent.Block{Type: agent.BlockOpaque, Opaque: b.ToParam()})
		}
	}
	return out
}

// mapComputer sets use.Action (or use.Err) for a call of the computer
// tool of the provider's version; function tools are left as they are.
func (p *Provider) mapComputer(use *agent.ToolUse) {
	var (
		act computer.Action
		err error
	)
	switch {
	case p.opts.Tool == Computer20251124 && use.Toolset == "" && use.Name == computerToolName:
		act, err = mapCall(use.Input)
	case p.opts.Tool == ComputerToolset20260801 && use.Toolset == toolsetName:
		act, err = mapMember(use.Name, use.Input)
	default:
		return
	}
	if err != nil {
		use.Err = err
		return
	}
	use.Action = &act
}

// shorten cuts a model's text for an error message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

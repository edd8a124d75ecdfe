package openai

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3/responses"

	"github.com/lkbrowser/lkbrowser/agent"
)

// item is an output item as the API sent it. The provider sends every
// item of an answer back as it came (reasoning, messages, calls), so an
// assistant message holds one opaque item block per item and, after it,
// the text and tool-call blocks the loop reads.
type item struct {
	raw   json.RawMessage
	acked bool // a computer_call whose safety checks were acknowledged
}

// callSep joins a computer call's call_id and the index of one of its
// actions into the ID of that action's ToolUse.
const callSep = "#"

// computerToolset marks the ToolUses that are actions of a computer_call.
const computerToolset = "openai.computer_call"

// outputItem is the part of an output item the provider reads.
type outputItem struct {
	Type      string            `json:"type"`
	ID        string            `json:"id"`
	CallID    string            `json:"call_id"`
	Name      string            `json:"name"`
	Arguments string            `json:"arguments"`
	Action    json.RawMessage   `json:"action"`
	Actions   []json.RawMessage `json:"actions"`
	Pending   []safetyCheck     `json:"pending_safety_checks"`
	Content   []struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Refusal string `json:"refusal"`
	} `json:"content"`
}

type safetyCheck struct {
	ID      string `json:"id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// message converts a response.
func (p *Provider) message(resp *responses.Response) (agent.Message, error) {
	out := agent.Message{Role: agent.RoleAssistant, StopReason: string(resp.Status)}
	calls := 0
	for _, o := range resp.Output {
		raw := o.RawJSON()
		var it outputItem
		if err := json.Unmarshal([]byte(raw), &it); err != nil {
			return out, fmt.Errorf("openai: output item: %w", err)
		}
		opaque := agent.Block{Type: agent.BlockOpaque, Opaque: item{raw: json.RawMessage(raw)}}
		out.Content = append(out.Content, opaque)
		switch it.Type {
		case "message":
			for _, c := range it.Content {
				switch {
				case c.Type == "output_text" && c.Text != "":
					out.Content = append(out.Content, agent.TextBlock(c.Text))
				case c.Type == "refusal" && c.Refusal != "":
					out.Content = append(out.Content, agent.TextBlock(c.Refusal))
				}
			}
		case "function_call":
			calls++
			use := &agent.ToolUse{ID: it.CallID, Name: it.Name, Input: json.RawMessage(it.Arguments)}
			if it.Arguments == "" {
				use.Input = json.RawMessage(`{}`)
			} else if !json.Valid(use.Input) {
				use.Input = json.RawMessage(`{}`)
				use.Err = &agent.InputError{Tool: it.Name, Reason: "the arguments are not valid JSON: " + shorten(it.Arguments), Err: agent.ErrInvalidInput}
			}
			out.Content = append(out.Content, agent.Block{Type: agent.BlockToolUse, ToolUse: use})
		case "computer_call":
			calls++
			uses, acked := p.computerUses(it)
			if acked {
				out.Content[len(out.Content)-1].Opaque = item{raw: json.RawMessage(raw), acked: true}
			}
			for _, use := range uses {
				out.Content = append(out.Content, agent.Block{Type: agent.BlockToolUse, ToolUse: use})
			}
		}
	}
	if calls > 0 {
		out.StopReason = "tool_use"
	}
	return out, nil
}

// computerUses splits a computer_call into one ToolUse per action; acked
// reports safety checks that were acknowledged.
func (p *Provider) computerUses(it outputItem) (uses []*agent.ToolUse, acked bool) {
	actions := it.Actions
	if len(actions) == 0 && len(it.Action) > 0 && string(it.Action) != "null" {
		actions = []json.RawMessage{it.Action}
	}
	var refused error
	for _, c := range it.Pending {
		if p.opts.AcknowledgeSafetyChecks == nil || !p.opts.AcknowledgeSafetyChecks(c.Code, c.Message) {
			refused = &agent.InputError{Tool: "computer", Reason: fmt.Sprintf("safety check %s not acknowledged: %s", c.Code, c.Message), Err: agent.ErrNotExecuted}
			break
		}
	}
	if len(actions) == 0 {
		actions = []json.RawMessage{json.RawMessage(`{}`)}
	}
	uses = make([]*agent.ToolUse, len(actions))
	for i, raw := range actions {
		use := &agent.ToolUse{ID: fmt.Sprintf("%s%s%d", it.CallID, callSep, i), Name: "computer", Toolset: computerToolset, Input: raw}
		if act, err := mapAction(raw); refused != nil {
			use.Err = refused
		} else if err != nil {
			use.Err = err
		} else {
			use.Action = &act
		}
		uses[i] = use
	}
	return uses, refused == nil && len(it.Pending) > 0
}

// callOf splits a computer action's ToolUse ID into its call_id.
func callOf(id string) (string, bool) {
	i := strings.LastIndex(id, callSep)
	if i < 0 {
		return "", false
	}
	return id[:i], true
}

// shorten cuts a model's text for an error message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
}

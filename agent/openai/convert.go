package openai

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"

	"github.com/lkbrowser/lkbrowser/agent"
)

// placeholderPNG is a 1x1 white PNG: the screenshot of a computer call's
// output whose actions failed or whose screenshot was pruned (the API
// needs one; the model is told to take a new one).
var placeholderPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
	0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xff, 0xff, 0x3f,
	0x00, 0x05, 0xfe, 0x02, 0xfe, 0xdc, 0xcc, 0x59, 0xe7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
	0x44, 0xae, 0x42, 0x60, 0x82,
}

// params converts a vendor-neutral request into the SDK's.
func (p *Provider) params(req agent.Request) (responses.ResponseNewParams, error) {
	out := responses.ResponseNewParams{
		Model:           p.opts.Model,
		MaxOutputTokens: param.NewOpt(int64(p.opts.MaxOutputTokens)),
		Store:           param.NewOpt(false),
		Include:         []responses.ResponseIncludable{responses.ResponseIncludableReasoningEncryptedContent},
	}
	if req.System != "" {
		out.Instructions = param.NewOpt(req.System)
	}
	tools, err := p.tools(req)
	if err != nil {
		return out, err
	}
	out.Tools = tools
	if p.opts.Tool == ComputerUsePreview {
		out.Truncation = responses.ResponseNewParamsTruncationAuto
	}
	var items []map[string]any
	pending := map[string][]safetyCheck{} // call_id → its checks, to acknowledge
	for i, m := range req.Messages {
		var err error
		switch m.Role {
		case agent.RoleAssistant:
			items, err = assistantItems(items, m, pending)
		case agent.RoleUser:
			items, err = userItems(items, m, pending)
		default:
			err = fmt.Errorf("role %q", m.Role)
		}
		if err != nil {
			return out, fmt.Errorf("%w: message %d: %v", ErrInvalidRequest, i, err)
		}
	}
	for _, it := range items {
		raw, err := json.Marshal(it)
		if err != nil {
			return out, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
		}
		out.Input.OfInputItemList = append(out.Input.OfInputItemList, param.Override[responses.ResponseInputItemUnionParam](json.RawMessage(raw)))
	}
	if len(out.Input.OfInputItemList) == 0 {
		return out, fmt.Errorf("%w: no input", ErrInvalidRequest)
	}
	return out, nil
}

// assistantItems sends an answer back: its items as they came or, for a
// message this provider did not make, its text and function calls.
func assistantItems(items []map[string]any, m agent.Message, pending map[string][]safetyCheck) ([]map[string]any, error) {
	own := false
	for _, b := range m.Content {
		op, ok := b.Opaque.(item)
		if b.Type != agent.BlockOpaque || !ok {
			continue
		}
		own = true
		var it map[string]any
		if err := json.Unmarshal(op.raw, &it); err != nil {
			return items, err
		}
		if it["type"] == "computer_call" && op.acked {
			var oi outputItem
			json.Unmarshal(op.raw, &oi)
			pending[oi.CallID] = oi.Pending
		}
		items = append(items, it)
	}
	if own {
		return items, nil
	}
	for _, b := range m.Content {
		switch {
		case b.Type == agent.BlockText && b.Text != "":
			items = append(items, map[string]any{"type": "message", "role": "assistant", "content": b.Text})
		case b.Type == agent.BlockToolUse && b.ToolUse != nil && b.ToolUse.Toolset == "":
			args := string(b.ToolUse.Input)
			if args == "" {
				args = "{}"
			}
			items = append(items, map[string]any{"type": "function_call", "call_id": b.ToolUse.ID, "name": b.ToolUse.Name, "arguments": args})
		}
	}
	return items, nil
}

// userItems sends the user's text and images as a message, each function
// result as a function_call_output, and the results of a computer call's
// actions as one computer_call_output: the last screenshot, and the
// errors as text in a message after it.
func userItems(items []map[string]any, m agent.Message, pending map[string][]safetyCheck) ([]map[string]any, error) {
	var (
		content []map[string]any // the user message's parts
		notes   []string         // what the computer outputs cannot say
		order   []string         // computer call_ids in order
		shots   = map[string][]byte{}
		mtypes  = map[string]string{}
		omitted = map[string]bool{} // the agent pruned the call's screenshot
	)
	for _, b := range m.Content {
		switch b.Type {
		case agent.BlockText:
			if b.Text != "" {
				content = append(content, map[string]any{"type": "input_text", "text": b.Text})
			}
		case agent.BlockImage:
			if b.Image != nil {
				content = append(content, map[string]any{"type": "input_image", "image_url": dataURL(b.Image.MediaType, b.Image.Data)})
			}
		case agent.BlockToolResult:
			r := b.ToolResult
			if r == nil {
				return items, fmt.Errorf("tool_result block without a result")
			}
			call, isComputer := callOf(r.ToolUseID)
			if !isComputer {
				items = append(items, functionOutput(r))
				continue
			}
			if _, seen := shots[call]; !seen {
				order = append(order, call)
				shots[call] = nil
			}
			for _, c := range r.Content {
				switch {
				case c.Type == agent.BlockImage && c.Image != nil:
					shots[call], mtypes[call] = c.Image.Data, c.Image.MediaType
				case c.Type == agent.BlockText && !r.IsError && strings.HasPrefix(c.Text, "[") && strings.HasSuffix(c.Text, "omitted]"):
					omitted[call] = true
				case c.Type == agent.BlockText && c.Text != "":
					if r.IsError {
						notes = append(notes, fmt.Sprintf("computer call %s: an action failed: %s", call, c.Text))
					} else {
						notes = append(notes, fmt.Sprintf("computer call %s: %s", call, c.Text))
					}
				}
			}
		}
	}
	for _, call := range order {
		data, mt := shots[call], mtypes[call]
		if data == nil {
			data, mt = placeholderPNG, "image/png"
			if !omitted[call] {
				notes = append(notes, fmt.Sprintf("computer call %s returned no screenshot (a blank one stands in): take a screenshot to see the page", call))
			}
		}
		out := map[string]any{
			"type":    "computer_call_output",
			"call_id": call,
			"output":  map[string]any{"type": "computer_screenshot", "image_url": dataURL(mt, data)},
		}
		if checks := pending[call]; len(checks) > 0 {
			acks := make([]map[string]any, len(checks))
			for i, c := range checks {
				acks[i] = map[string]any{"id": c.ID, "code": c.Code, "message": c.Message}
			}
			out["acknowledged_safety_checks"] = acks
		}
		items = append(items, out)
	}
	for _, n := range notes {
		content = append(content, map[string]any{"type": "input_text", "text": n})
	}
	if len(content) > 0 {
		items = append(items, map[string]any{"type": "message", "role": "user", "content": content})
	}
	return items, nil
}

// functionOutput is a function tool's result: its text and images.
func functionOutput(r *agent.ToolResult) map[string]any {
	var parts []map[string]any
	for _, c := range r.Content {
		switch {
		case c.Type == agent.BlockText && c.Text != "":
			text := c.Text
			if r.IsError {
				text = "error: " + text
			}
			parts = append(parts, map[string]any{"type": "input_text", "text": text})
		case c.Type == agent.BlockImage && c.Image != nil:
			parts = append(parts, map[string]any{"type": "input_image", "image_url": dataURL(c.Image.MediaType, c.Image.Data)})
		}
	}
	if len(parts) == 0 {
		parts = append(parts, map[string]any{"type": "input_text", "text": "done"})
	}
	return map[string]any{"type": "function_call_output", "call_id": r.ToolUseID, "output": parts}
}

func dataURL(mediaType string, data []byte) string {
	if mediaType == "" {
		mediaType = "image/png"
	}
	return "data:" + mediaType + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// tools declares the computer tool of the provider's version and the
// function tools.
func (p *Provider) tools(req agent.Request) ([]responses.ToolUnionParam, error) {
	var tools []map[string]any
	switch p.opts.Tool {
	case Computer:
		tools = append(tools, map[string]any{"type": "computer"})
	case ComputerUsePreview:
		if req.DisplayWidth <= 0 || req.DisplayHeight <= 0 {
			return nil, fmt.Errorf("%w: display %dx%d", ErrInvalidRequest, req.DisplayWidth, req.DisplayHeight)
		}
		tools = append(tools, map[string]any{"type": "computer_use_preview", "display_width": req.DisplayWidth,
			"display_height": req.DisplayHeight, "environment": "browser"})
	}
	for _, t := range req.Tools {
		schema := json.RawMessage(`{"type":"object","properties":{}}`)
		if len(t.InputSchema) > 0 {
			if !json.Valid(t.InputSchema) {
				return nil, fmt.Errorf("%w: tool %q: input schema is not JSON", ErrInvalidRequest, t.Name)
			}
			schema = t.InputSchema
		}
		tools = append(tools, map[string]any{"type": "function", "name": t.Name, "description": t.Description,
			"parameters": schema, "strict": false})
	}
	out := make([]responses.ToolUnionParam, len(tools))
	for i, t := range tools {
		raw, err := json.Marshal(t)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
		}
		out[i] = param.Override[responses.ToolUnionParam](json.RawMessage(raw))
	}
	return out, nil
}

package fakeanthropic

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// members are the computer toolset's member tools.
var members = []string{
	"screenshot", "zoom", "cursor_position", "left_click", "right_click", "middle_click",
	"double_click", "triple_click", "mouse_move", "left_click_drag", "left_mouse_down",
	"left_mouse_up", "scroll", "type", "key", "hold_key", "wait",
}

// check refuses what the real API refuses in a computer-use conversation.
func check(r *Request) error {
	if r.Header.Get("Anthropic-Version") == "" {
		return errors.New("anthropic-version: header required")
	}
	if r.Model == "" {
		return errors.New("model: field required")
	}
	if r.MaxTokens <= 0 {
		return errors.New("max_tokens: must be at least 1")
	}
	names, toolset, err := checkTools(r)
	if err != nil {
		return err
	}
	if len(r.Messages) == 0 {
		return errors.New("messages: at least one message is required")
	}
	for i, m := range r.Messages {
		if err := checkMessage(r.Messages, i, names, toolset); err != nil {
			return fmt.Errorf("messages.%d: %w", i, err)
		}
		if i == 0 && m.Role != "user" {
			return errors.New("messages: the first message must use the user role")
		}
	}
	if last := r.Messages[len(r.Messages)-1]; last.Role != "user" {
		return errors.New("messages: the last message must be the user's")
	}
	return nil
}

// checkTools checks the declared tools; it returns their names and whether
// the computer toolset is declared.
func checkTools(r *Request) (names []string, toolset bool, err error) {
	betas := strings.Join(r.Header.Values("Anthropic-Beta"), ",")
	for i, t := range r.Tools {
		switch t.Type {
		case "", "custom":
			if t.Name == "" || len(t.InputSchema) == 0 {
				return nil, false, fmt.Errorf("tools.%d: name and input_schema required", i)
			}
		case "computer_20251124":
			if !strings.Contains(betas, "computer-use-2025-11-24") {
				return nil, false, fmt.Errorf("tools.%d: computer_20251124 needs the anthropic-beta header computer-use-2025-11-24 (got %q)", i, betas)
			}
			if t.Name != "computer" || t.DisplayWidthPx <= 0 || t.DisplayHeightPx <= 0 {
				return nil, false, fmt.Errorf("tools.%d: computer_20251124 needs name computer and display_width_px, display_height_px", i)
			}
		case "computer_toolset_20260801":
			if t.Name != "" {
				return nil, false, fmt.Errorf("tools.%d: a toolset entry carries no name", i)
			}
			toolset = true
			continue
		default:
			return nil, false, fmt.Errorf("tools.%d: unknown tool type %q", i, t.Type)
		}
		if slices.Contains(names, t.Name) {
			return nil, false, fmt.Errorf("tools: tool names must be unique: %q", t.Name)
		}
		names = append(names, t.Name)
	}
	return names, toolset, nil
}

// checkMessage checks message i: roles alternate, blocks fit the role,
// every tool_use of an assistant message is answered by tool_result blocks
// at the start of the next message, images are valid base64 of a known
// type.
func checkMessage(msgs []Message, i int, names []string, toolset bool) error {
	m := msgs[i]
	if m.Role != "user" && m.Role != "assistant" {
		return fmt.Errorf("role: %q", m.Role)
	}
	if i > 0 && msgs[i-1].Role == m.Role {
		return errors.New("roles must alternate between user and assistant")
	}
	if len(m.Content) == 0 {
		return errors.New("content: at least one block is required")
	}
	var uses []string
	for j, b := range m.Content {
		if err := checkBlock(m.Role, b, names, toolset); err != nil {
			return fmt.Errorf("content.%d: %w", j, err)
		}
		if b.Type == "tool_use" {
			uses = append(uses, b.ID)
		}
	}
	if m.Role == "user" {
		// Results answer the calls of the message before, first.
		var want []string
		if i > 0 {
			for _, b := range msgs[i-1].Content {
				if b.Type == "tool_use" {
					want = append(want, b.ID)
				}
			}
		}
		var got []string
		for j, b := range m.Content {
			if b.Type != "tool_result" {
				continue
			}
			if j != len(got) {
				return errors.New("tool_result blocks must come before any other content")
			}
			got = append(got, b.ToolUseID)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			return fmt.Errorf("tool_result ids %v do not answer the tool_use ids %v of the previous message", got, want)
		}
	}
	if len(uses) > 0 && i+1 < len(msgs) && msgs[i+1].Role != "user" {
		return errors.New("tool_use must be followed by the user's tool_result")
	}
	return nil
}

func checkBlock(role string, b Block, names []string, toolset bool) error {
	switch b.Type {
	case "text":
		if b.Text == "" {
			return errors.New("text content blocks must be non-empty")
		}
	case "image":
		if role != "user" {
			return errors.New("images are only allowed in user messages")
		}
		return checkImage(b)
	case "tool_use":
		if role != "assistant" {
			return errors.New("tool_use is only allowed in assistant messages")
		}
		if b.ID == "" || len(b.Input) == 0 || b.Input[0] != '{' {
			return errors.New("tool_use needs an id and an input object")
		}
		if b.ToolsetName != "" {
			if !toolset || b.ToolsetName != "computer" || !slices.Contains(members, b.Name) {
				return fmt.Errorf("tool_use %q of toolset %q was not declared", b.Name, b.ToolsetName)
			}
		} else if len(names) == 0 && !toolset {
			return errors.New("requests which include tool_use or tool_result blocks must define tools")
		}
	case "tool_result":
		if role != "user" {
			return errors.New("tool_result is only allowed in user messages")
		}
		for k, c := range b.Content {
			switch c.Type {
			case "text":
				if c.Text == "" {
					return fmt.Errorf("tool_result content.%d: text must be non-empty", k)
				}
			case "image":
				if err := checkImage(c); err != nil {
					return fmt.Errorf("tool_result content.%d: %w", k, err)
				}
			default:
				return fmt.Errorf("tool_result content.%d: type %q", k, c.Type)
			}
		}
	default:
		return fmt.Errorf("unexpected block type %q", b.Type)
	}
	return nil
}

func checkImage(b Block) error {
	if b.Source == nil || b.Source.Type != "base64" {
		return errors.New("image: source must be base64")
	}
	switch b.Source.MediaType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
	default:
		return fmt.Errorf("image: media_type %q", b.Source.MediaType)
	}
	if _, err := base64.StdEncoding.DecodeString(b.Source.Data); err != nil || b.Source.Data == "" {
		return fmt.Errorf("image: data is not base64: %v", err)
	}
	return nil
}

package fakeanthropic

import "encoding/json"

// Turn is one answer of the scripted model: it gets the request (to check
// what the model was sent) and returns the reply.
type Turn func(req *Request) Reply

// Reply is the model's answer to one request.
type Reply struct {
	// Content holds text and tool_use blocks.
	Content []Block
	// StopReason defaults to "tool_use" when Content has a tool_use, else
	// "end_turn".
	StopReason string
	// Status, when not 0, answers with this HTTP status and an error body
	// of type ErrorType ("overloaded_error", ...) instead.
	Status    int
	ErrorType string
}

// Text is a text block.
func Text(s string) Block { return Block{Type: "text", Text: s} }

// ToolUse is a tool_use block of a function tool (or of the
// computer_20251124 tool, whose name is "computer").
func ToolUse(id, name string, input any) Block {
	raw, err := json.Marshal(input)
	if err != nil {
		panic(err) // a test's own literal
	}
	return Block{Type: "tool_use", ID: id, Name: name, Input: raw}
}

// Computer is a computer_20251124 call: action with its fields.
func Computer(id, action string, fields map[string]any) Block {
	in := map[string]any{"action": action}
	for k, v := range fields {
		in[k] = v
	}
	return ToolUse(id, "computer", in)
}

// Member is a computer_toolset_20260801 call: the member named action.
func Member(id, action string, fields map[string]any) Block {
	if fields == nil {
		fields = map[string]any{}
	}
	b := ToolUse(id, action, fields)
	b.ToolsetName = "computer"
	return b
}

// BadJSON is a tool_use block whose streamed input is raw, not valid JSON.
func BadJSON(id, name, raw string) Block {
	return Block{Type: "tool_use", ID: id, Name: name, RawInput: raw}
}

// Say is a turn that answers text and ends the turn.
func Say(text string) Turn {
	return func(*Request) Reply { return Reply{Content: []Block{Text(text)}} }
}

// Call is a turn that answers these blocks.
func Call(blocks ...Block) Turn { return func(*Request) Reply { return Reply{Content: blocks} } }

package agent

import (
	"encoding/json"

	"github.com/lkbrowser/lkbrowser/computer"
)

// Request is one model call: the whole conversation so far and the tools
// the model may call. A Provider reads it during Step and must not modify
// it or keep it afterwards (the agent prunes old screenshots in place).
type Request struct {
	// System is the system prompt (Options.Instructions).
	System string
	// Messages is the conversation, oldest first; it starts with a user
	// message and alternates roles.
	Messages []Message
	// Tools are the function tools offered besides the computer tool
	// (navigate, go_back, go_forward).
	Tools []Tool
	// DisplayWidth and DisplayHeight are the computer's declared display:
	// the size of every screenshot and the space of every coordinate. The
	// provider declares its computer tool with them.
	DisplayWidth, DisplayHeight int
}

// Tool is a function tool: a name, what it does and a JSON Schema of its
// input object.
type Tool struct {
	Name        string
	Description string
	InputSchema json.RawMessage // a JSON Schema object: {"type":"object","properties":...}
}

// Role says who wrote a Message.
type Role string

// Roles.
const (
	RoleUser      Role = "user"      // the user's text and the tool results
	RoleAssistant Role = "assistant" // the model's text and tool calls
)

// Message is one turn of the conversation.
type Message struct {
	Role    Role
	Content []Block
	// StopReason is why the model stopped, for its messages, in the
	// vendor's words ("end_turn", "tool_use", "max_tokens", ...).
	StopReason string
}

// BlockType names the kind of a Block.
type BlockType string

// Block types.
const (
	BlockText       BlockType = "text"        // Text
	BlockImage      BlockType = "image"       // Image
	BlockToolUse    BlockType = "tool_use"    // ToolUse: a tool call of the model
	BlockToolResult BlockType = "tool_result" // ToolResult: the answer to a tool call
	BlockOpaque     BlockType = "opaque"      // Opaque: a provider's block the loop does not read
)

// Block is one piece of a message; Type says which field is set.
type Block struct {
	Type       BlockType
	Text       string      // BlockText
	Image      *Image      // BlockImage
	ToolUse    *ToolUse    // BlockToolUse
	ToolResult *ToolResult // BlockToolResult
	// Opaque is a block of the provider's own (thinking, a server tool's
	// call) that the provider needs back as it was; the loop keeps it in
	// the conversation untouched.
	Opaque any
}

// Image is an encoded picture.
type Image struct {
	MediaType     string // "image/png" or "image/jpeg"
	Data          []byte // the encoded image (not base64)
	Width, Height int    // its size in pixels, when known
}

// ToolUse is a tool call of the model.
type ToolUse struct {
	// ID identifies the call; its ToolResult carries it back.
	ID string
	// Name is the tool's name (for a toolset member, the member's name).
	Name string
	// Toolset is the family a toolset member belongs to ("computer" for
	// Anthropic's computer toolset), empty for a plain tool.
	Toolset string
	// Input is the call's input object as the model sent it ({} when what
	// it sent was not valid JSON; Err then says so).
	Input json.RawMessage
	// Action is the computer action the call asks for, set by the provider
	// for calls of its computer tool; nil for function tools.
	Action *computer.Action
	// Err is why the provider could not read the call (an *InputError:
	// invalid JSON, a missing field, an unknown action). The loop answers
	// it as an error result without acting.
	Err error
}

// ToolResult answers one ToolUse.
type ToolResult struct {
	ToolUseID string
	// Content holds text and image blocks.
	Content []Block
	// IsError marks a call that failed or was refused.
	IsError bool
}

// TextBlock returns a text block.
func TextBlock(text string) Block { return Block{Type: BlockText, Text: text} }

// ImageBlock returns an image block.
func ImageBlock(img *Image) Block { return Block{Type: BlockImage, Image: img} }

package fakeanthropic

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // screenshots may be JPEG
	_ "image/png"
	"net/http"
	"strings"
)

// Request is one request the server got, decoded.
type Request struct {
	// Context is the HTTP request's: done when the client goes away.
	Context context.Context `json:"-"`
	// Header and Body are the request as sent.
	Header http.Header `json:"-"`
	Body   []byte      `json:"-"`

	Model     string    `json:"model"`
	MaxTokens int       `json:"max_tokens"`
	Stream    bool      `json:"stream"`
	System    Blocks    `json:"system"`
	Tools     []Tool    `json:"tools"`
	Messages  []Message `json:"messages"`
}

// Tool is a declared tool.
type Tool struct {
	Type            string          `json:"type"` // "" or "custom" for a function tool
	Name            string          `json:"name"`
	Description     string          `json:"description"`
	InputSchema     json.RawMessage `json:"input_schema"`
	DisplayWidthPx  int             `json:"display_width_px"`
	DisplayHeightPx int             `json:"display_height_px"`
	EnableZoom      bool            `json:"enable_zoom"`
	Configs         json.RawMessage `json:"configs"`
}

// Message is one message of a request.
type Message struct {
	Role    string `json:"role"`
	Content Blocks `json:"content"`
}

// Block is a content block, of a request or of a reply.
type Block struct {
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`
	ID          string          `json:"id,omitempty"`
	Name        string          `json:"name,omitempty"`
	ToolsetName string          `json:"toolset_name,omitempty"`
	Input       json.RawMessage `json:"input,omitempty"`
	ToolUseID   string          `json:"tool_use_id,omitempty"`
	IsError     bool            `json:"is_error,omitempty"`
	Content     Blocks          `json:"content,omitempty"` // a tool_result's
	Source      *Source         `json:"source,omitempty"`  // an image's

	// RawInput, in a reply's tool_use, is streamed as the input's JSON as
	// it is, valid or not (a model cut off mid-call).
	RawInput string `json:"-"`
}

// Source is an image's source.
type Source struct {
	Type      string `json:"type"` // "base64"
	MediaType string `json:"media_type"`
	Data      string `json:"data"`
}

// Blocks is a message's content: the wire's string shorthand decodes into
// one text block.
type Blocks []Block

// UnmarshalJSON accepts a string or an array of blocks.
func (b *Blocks) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*b = Blocks{{Type: "text", Text: s}}
		return nil
	}
	var bs []Block
	if err := json.Unmarshal(data, &bs); err != nil {
		return err
	}
	*b = bs
	return nil
}

// Text joins the texts of the blocks.
func (b Blocks) Text() string {
	var s []string
	for _, x := range b {
		if x.Type == "text" {
			s = append(s, x.Text)
		}
	}
	return strings.Join(s, "\n")
}

// Images returns the image blocks, also those inside tool results.
func (b Blocks) Images() []Block {
	var out []Block
	for _, x := range b {
		if x.Type == "image" {
			out = append(out, x)
		}
		out = append(out, x.Content.Images()...)
	}
	return out
}

// Decode decodes an image block's picture; format is "png" or "jpeg".
func (b Block) Decode() (img image.Image, format string, err error) {
	if b.Type != "image" || b.Source == nil {
		return nil, "", fmt.Errorf("fakeanthropic: a %s block is not an image", b.Type)
	}
	data, err := base64.StdEncoding.DecodeString(b.Source.Data)
	if err != nil {
		return nil, "", fmt.Errorf("fakeanthropic: image data: %w", err)
	}
	return image.Decode(bytes.NewReader(data))
}

// APIKey is the request's key: its x-api-key header, or the token of its
// Authorization: Bearer header (which the v2 SDK sends).
func (r *Request) APIKey() string {
	if k := r.Header.Get("X-Api-Key"); k != "" {
		return k
	}
	k, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return k
}

// Results returns the tool_result blocks of the request's last message.
func (r *Request) Results() []Block {
	if len(r.Messages) == 0 {
		return nil
	}
	var out []Block
	for _, b := range r.Messages[len(r.Messages)-1].Content {
		if b.Type == "tool_result" {
			out = append(out, b)
		}
	}
	return out
}

// Images returns every image of the conversation, oldest first.
func (r *Request) Images() []Block {
	var out []Block
	for _, m := range r.Messages {
		out = append(out, m.Content.Images()...)
	}
	return out
}

// Tool returns the declared tool of that type (for the computer tool,
// "computer_20251124" or "computer_toolset_20260801") or name.
func (r *Request) Tool(typeOrName string) (Tool, bool) {
	for _, t := range r.Tools {
		if t.Type == typeOrName || t.Name == typeOrName {
			return t, true
		}
	}
	return Tool{}, false
}

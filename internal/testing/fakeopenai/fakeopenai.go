// Package fakeopenai is a local stand-in for OpenAI's Responses API for
// tests: an HTTP server on 127.0.0.1 that takes POST /v1/responses in the
// real wire format (non-streamed), checks each request the way the API
// does where it matters to a computer-use loop, records it, and answers
// from a script of turns.
//
// It is not part of the product.
package fakeopenai

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // screenshots may be JPEG
	_ "image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
)

// Server is a scripted Responses API. Its methods are safe for concurrent
// use.
type Server struct {
	// BaseURL is the API's base URL (ending in /v1/), for
	// option.WithBaseURL or OPENAI_BASE_URL.
	BaseURL string

	srv     *httptest.Server
	mu      sync.Mutex
	script  []Turn
	next    int
	reqs    []*Request
	refused []error
}

// Turn is one answer of the scripted model.
type Turn func(r *Request) Reply

// Reply is the model's answer: output items (see Message, ComputerCall,
// FunctionCall, Reasoning), or an HTTP error Status.
type Reply struct {
	Output []map[string]any
	Status int
}

// Request is one request the server got, decoded.
type Request struct {
	Context context.Context `json:"-"`
	Header  http.Header     `json:"-"`
	Body    []byte          `json:"-"`

	Model        string   `json:"model"`
	Instructions string   `json:"instructions"`
	Store        *bool    `json:"store"`
	Include      []string `json:"include"`
	Truncation   string   `json:"truncation"`
	Tools        []Tool   `json:"tools"`
	Input        []Item   `json:"input"`
}

// Tool is a declared tool.
type Tool struct {
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Parameters    json.RawMessage `json:"parameters"`
	DisplayWidth  int             `json:"display_width"`
	DisplayHeight int             `json:"display_height"`
	Environment   string          `json:"environment"`
}

// Item is an input item.
type Item struct {
	Type             string            `json:"type"`
	ID               string            `json:"id"`
	Role             string            `json:"role"`
	Content          json.RawMessage   `json:"content"`
	CallID           string            `json:"call_id"`
	Name             string            `json:"name"`
	Arguments        string            `json:"arguments"`
	Output           json.RawMessage   `json:"output"`
	Actions          []json.RawMessage `json:"actions"`
	Action           json.RawMessage   `json:"action"`
	EncryptedContent string            `json:"encrypted_content"`
	Acknowledged     []map[string]any  `json:"acknowledged_safety_checks"`
}

// Screenshot decodes a computer_call_output's screenshot.
func (it Item) Screenshot() (image.Image, error) {
	var out struct {
		Type     string `json:"type"`
		ImageURL string `json:"image_url"`
	}
	if err := json.Unmarshal(it.Output, &out); err != nil {
		return nil, err
	}
	if out.Type != "computer_screenshot" {
		return nil, fmt.Errorf("output type %q", out.Type)
	}
	return decodeDataURL(out.ImageURL)
}

// Texts returns the input_text parts of a message item.
func (it Item) Texts() []string {
	var parts []struct {
		Type, Text string
	}
	if json.Unmarshal(it.Content, &parts) != nil {
		var s string
		if json.Unmarshal(it.Content, &s) == nil {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, p := range parts {
		if p.Type == "input_text" || p.Type == "output_text" {
			out = append(out, p.Text)
		}
	}
	return out
}

// Last returns the items after the request's last computer_call or
// function_call item: the answers to the previous turn.
func (r *Request) Last() []Item {
	for i := len(r.Input) - 1; i >= 0; i-- {
		if t := r.Input[i].Type; t == "computer_call" || t == "function_call" {
			return r.Input[i+1:]
		}
	}
	return nil
}

// Outputs returns the computer_call_output items of the request's answers
// to the previous turn.
func (r *Request) Outputs() []Item {
	var out []Item
	for _, it := range r.Last() {
		if it.Type == "computer_call_output" || it.Type == "function_call_output" {
			out = append(out, it)
		}
	}
	return out
}

// Message is an assistant message item.
func Message(text string) map[string]any {
	return map[string]any{"type": "message", "id": "msg_fake", "role": "assistant", "status": "completed",
		"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}}
}

// ComputerCall is a computer_call item of the GA tool, batching actions.
func ComputerCall(callID string, actions ...map[string]any) map[string]any {
	return map[string]any{"type": "computer_call", "id": "cu_" + callID, "call_id": callID, "actions": actions,
		"pending_safety_checks": []any{}, "status": "completed"}
}

// PreviewCall is a computer_call item of computer_use_preview: one action.
func PreviewCall(callID string, action map[string]any) map[string]any {
	return map[string]any{"type": "computer_call", "id": "cu_" + callID, "call_id": callID, "action": action,
		"pending_safety_checks": []any{}, "status": "completed"}
}

// FunctionCall is a function_call item; arguments is its JSON text as the
// model wrote it (valid or not).
func FunctionCall(callID, name, arguments string) map[string]any {
	return map[string]any{"type": "function_call", "id": "fc_" + callID, "call_id": callID, "name": name,
		"arguments": arguments, "status": "completed"}
}

// Reasoning is a reasoning item with encrypted content.
func Reasoning(id string) map[string]any {
	return map[string]any{"type": "reasoning", "id": id, "summary": []any{}, "encrypted_content": "enc:" + id}
}

// New starts a server that plays script, one turn per valid request.
func New(script ...Turn) *Server {
	s := &Server{script: script}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.BaseURL = s.srv.URL + "/v1/"
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Requests returns the valid requests received, in order.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.reqs...)
}

// Refused returns why each refused request was refused.
func (s *Server) Refused() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.refused...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/responses" {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("%s %s: not found", r.Method, r.URL.Path))
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || len(r.Header.Get("Authorization")) <= len("Bearer ") {
		s.fail(w, http.StatusUnauthorized, "missing API key")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	req := &Request{Context: r.Context(), Header: r.Header.Clone(), Body: body}
	if err := json.Unmarshal(body, req); err != nil {
		s.fail(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	if err := check(req); err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	var turn Turn
	if s.next < len(s.script) {
		turn = s.script[s.next]
		s.next++
	}
	n := len(s.reqs)
	s.mu.Unlock()
	if turn == nil {
		s.fail(w, http.StatusBadRequest, "fakeopenai: script exhausted")
		return
	}
	reply := turn(req)
	if reply.Status != 0 {
		s.fail(w, reply.Status, "scripted error")
		return
	}
	output := reply.Output
	if output == nil {
		output = []map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": fmt.Sprintf("resp_fake%04d", n), "object": "response", "created_at": 1765000000, "model": req.Model,
		"status": "completed", "output": output, "parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{},
		"error": nil, "incomplete_details": nil, "instructions": req.Instructions,
		"usage": map[string]any{"input_tokens": 100, "output_tokens": 20, "total_tokens": 120},
	})
}

func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	s.mu.Lock()
	s.refused = append(s.refused, fmt.Errorf("%d: %s", status, msg))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}})
}

// check refuses what the API refuses in a computer-use conversation.
func check(r *Request) error {
	if r.Model == "" {
		return errors.New("model: required")
	}
	if len(r.Input) == 0 {
		return errors.New("input: required")
	}
	var computer bool
	for i, t := range r.Tools {
		switch t.Type {
		case "computer":
			computer = true
		case "computer_use_preview":
			computer = true
			if t.DisplayWidth <= 0 || t.DisplayHeight <= 0 || t.Environment == "" {
				return fmt.Errorf("tools[%d]: display_width, display_height and environment are required", i)
			}
			if r.Truncation != "auto" {
				return errors.New("truncation: computer_use_preview requires truncation auto")
			}
		case "function":
			if t.Name == "" || len(t.Parameters) == 0 {
				return fmt.Errorf("tools[%d]: name and parameters are required", i)
			}
		default:
			return fmt.Errorf("tools[%d]: type %q", i, t.Type)
		}
	}
	stateless := r.Store != nil && !*r.Store
	open := map[string]string{} // call_id → type, of calls not yet answered
	for i, it := range r.Input {
		switch it.Type {
		case "message":
			if !slices.Contains([]string{"user", "assistant", "system", "developer"}, it.Role) {
				return fmt.Errorf("input[%d]: role %q", i, it.Role)
			}
			if len(it.Content) == 0 {
				return fmt.Errorf("input[%d]: content required", i)
			}
			if err := checkParts(it.Content); err != nil {
				return fmt.Errorf("input[%d]: %w", i, err)
			}
		case "reasoning":
			if stateless && it.EncryptedContent == "" {
				return fmt.Errorf("input[%d]: a reasoning item of a stateless conversation needs its encrypted_content", i)
			}
		case "computer_call":
			if !computer {
				return fmt.Errorf("input[%d]: computer_call without a computer tool", i)
			}
			open[it.CallID] = it.Type
		case "function_call":
			open[it.CallID] = it.Type
		case "computer_call_output":
			if open[it.CallID] != "computer_call" {
				return fmt.Errorf("input[%d]: no computer_call with call_id %q before its output", i, it.CallID)
			}
			delete(open, it.CallID)
			if _, err := it.Screenshot(); err != nil {
				return fmt.Errorf("input[%d]: output: %w", i, err)
			}
		case "function_call_output":
			if open[it.CallID] != "function_call" {
				return fmt.Errorf("input[%d]: no function_call with call_id %q before its output", i, it.CallID)
			}
			delete(open, it.CallID)
			if err := checkParts(it.Output); err != nil {
				return fmt.Errorf("input[%d]: output: %w", i, err)
			}
		default:
			return fmt.Errorf("input[%d]: type %q", i, it.Type)
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("input: calls without output: %v", open)
	}
	return nil
}

// checkParts checks a content value: a string, or parts whose images are
// data URLs of a picture.
func checkParts(raw json.RawMessage) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return nil
	}
	var parts []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		ImageURL string `json:"image_url"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return err
	}
	for _, p := range parts {
		switch p.Type {
		case "input_text", "output_text":
		case "input_image":
			if _, err := decodeDataURL(p.ImageURL); err != nil {
				return err
			}
		default:
			return fmt.Errorf("content part type %q", p.Type)
		}
	}
	return nil
}

func decodeDataURL(u string) (image.Image, error) {
	rest, ok := strings.CutPrefix(u, "data:")
	mt, data, ok2 := strings.Cut(rest, ";base64,")
	if !ok || !ok2 || (mt != "image/png" && mt != "image/jpeg") {
		return nil, fmt.Errorf("image_url %.40q: want a base64 data URL of a PNG or JPEG", u)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	return img, err
}

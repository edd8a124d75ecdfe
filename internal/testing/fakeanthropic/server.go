// Package fakeanthropic is a local stand-in for Anthropic's Messages API
// for tests: an HTTP server on 127.0.0.1 that speaks the real wire format
// (POST /v1/messages, JSON or a server-sent event stream), checks each
// request the way the API does where it matters to a computer-use loop,
// records it, and answers from a script of turns.
//
// It is not part of the product.
package fakeanthropic

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server is a scripted Messages API. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the server's base URL, for option.WithBaseURL or
	// ANTHROPIC_BASE_URL.
	URL string

	srv *httptest.Server

	mu      sync.Mutex
	apiKey  string
	script  []Turn
	next    int
	reqs    []*Request
	refused []error
	ids     int
}

// New starts a server that plays script, one turn per valid request.
// Requests need an API key (the x-api-key header, or Authorization:
// Bearer as the v2 SDK sends it); SetAPIKey makes one value required.
func New(script ...Turn) *Server {
	s := &Server{script: script}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server; it waits for the requests under way.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetAPIKey makes key the only API key accepted.
func (s *Server) SetAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// Append adds turns to the script.
func (s *Server) Append(turns ...Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, turns...)
}

// Requests returns the valid requests received, in order.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.reqs...)
}

// Refused returns why each refused request was refused (bad wire format,
// script exhausted).
func (s *Server) Refused() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.refused...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
		s.fail(w, http.StatusNotFound, "not_found_error", fmt.Sprintf("%s %s: not found", r.Method, r.URL.Path))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, "invalid_request_error", "reading the body: "+err.Error())
		return
	}
	req := &Request{Context: r.Context(), Header: r.Header.Clone(), Body: body}
	if err := json.Unmarshal(body, req); err != nil {
		s.fail(w, http.StatusBadRequest, "invalid_request_error", "body: "+err.Error())
		return
	}
	s.mu.Lock()
	key := s.apiKey
	s.mu.Unlock()
	if got := req.APIKey(); got == "" || (key != "" && got != key) {
		s.fail(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
		return
	}
	if err := check(req); err != nil {
		s.fail(w, http.StatusBadRequest, "invalid_request_error", err.Error())
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	var turn Turn
	if s.next < len(s.script) {
		turn = s.script[s.next]
		s.next++
	}
	s.ids++
	id := s.ids
	s.mu.Unlock()
	if turn == nil {
		s.fail(w, http.StatusBadRequest, "invalid_request_error", "fakeanthropic: script exhausted")
		return
	}
	reply := turn(req)
	if reply.Status != 0 {
		s.fail(w, reply.Status, reply.ErrorType, "scripted error")
		return
	}
	if reply.StopReason == "" {
		reply.StopReason = "end_turn"
		for _, b := range reply.Content {
			if b.Type == "tool_use" {
				reply.StopReason = "tool_use"
			}
		}
	}
	msgID := fmt.Sprintf("msg_fake%04d", id)
	if req.Stream {
		stream(w, msgID, req.Model, reply)
		return
	}
	answer(w, msgID, req.Model, reply)
}

// fail answers an error in the API's format and records it.
func (s *Server) fail(w http.ResponseWriter, status int, typ, msg string) {
	s.mu.Lock()
	s.refused = append(s.refused, fmt.Errorf("%d %s: %s", status, typ, msg))
	s.mu.Unlock()
	if typ == "" {
		typ = "api_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type":  "error",
		"error": map[string]any{"type": typ, "message": msg},
	})
}

// wireBlock is a reply block as the API sends it.
func wireBlock(b Block, streamed bool) map[string]any {
	switch b.Type {
	case "tool_use":
		out := map[string]any{"type": "tool_use", "id": b.ID, "name": b.Name, "input": json.RawMessage(`{}`)}
		if b.ToolsetName != "" {
			out["toolset_name"] = b.ToolsetName
			out["caller"] = map[string]any{"type": "direct"}
		}
		if !streamed {
			out["input"] = input(b)
		}
		return out
	case "text":
		if streamed {
			return map[string]any{"type": "text", "text": ""}
		}
		return map[string]any{"type": "text", "text": b.Text}
	}
	return map[string]any{"type": b.Type}
}

func input(b Block) json.RawMessage {
	switch {
	case b.RawInput != "":
		return json.RawMessage(b.RawInput)
	case len(b.Input) > 0:
		return b.Input
	}
	return json.RawMessage(`{}`)
}

func usage() map[string]any { return map[string]any{"input_tokens": 100, "output_tokens": 20} }

// answer sends a non-streamed message.
func answer(w http.ResponseWriter, id, model string, r Reply) {
	content := []map[string]any{}
	for _, b := range r.Content {
		content = append(content, wireBlock(b, false))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_"+id)
	json.NewEncoder(w).Encode(map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model,
		"content": content, "stop_reason": r.StopReason, "stop_sequence": nil, "usage": usage(),
	})
}

// stream sends the message as the API's event stream: message_start, per
// block content_block_start, deltas in small pieces and content_block_stop,
// then message_delta and message_stop.
func stream(w http.ResponseWriter, id, model string, r Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Request-Id", "req_"+id)
	flusher, _ := w.(http.Flusher)
	send := func(event string, data any) {
		raw, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, raw)
		if flusher != nil {
			flusher.Flush()
		}
	}
	send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": 100, "output_tokens": 1},
	}})
	send("ping", map[string]any{"type": "ping"})
	for i, b := range r.Content {
		send("content_block_start", map[string]any{"type": "content_block_start", "index": i, "content_block": wireBlock(b, true)})
		switch b.Type {
		case "text":
			for _, part := range pieces(b.Text, 16) {
				send("content_block_delta", map[string]any{"type": "content_block_delta", "index": i,
					"delta": map[string]any{"type": "text_delta", "text": part}})
			}
		case "tool_use":
			for _, part := range pieces(string(input(b)), 7) {
				send("content_block_delta", map[string]any{"type": "content_block_delta", "index": i,
					"delta": map[string]any{"type": "input_json_delta", "partial_json": part}})
			}
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": i})
	}
	send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": r.StopReason, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": 20}})
	send("message_stop", map[string]any{"type": "message_stop"})
}

// pieces cuts s into pieces of at most n bytes, never inside a character.
func pieces(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		if cut == 0 {
			cut = strings.IndexFunc(s[1:], func(rune) bool { return true }) + 1
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

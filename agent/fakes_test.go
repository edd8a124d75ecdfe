package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"sync"
	"testing"

	"github.com/lkbrowser/lkbrowser/computer"
)

// fakeComputer is an actor that records the actions it gets. Screenshots
// are fake PNG bytes naming their number.
type fakeComputer struct {
	mu      sync.Mutex
	w, h    int
	did     []computer.Action
	shots   int
	cursor  image.Point
	refuse  func(computer.Action) error // nil: accept everything
	blockOn computer.Kind               // Do of this kind blocks until ctx is done
}

func (f *fakeComputer) Display() (int, int) { return f.w, f.h }

func (f *fakeComputer) Do(ctx context.Context, a computer.Action) (computer.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.blockOn != "" && a.Kind == f.blockOn {
		f.mu.Unlock()
		<-ctx.Done()
		f.mu.Lock()
		return computer.Result{}, ctx.Err()
	}
	if f.refuse != nil {
		if err := f.refuse(a); err != nil {
			return computer.Result{}, err
		}
	}
	f.did = append(f.did, a)
	if a.Point != nil {
		f.cursor = *a.Point
	}
	res := computer.Result{Cursor: f.cursor}
	switch a.Kind {
	case computer.Screenshot, computer.Zoom:
		f.shots++
		res.Image = &computer.Image{Data: []byte(fmt.Sprintf("png-%d", f.shots)), Format: computer.PNG, Width: f.w, Height: f.h}
	}
	return res, nil
}

func (f *fakeComputer) kinds() []computer.Kind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []computer.Kind
	for _, a := range f.did {
		out = append(out, a.Kind)
	}
	return out
}

// fakePage is a navigator that records where it was sent.
type fakePage struct {
	mu      sync.Mutex
	w, h    int
	visited []string
	fail    error
}

func (p *fakePage) Navigate(ctx context.Context, url string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.visited = append(p.visited, url)
	return nil
}
func (p *fakePage) GoBack(ctx context.Context) error    { return p.Navigate(ctx, "back") }
func (p *fakePage) GoForward(ctx context.Context) error { return p.Navigate(ctx, "forward") }
func (p *fakePage) Width() int                          { return p.w }
func (p *fakePage) Height() int                         { return p.h }

// scripted is a Provider playing turns; it records (deep copies of) the
// requests it got and checks that each is a valid conversation.
type scripted struct {
	t     *testing.T
	mu    sync.Mutex
	turns []func(ctx context.Context, req Request) (Message, error)
	reqs  []Request
}

func (s *scripted) Step(ctx context.Context, req Request) (Message, error) {
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, copyRequest(req))
	s.mu.Unlock()
	if err := validConversation(req.Messages); err != nil {
		s.t.Errorf("request %d: %v", n, err)
	}
	if n >= len(s.turns) {
		return Message{}, errors.New("script exhausted")
	}
	return s.turns[n](ctx, req)
}

func (s *scripted) requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// copyRequest deep-copies the conversation (the agent prunes in place).
func copyRequest(req Request) Request {
	out := req
	out.Messages = nil
	for _, m := range req.Messages {
		c := m
		c.Content = copyBlocks(m.Content)
		out.Messages = append(out.Messages, c)
	}
	return out
}

func copyBlocks(bs []Block) []Block {
	out := make([]Block, len(bs))
	for i, b := range bs {
		out[i] = b
		if b.ToolResult != nil {
			tr := *b.ToolResult
			tr.Content = copyBlocks(tr.Content)
			out[i].ToolResult = &tr
		}
	}
	return out
}

// validConversation checks what the vendors require: it starts with the
// user, roles alternate, and every tool call is answered, in order, at the
// start of the next message.
func validConversation(msgs []Message) error {
	if len(msgs) == 0 || msgs[0].Role != RoleUser {
		return errors.New("conversation does not start with a user message")
	}
	for i, m := range msgs {
		if len(m.Content) == 0 {
			return fmt.Errorf("message %d is empty", i)
		}
		if i > 0 && msgs[i-1].Role == m.Role {
			return fmt.Errorf("messages %d and %d are both %s", i-1, i, m.Role)
		}
		if m.Role != RoleAssistant {
			continue
		}
		var ids []string
		for _, b := range m.Content {
			if b.Type == BlockToolUse {
				ids = append(ids, b.ToolUse.ID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		if i+1 >= len(msgs) {
			return fmt.Errorf("message %d: tool calls unanswered", i)
		}
		next := msgs[i+1].Content
		if len(next) < len(ids) {
			return fmt.Errorf("message %d: %d tool calls, %d blocks after", i, len(ids), len(next))
		}
		for k, id := range ids {
			if next[k].Type != BlockToolResult || next[k].ToolResult.ToolUseID != id {
				return fmt.Errorf("message %d: call %s not answered at block %d", i, id, k)
			}
		}
	}
	return nil
}

// recorder is an Observer that records its calls as strings.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string)    { r.mu.Lock(); r.calls = append(r.calls, s); r.mu.Unlock() }
func (r *recorder) Status(s Status) { r.add("status " + string(s)) }
func (r *recorder) Said(t string)   { r.add("said " + t) }
func (r *recorder) Acting(a computer.Action, at *image.Point, w, h int) {
	if at == nil {
		r.add(fmt.Sprintf("acting %s nil %dx%d", a.Kind, w, h))
		return
	}
	r.add(fmt.Sprintf("acting %s %d,%d %dx%d", a.Kind, at.X, at.Y, w, h))
}
func (r *recorder) Acted(a computer.Action, err error) {
	r.add(fmt.Sprintf("acted %s %v", a.Kind, err != nil))
}
func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Turn helpers.

func say(text string) func(context.Context, Request) (Message, error) {
	return func(context.Context, Request) (Message, error) {
		return Message{Role: RoleAssistant, StopReason: "end_turn", Content: []Block{TextBlock(text)}}, nil
	}
}

func calls(uses ...*ToolUse) func(context.Context, Request) (Message, error) {
	return func(context.Context, Request) (Message, error) {
		m := Message{Role: RoleAssistant, StopReason: "tool_use"}
		for _, u := range uses {
			c := *u
			m.Content = append(m.Content, Block{Type: BlockToolUse, ToolUse: &c})
		}
		return m, nil
	}
}

var nextID int

func use(a computer.Action) *ToolUse {
	nextID++
	return &ToolUse{ID: fmt.Sprintf("toolu_%d", nextID), Name: "computer", Input: json.RawMessage(`{}`), Action: &a}
}

func fn(name, input string) *ToolUse {
	nextID++
	return &ToolUse{ID: fmt.Sprintf("toolu_%d", nextID), Name: name, Input: json.RawMessage(input)}
}

func pt(x, y int) *image.Point { return &image.Point{X: x, Y: y} }

// results returns the tool results of the last user message of req.
func results(req Request) []*ToolResult {
	last := req.Messages[len(req.Messages)-1]
	var out []*ToolResult
	for _, b := range last.Content {
		if b.Type == BlockToolResult {
			out = append(out, b.ToolResult)
		}
	}
	return out
}

// resultText is the text of a result's content.
func resultText(r *ToolResult) string {
	s := ""
	for _, b := range r.Content {
		if b.Type == BlockText {
			s += b.Text
		}
	}
	return s
}

// resultImage is the data of a result's image, "" without one.
func resultImage(r *ToolResult) string {
	for _, b := range r.Content {
		if b.Type == BlockImage {
			return string(b.Image.Data)
		}
	}
	return ""
}

// countImages counts the images of a conversation.
func countImages(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		for _, b := range m.Content {
			if b.Type == BlockImage {
				n++
			}
			if b.ToolResult != nil {
				for _, c := range b.ToolResult.Content {
					if c.Type == BlockImage {
						n++
					}
				}
			}
		}
	}
	return n
}

package room

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Every test leaves no goroutine behind (the process-wide spawner of
// internal/proc, started at init, is not the tests').
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/lkbrowser/lkbrowser/internal/proc.spawnLoop"))
}

// fakeSession plays lksession.Session's focus rules and records what is
// published.
type fakeSession struct {
	mu      sync.Mutex
	focus   string
	changed chan struct{}
	sent    []string // "topic payload"
	subs    []*fakeSub
	done    chan struct{}
	cond    chan struct{} // closed and replaced on every change
}

func newFakeSession() *fakeSession {
	return &fakeSession{changed: make(chan struct{}), done: make(chan struct{}), cond: make(chan struct{})}
}

func (s *fakeSession) PublishData(ctx context.Context, topic string, payload any, to ...string) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.sent = append(s.sent, topic+" "+string(b))
	s.signal()
	s.mu.Unlock()
	return nil
}

// signal wakes waiters; s.mu held.
func (s *fakeSession) signal() {
	close(s.cond)
	s.cond = make(chan struct{})
}

func (s *fakeSession) setFocus(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.focus == id {
		return
	}
	s.focus = id
	close(s.changed)
	s.changed = make(chan struct{})
	s.signal()
}

func (s *fakeSession) Focus() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.focus
}

func (s *fakeSession) FocusChanged() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *fakeSession) TryAgentFocus() bool {
	s.mu.Lock()
	f := s.focus
	s.mu.Unlock()
	if f != "" && f != lksession.AgentIdentity {
		return false
	}
	s.setFocus(lksession.AgentIdentity)
	return true
}

func (s *fakeSession) SetAgentFocus(active bool) {
	switch {
	case active:
		s.setFocus(lksession.AgentIdentity)
	case s.Focus() == lksession.AgentIdentity:
		s.setFocus("")
	}
}

func (s *fakeSession) Done() <-chan struct{} { return s.done }
func (s *fakeSession) Err() error            { return nil }

func (s *fakeSession) subscribeChat() chatSub {
	sub := &fakeSub{c: make(chan lksession.DataMessage, 8)}
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	return sub
}

// chat sends a viewer's message to the subscribers.
func (s *fakeSession) chat(from, payload string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		sub.mu.Lock()
		if !sub.closed {
			sub.c <- lksession.DataMessage{From: from, Topic: lksession.TopicAgentChat, Payload: json.RawMessage(payload)}
		}
		sub.mu.Unlock()
	}
}

// messages returns what was published on topic.
func (s *fakeSession) messages(topic string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		if t, p, _ := strings.Cut(m, " "); t == topic {
			out = append(out, p)
		}
	}
	return out
}

// waitFor waits until cond holds.
func (s *fakeSession) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		ch := s.cond
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waiting for %s; published: %q; focus %q", what, s.all(), s.Focus())
		}
	}
}

func (s *fakeSession) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

type fakeSub struct {
	mu     sync.Mutex
	c      chan lksession.DataMessage
	closed bool
}

func (f *fakeSub) C() <-chan lksession.DataMessage { return f.c }
func (f *fakeSub) Dropped() uint64                 { return 0 }
func (f *fakeSub) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.c)
	}
}

// scripted is a Runner that plays an agent: for each Run it thinks, says
// the text back, and performs clicks at the points of the script, each
// behind the Gate, as package agent does.
type scripted struct {
	r      *Room
	points []image.Point
	// before, when set, is called before each action's Gate, with the Run's
	// text and the action's index.
	before func(text string, i int)

	mu    sync.Mutex
	texts []string
	acted []string // "text#i" for each action performed
	errs  []error
	// changed counts the Gate's ErrPageChanged answers.
	changed int
}

func (s *scripted) Run(ctx context.Context, text string) (agent.Outcome, error) {
	s.mu.Lock()
	s.texts = append(s.texts, text)
	s.mu.Unlock()
	s.r.Status(agent.StatusThinking)
	s.r.Said("on it: " + text)
	for i, p := range s.points {
		if s.before != nil {
			s.before(text, i)
		}
		err := s.r.Gate(ctx)
		if errors.Is(err, agent.ErrPageChanged) {
			// The real agent skips the planned action and shows the model
			// the page; a model that looked again acts: so does the script.
			s.mu.Lock()
			s.changed++
			s.mu.Unlock()
			err = nil
		}
		if err != nil {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
			return agent.Outcome{Reason: "gate"}, err
		}
		a := computer.Action{Kind: computer.Click, Point: &p}
		s.r.Status(agent.StatusActing)
		s.r.Acting(a, &p, 640, 360)
		s.mu.Lock()
		s.acted = append(s.acted, fmt.Sprintf("%s#%d", text, i))
		s.mu.Unlock()
		s.r.Acted(a, nil)
		s.r.Status(agent.StatusThinking)
	}
	s.r.Said("done: " + text)
	s.r.Status(agent.StatusIdle)
	return agent.Outcome{Reason: "end_turn"}, nil
}

func (s *scripted) snapshot() (texts, acted []string, errs []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.texts), slices.Clone(s.acted), slices.Clone(s.errs)
}

// serve runs r.Serve in the background; stop cancels it and returns its error.
func serve(t *testing.T, r *Room, run Runner, task string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Serve(ctx, run, task) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(5 * time.Second):
				err = errors.New("Serve did not return within 5 s of its cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// The task runs, then a chat message runs as a new Run; the room sees the
// statuses, the agent's text and its cursor, and the agent holds focus
// only while it works.
func TestServeTaskThenChat(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{10, 20}, {300, 200}}}
	var focusWhileActing []string
	run.before = func(string, int) { focusWhileActing = append(focusWhileActing, s.Focus()) }
	stop := serve(t, r, run, "open the menu")

	s.waitFor(t, "the task's end", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: open the menu","sender":"agent"}`)
	})
	s.waitFor(t, "focus given back", func() bool { return s.Focus() == "" })
	if got := s.messages(lksession.TopicAgentStatus); !slices.Equal(got, []string{
		`{"status":"thinking"}`, `{"status":"acting"}`, `{"status":"thinking"}`, `{"status":"acting"}`, `{"status":"thinking"}`, `{"status":"idle"}`,
	}) {
		t.Errorf("statuses %q", got)
	}
	if got := s.messages(lksession.TopicAgentCursor); !slices.Equal(got, []string{
		`{"x":10,"y":20,"action":"left_click","visible":true,"width":640,"height":360}`,
		`{"x":300,"y":200,"action":"left_click","visible":true,"width":640,"height":360}`,
		`{"visible":false}`,
	}) {
		t.Errorf("cursor %q", got)
	}
	if !slices.Equal(focusWhileActing, []string{lksession.AgentIdentity, lksession.AgentIdentity}) {
		t.Errorf("focus before the actions: %q", focusWhileActing)
	}

	// Ignored: another agent's message, an empty one, not JSON text.
	s.chat("other-agent", `{"text":"hello","sender":"agent"}`)
	s.chat("viewer-1", `{"text":"   "}`)
	s.chat("viewer-1", `[1,2]`)
	s.chat("viewer-1", `{"text":"  now the footer "}`)
	s.waitFor(t, "the chat message's run", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: now the footer","sender":"agent"}`)
	})
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v, want context.Canceled", err)
	}
	texts, acted, _ := run.snapshot()
	if !slices.Equal(texts, []string{"open the menu", "now the footer"}) || len(acted) != 4 {
		t.Errorf("runs %q, actions %q", texts, acted)
	}
	if s.Focus() != "" {
		t.Errorf("focus after Serve: %q", s.Focus())
	}
}

// A person takes the page mid-task: the agent stops before its next
// action, says so, goes idle and hides its cursor; it goes on with that
// action once the person released the page.
func TestTakeoverPausesAndResumes(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{10, 20}, {30, 40}, {50, 60}}}
	run.before = func(text string, i int) {
		if i == 1 {
			s.setFocus("viewer-1") // request-focus: a person wins over the agent
		}
	}
	serve(t, r, run, "task")

	s.waitFor(t, "the pause", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"(paused — you have control)","sender":"agent"}`)
	})
	time.Sleep(200 * time.Millisecond)
	if _, acted, _ := run.snapshot(); !slices.Equal(acted, []string{"task#0"}) {
		t.Fatalf("actions while the person holds the page: %q", acted)
	}
	st := s.messages(lksession.TopicAgentStatus)
	cur := s.messages(lksession.TopicAgentCursor)
	if st[len(st)-1] != `{"status":"idle"}` || cur[len(cur)-1] != `{"visible":false}` {
		t.Errorf("while paused: statuses %q, cursor %q", st, cur)
	}
	if s.Focus() != "viewer-1" {
		t.Errorf("the agent took focus from the person: %q", s.Focus())
	}

	s.setFocus("") // release-focus
	s.waitFor(t, "the task's end", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: task","sender":"agent"}`)
	})
	if _, acted, errs := run.snapshot(); !slices.Equal(acted, []string{"task#0", "task#1", "task#2"}) || len(errs) != 0 {
		t.Errorf("actions %q, gate errors %v", acted, errs)
	}
	run.mu.Lock()
	changed := run.changed
	run.mu.Unlock()
	if changed != 1 {
		t.Errorf("the gate reported the page changed %d times, want once (after the person released it)", changed)
	}
	chat := s.messages(lksession.TopicAgentChat)
	if i, j := slices.Index(chat, `{"text":"(paused — you have control)","sender":"agent"}`), slices.Index(chat, `{"text":"(resuming)","sender":"agent"}`); i < 0 || j < i {
		t.Errorf("chat %q", chat)
	}
	// Resuming republished the status it paused in.
	st = s.messages(lksession.TopicAgentStatus)
	if k := slices.Index(st, `{"status":"idle"}`); k < 0 || k+1 >= len(st) || st[k+1] != `{"status":"thinking"}` {
		t.Errorf("statuses %q", st)
	}
}

// A chat message while the agent is paused ends the paused Run and starts
// a new one with the message, which takes the page back from the person.
func TestChatWhilePausedReclaims(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{10, 20}, {30, 40}}}
	run.before = func(text string, i int) {
		if text == "task" && i == 1 {
			s.setFocus("viewer-1")
		}
	}
	serve(t, r, run, "task")
	s.waitFor(t, "the pause", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"(paused — you have control)","sender":"agent"}`)
	})
	s.chat("viewer-1", `{"text":"go on, I fixed it"}`)
	s.waitFor(t, "the message's run", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: go on, I fixed it","sender":"agent"}`)
	})
	texts, acted, errs := run.snapshot()
	if !slices.Equal(texts, []string{"task", "go on, I fixed it"}) || !slices.Equal(acted, []string{"task#0", "go on, I fixed it#0", "go on, I fixed it#1"}) {
		t.Errorf("runs %q, actions %q", texts, acted)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrSuperseded) {
		t.Errorf("gate errors %v, want ErrSuperseded", errs)
	}
}

// A message that arrives while the agent works waits for the Run to end.
func TestChatDuringRunIsQueued(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{1, 1}, {2, 2}}}
	sent := false
	run.before = func(text string, i int) {
		if text == "task" && i == 1 && !sent {
			sent = true
			s.chat("viewer-1", `{"text":"second"}`)
			s.chat("viewer-2", `{"text":"third"}`)
			time.Sleep(100 * time.Millisecond) // the reader queued them
		}
	}
	serve(t, r, run, "task")
	s.waitFor(t, "all runs", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: third","sender":"agent"}`)
	})
	texts, acted, errs := run.snapshot()
	if !slices.Equal(texts, []string{"task", "second", "third"}) || len(acted) != 6 || len(errs) != 0 {
		t.Errorf("runs %q, actions %q, errors %v", texts, acted, errs)
	}
	if contains(s.messages(lksession.TopicAgentChat), `{"text":"(paused — you have control)","sender":"agent"}`) {
		t.Error("paused without a person")
	}
}

// The initial task never takes the page from a person: it waits at its
// first action until the page is free.
func TestTaskWaitsForPerson(t *testing.T) {
	s := newFakeSession()
	s.setFocus("viewer-1")
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{1, 1}}}
	serve(t, r, run, "task")
	s.waitFor(t, "the pause", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"(paused — you have control)","sender":"agent"}`)
	})
	if s.Focus() != "viewer-1" {
		t.Fatalf("focus %q", s.Focus())
	}
	s.setFocus("")
	s.waitFor(t, "the task's end", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: task","sender":"agent"}`)
	})
}

// A failing Run says why on the chat; Serve goes on; a long text is split.
func TestRunErrorAndLongText(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	runner := runnerFunc(func(ctx context.Context, text string) (agent.Outcome, error) {
		if text == "fail" {
			r.Status(agent.StatusThinking)
			return agent.Outcome{}, errors.New("model unreachable")
		}
		r.Said(strings.Repeat("é", 3000)) // 6000 bytes
		return agent.Outcome{}, nil
	})
	serve(t, r, runner, "fail")
	s.waitFor(t, "the error", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"(error: model unreachable)","sender":"agent"}`)
	})
	s.waitFor(t, "idle", func() bool {
		st := s.messages(lksession.TopicAgentStatus)
		return len(st) > 0 && st[len(st)-1] == `{"status":"idle"}`
	})
	s.chat("v", `{"text":"talk"}`)
	s.waitFor(t, "the long text", func() bool { return len(s.messages(lksession.TopicAgentChat)) == 3 })
	var joined string
	for _, m := range s.messages(lksession.TopicAgentChat)[1:] {
		var c lksession.AgentChat
		if err := json.Unmarshal([]byte(m), &c); err != nil || c.Sender != "agent" || len(c.Text) > chatChunk {
			t.Fatalf("piece %s: %v", m, err)
		}
		joined += c.Text
	}
	if joined != strings.Repeat("é", 3000) {
		t.Error("the long text was not sent whole")
	}
}

type runnerFunc func(ctx context.Context, text string) (agent.Outcome, error)

func (f runnerFunc) Run(ctx context.Context, text string) (agent.Outcome, error) { return f(ctx, text) }

// Cancelling Serve ends the Run in flight (paused here) and returns; the
// room is left idle with no cursor and no agent focus. A second Serve at
// the same time is refused.
func TestServeStops(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{1, 1}, {2, 2}}}
	run.before = func(text string, i int) {
		if i == 1 {
			s.setFocus("viewer-1")
		}
	}
	stop := serve(t, r, run, "task")
	s.waitFor(t, "the pause", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"(paused — you have control)","sender":"agent"}`)
	})
	if err := r.Serve(context.Background(), run, "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("second Serve: %v", err)
	}
	start := time.Now()
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Serve took %v to stop", d)
	}
	if _, _, errs := run.snapshot(); len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("gate errors %v", errs)
	}
	if s.Focus() != "viewer-1" {
		t.Errorf("Serve's end changed a person's focus: %q", s.Focus())
	}
}

func TestActionNames(t *testing.T) {
	for _, tc := range []struct {
		a    computer.Action
		want string
	}{
		{computer.Action{Kind: computer.Click}, "left_click"},
		{computer.Action{Kind: computer.Click, Count: 2}, "double_click"},
		{computer.Action{Kind: computer.Click, Count: 3}, "triple_click"},
		{computer.Action{Kind: computer.Click, Button: computer.ButtonRight}, "right_click"},
		{computer.Action{Kind: computer.Click, Button: computer.ButtonMiddle}, "middle_click"},
		{computer.Action{Kind: computer.Drag}, "left_click_drag"},
		{computer.Action{Kind: computer.MouseMove}, "mouse_move"},
		{computer.Action{Kind: computer.Scroll}, "scroll"},
	} {
		if got := actionName(tc.a); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

// A message written while the agent held the page does not take it from a
// person who took it since; one written while a person holds the page
// (the agent idle) hands it back.
func TestReclaimOnlyForMessagesWrittenToAPerson(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{})
	run := &scripted{r: r, points: []image.Point{{1, 1}}}
	run.before = func(text string, i int) {
		if text == "task" {
			s.chat("viewer-1", `{"text":"queued"}`) // written while the agent works
			time.Sleep(100 * time.Millisecond)
		}
	}
	released := false
	run2 := runnerFunc(func(ctx context.Context, text string) (agent.Outcome, error) {
		out, err := run.Run(ctx, text)
		if text == "task" && !released {
			released = true
			s.setFocus("viewer-2") // takes the page as the task ends
		}
		return out, err
	})
	serve(t, r, run2, "task")
	s.waitFor(t, "the queued message's pause", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"(paused — you have control)","sender":"agent"}`)
	})
	if s.Focus() != "viewer-2" {
		t.Fatalf("the queued message took the page from the person: focus %q", s.Focus())
	}
	s.setFocus("")
	s.waitFor(t, "the queued run", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: queued","sender":"agent"}`)
	})
	s.waitFor(t, "idle, focus free", func() bool { return s.Focus() == "" })

	// Idle; a person drives, then writes: the agent takes the page back.
	var focus string
	run.before = func(text string, i int) { // the runner waits for a message: no run reads it now
		if text == "your turn" {
			focus = s.Focus()
		}
	}
	s.setFocus("viewer-2")
	s.chat("viewer-2", `{"text":"your turn"}`)
	s.waitFor(t, "the message's run", func() bool {
		return contains(s.messages(lksession.TopicAgentChat), `{"text":"done: your turn","sender":"agent"}`)
	})
	if focus != lksession.AgentIdentity {
		t.Errorf("focus during the run of a message written to the person: %q", focus)
	}
}

// Serve tells the room the status again every Options.Announce, and the
// cursor while it is shown, for viewers who join late.
func TestAnnounce(t *testing.T) {
	s := newFakeSession()
	r := newRoom(s, Options{Announce: 30 * time.Millisecond})
	stop := serve(t, r, runnerFunc(func(context.Context, string) (agent.Outcome, error) { return agent.Outcome{}, nil }), "")
	s.waitFor(t, "idle announced", func() bool { return len(s.messages(lksession.TopicAgentStatus)) >= 2 })
	if got := s.messages(lksession.TopicAgentStatus); got[0] != `{"status":"idle"}` || len(s.messages(lksession.TopicAgentCursor)) != 0 {
		t.Errorf("announced %q, cursor %q", got, s.messages(lksession.TopicAgentCursor))
	}
	stop()
}

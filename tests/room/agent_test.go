package room

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	agentroom "github.com/lkbrowser/lkbrowser/agent/room"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// The tests of an agent in a room: the real agent (package agent) on the
// real Anthropic provider, talking to fakeanthropic, a local Messages API
// that plays a scripted model; the page published with lksession; a
// person in the room played by a roomtest subscriber.

// agentInRoom publishes page.html (640x360, the display size too) and
// serves an agent on it with the scripted model, on task. It returns the
// page, the session, a person watching, and the model's server. Serve
// stops at the end of the test (and must return within 5 s).
func agentInRoom(t *testing.T, task string, script ...fakeanthropic.Turn) (*agentRoom, *fakeanthropic.Server) {
	t.Helper()
	model := fakeanthropic.New(script...)
	t.Cleanup(model.Close)
	page, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	person := subscribe(t, lk, "person")
	waitColour(t, person, 120, 280, green, 15*time.Second)

	comp, err := computer.New(page, computer.Options{Logger: testLog})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := anthropic.New(anthropic.Options{Logger: testLog,
		RequestOptions: []option.RequestOption{option.WithBaseURL(model.URL), option.WithAPIKey("test-key"), option.WithMaxRetries(0)}})
	if err != nil {
		t.Fatal(err)
	}
	r := agentroom.New(sess, agentroom.Options{Logger: testLog})
	ag, err := agent.New(page, comp, prov, agent.Options{Gate: r.Gate, Observer: r, Logger: testLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- r.Serve(ctx, ag, task) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Serve returned %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return within 5 s of its cancel")
		}
	})
	return &agentRoom{page: page, sess: sess, person: person}, model
}

// agentRoom is an agent's room as the tests see it.
type agentRoom struct {
	page interface {
		Eval(ctx context.Context, expr string) (json.RawMessage, error)
	}
	sess   *lksession.Session
	person *roomtest.Subscriber
}

// clicks is how many times the page's button was clicked.
func (a *agentRoom) clicks(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := a.page.Eval(ctx, "String(document.body.dataset.clicks || 0)")
	if err != nil {
		t.Fatal(err)
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// payloads returns the person's messages on topic, as JSON text.
func payloads(sub *roomtest.Subscriber, topic string) []string {
	var out []string
	for _, m := range sub.Messages(topic) {
		out = append(out, string(m.Payload))
	}
	return out
}

// waitPayload waits until the person got want on topic.
func waitPayload(t *testing.T, sub *roomtest.Subscriber, topic, want string, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := sub.Wait(ctx, topic+" "+want, func() bool {
		for _, m := range sub.MessagesLocked(topic) {
			if string(m.Payload) == want {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("%v; got chat %q, status %q, cursor %q", err, payloads(sub, lksession.TopicAgentChat),
			payloads(sub, lksession.TopicAgentStatus), payloads(sub, lksession.TopicAgentCursor))
	}
}

// lastUserText is the text of the last user message of a request.
func lastUserText(r *fakeanthropic.Request) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role != "user" {
			continue
		}
		var texts []string
		for _, b := range r.Messages[i].Content {
			if b.Type == "text" {
				texts = append(texts, b.Text)
			}
		}
		return strings.Join(texts, "\n")
	}
	return ""
}

// toolResult finds the tool_result for id in a request.
func toolResult(r *fakeanthropic.Request, id string) *fakeanthropic.Block {
	for _, m := range r.Messages {
		for i, b := range m.Content {
			if b.Type == "tool_result" && b.ToolUseID == id {
				return &m.Content[i]
			}
		}
	}
	return nil
}

// What a person in the room sees of an agent at work: its status going
// thinking → acting → idle, its words on the chat from "agent", its
// cursor at the page pixel it clicks (with the page's size), hidden when
// it is idle; the click lands. A chat message from the person then starts
// a new Run: the model gets its text.
func TestAgentRoomTopics(t *testing.T) {
	a, model := agentInRoom(t, "Click the green button.",
		fakeanthropic.Call(fakeanthropic.Computer("t1", "screenshot", nil)),
		fakeanthropic.Call(fakeanthropic.Text("Clicking the green button."),
			fakeanthropic.Computer("t2", "left_click", map[string]any{"coordinate": []int{120, 280}})),
		fakeanthropic.Say("Done: the button is yellow."),
		fakeanthropic.Say("Hello to you too."),
	)
	sub := a.person
	waitPayload(t, sub, lksession.TopicAgentChat, `{"text":"Done: the button is yellow.","sender":"agent"}`, 60*time.Second)
	waitPayload(t, sub, lksession.TopicAgentStatus, `{"status":"idle"}`, 10*time.Second)
	waitPayload(t, sub, lksession.TopicAgentCursor, `{"visible":false}`, 10*time.Second)
	if got := a.clicks(t); got != "1" {
		t.Errorf("button clicks %s, want 1", got)
	}
	waitColour(t, sub, 120, 280, yellow, 10*time.Second)

	// Compact: the room announces the current status and cursor again
	// every 3 s, for viewers who join late.
	status := slices.Compact(payloads(sub, lksession.TopicAgentStatus))
	if want := []string{`{"status":"thinking"}`, `{"status":"acting"}`, `{"status":"thinking"}`, `{"status":"acting"}`, `{"status":"thinking"}`, `{"status":"idle"}`}; !slices.Equal(status, want) {
		t.Errorf("statuses %q\nwant %q", status, want)
	}
	if chat := payloads(sub, lksession.TopicAgentChat); !slices.Equal(chat, []string{
		`{"text":"Clicking the green button.","sender":"agent"}`, `{"text":"Done: the button is yellow.","sender":"agent"}`,
	}) {
		t.Errorf("chat %q", chat)
	}
	if cursor := slices.Compact(payloads(sub, lksession.TopicAgentCursor)); !slices.Equal(cursor, []string{
		`{"x":120,"y":280,"action":"left_click","visible":true,"width":640,"height":360}`, `{"visible":false}`,
	}) {
		t.Errorf("cursor %q", cursor)
	}
	for _, m := range sub.Messages(lksession.TopicAgentChat) {
		if m.From != lksession.DefaultIdentity {
			t.Errorf("chat from %q, want the publisher", m.From)
		}
	}
	if a.sess.Focus() != "" {
		t.Errorf("focus while idle: %q, want nobody", a.sess.Focus())
	}

	// The person writes to the agent: a new Run, whose request carries it.
	msg, _ := json.Marshal(lksession.AgentChat{Text: "Hello, agent!"})
	if err := sub.Send(lksession.DefaultIdentity, lksession.TopicAgentChat, msg); err != nil {
		t.Fatal(err)
	}
	waitPayload(t, sub, lksession.TopicAgentChat, `{"text":"Hello to you too.","sender":"agent"}`, 30*time.Second)
	reqs := model.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4; refused %v", len(reqs), model.Refused())
	}
	if got := lastUserText(reqs[0]); got != "Click the green button." {
		t.Errorf("first request's task %q", got)
	}
	if got := lastUserText(reqs[3]); got != "Hello, agent!" {
		t.Errorf("the chat message reached the model as %q", got)
	}
	if res := toolResult(reqs[2], "t2"); res == nil || res.IsError {
		t.Errorf("the click's result: %+v", res)
	}
}

// The takeover: a person asks for focus while the model is thinking; the
// agent stops before its click and says so; the person's own click lands;
// the person gives the page back and the agent clicks and finishes.
func TestAgentRoomTakeover(t *testing.T) {
	asked, proceed := make(chan struct{}), make(chan struct{})
	a, model := agentInRoom(t, "Click the green button.",
		fakeanthropic.Call(fakeanthropic.Computer("t1", "screenshot", nil)),
		func(*fakeanthropic.Request) fakeanthropic.Reply {
			close(asked)
			<-proceed
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{
				fakeanthropic.Computer("t2", "left_click", map[string]any{"coordinate": []int{120, 280}})}}
		},
		// The click planned before the person came was not performed: the
		// model sees the page as the person left it and clicks again.
		fakeanthropic.Call(fakeanthropic.Computer("t3", "left_click", map[string]any{"coordinate": []int{120, 280}})),
		fakeanthropic.Say("Finished."),
	)
	sub := a.person
	select {
	case <-asked:
	case <-time.After(60 * time.Second):
		t.Fatalf("the model was not asked a second time; requests %d, refused %v", len(model.Requests()), model.Refused())
	}
	if a.sess.Focus() != lksession.AgentIdentity {
		t.Errorf("focus while the agent works: %q", a.sess.Focus())
	}
	res, err := rpc(t, sub, lksession.MethodRequestFocus, "")
	if err != nil || res["granted"] != true {
		close(proceed)
		t.Fatalf("request-focus from the agent: %v %v", res, err)
	}
	close(proceed)

	waitPayload(t, sub, lksession.TopicAgentChat, `{"text":"(paused — you have control)","sender":"agent"}`, 20*time.Second)
	// The idle status follows the chat line as a message of its own.
	if !eventually(5*time.Second, func() bool {
		st := payloads(sub, lksession.TopicAgentStatus)
		return len(st) > 0 && st[len(st)-1] == `{"status":"idle"}`
	}) {
		t.Errorf("status while paused: %q", payloads(sub, lksession.TopicAgentStatus))
	}
	if got := a.clicks(t); got != "0" {
		t.Fatalf("the agent clicked after the person took the page: clicks %s", got)
	}
	sendInput(t, sub, click(120, 280))
	if !eventually(10*time.Second, func() bool { return a.clicks(t) == "1" }) {
		t.Fatalf("the person's click did not land: clicks %s", a.clicks(t))
	}
	time.Sleep(time.Second)
	if got := a.clicks(t); got != "1" {
		t.Fatalf("clicks %s while the person holds the page, want 1", got)
	}
	if chat := payloads(sub, lksession.TopicAgentChat); len(chat) != 1 {
		t.Errorf("chat while paused %q", chat)
	}

	res, err = rpc(t, sub, lksession.MethodReleaseFocus, "")
	if err != nil || res["released"] != true {
		t.Fatalf("release-focus: %v %v", res, err)
	}
	waitPayload(t, sub, lksession.TopicAgentChat, `{"text":"Finished.","sender":"agent"}`, 30*time.Second)
	if got := a.clicks(t); got != "2" {
		t.Errorf("clicks %s after the agent resumed, want 2 (the person's, then the agent's)", got)
	}
	if chat := payloads(sub, lksession.TopicAgentChat); !slices.Equal(chat, []string{
		`{"text":"(paused — you have control)","sender":"agent"}`, `{"text":"(resuming)","sender":"agent"}`, `{"text":"Finished.","sender":"agent"}`,
	}) {
		t.Errorf("chat %q", chat)
	}
	reqs := model.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4; refused %v", len(reqs), model.Refused())
	}
	if res := toolResult(reqs[2], "t2"); res == nil || !res.IsError || !strings.Contains(res.Content.Text(), "someone else used the page") || len(res.Content.Images()) != 1 {
		t.Errorf("the click planned before the takeover: %+v; want an error result with the page as the person left it", res)
	}
	if res := toolResult(reqs[3], "t3"); res == nil || res.IsError {
		t.Errorf("the click after the takeover: %+v", res)
	}
	// It clicked where the person had: its cursor showed there, then hid.
	waitPayload(t, sub, lksession.TopicAgentCursor, `{"visible":false}`, 5*time.Second)
	if cursor := slices.Compact(payloads(sub, lksession.TopicAgentCursor)); !slices.Equal(cursor, []string{
		`{"x":120,"y":280,"action":"left_click","visible":true,"width":640,"height":360}`, `{"visible":false}`,
	}) {
		t.Errorf("cursor %q", cursor)
	}
}

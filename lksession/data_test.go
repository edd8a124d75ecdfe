package lksession

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	lksdk "github.com/livekit/server-sdk-go/v2"
)

// testSession is a session with its data hub only: enough for the data
// API's checks and fan-out, no room.
func testSession() *Session {
	s := &Session{data: newDataHub()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

func TestDataFanOut(t *testing.T) {
	s := testSession()
	chat := s.SubscribeData(TopicAgentChat)
	all := s.SubscribeData()
	input := s.SubscribeData(TopicInput) // a protocol topic: never delivered

	s.deliverData(&lksdk.UserDataPacket{Topic: TopicAgentChat, Payload: []byte(`{"text":"hi"}`)}, "viewer-1")
	s.deliverData(&lksdk.UserDataPacket{Topic: "other", Payload: []byte(`[1]`)}, "viewer-2")
	s.deliverData(&lksdk.UserDataPacket{Topic: TopicAgentChat, Payload: []byte(`not json`)}, "viewer-1")
	s.deliverData(&lksdk.UserDataPacket{Topic: TopicFocus, Payload: []byte(`{"identity":null}`)}, "viewer-1")

	m := <-chat.C()
	if m.From != "viewer-1" || m.Topic != TopicAgentChat || string(m.Payload) != `{"text":"hi"}` {
		t.Errorf("chat subscriber got %+v", m)
	}
	if len(chat.C()) != 0 {
		t.Errorf("chat subscriber got %d more messages (other topic, invalid JSON)", len(chat.C()))
	}
	if m1, m2 := <-all.C(), <-all.C(); m1.Topic != TopicAgentChat || m2.Topic != "other" || m2.From != "viewer-2" {
		t.Errorf("all-topics subscriber got %+v, %+v", m1, m2)
	}
	if len(all.C()) != 0 || len(input.C()) != 0 {
		t.Errorf("protocol topics delivered: %d, %d", len(all.C()), len(input.C()))
	}

	// A full queue drops and counts; the producer never waits.
	for range DataQueue + 5 {
		s.deliverData(&lksdk.UserDataPacket{Topic: TopicAgentChat, Payload: []byte(`{}`)}, "v")
	}
	if chat.Dropped() != 5 || len(chat.C()) != DataQueue {
		t.Errorf("dropped %d, queued %d; want 5, %d", chat.Dropped(), len(chat.C()), DataQueue)
	}

	// Close of a subscription closes its channel once; Close of the session
	// closes the others, and later subscriptions start closed.
	chat.Close()
	chat.Close()
	n := 0
	for range chat.C() {
		n++
	}
	if n != DataQueue {
		t.Errorf("%d queued messages readable after Close, want %d", n, DataQueue)
	}
	s.data.close()
	s.data.close()
	for range all.C() {
	}
	if _, ok := <-input.C(); ok {
		t.Error("input subscription open after the session closed")
	}
	all.Close()
	if _, ok := <-s.SubscribeData(TopicAgentChat).C(); ok {
		t.Error("a subscription after Close is open")
	}
}

func TestPublishDataRefuses(t *testing.T) {
	s := testSession()
	ctx := context.Background()
	for _, topic := range []string{TopicInput, TopicFocus, TopicURL, TopicCursor, ""} {
		if err := s.PublishData(ctx, topic, AgentChat{Text: "x"}); !errors.Is(err, ErrReservedTopic) {
			t.Errorf("topic %q: %v, want ErrReservedTopic", topic, err)
		}
	}
	if err := s.PublishData(ctx, TopicAgentChat, json.RawMessage(`{"text":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("invalid raw JSON: %v", err)
	}
	if err := s.PublishData(ctx, TopicAgentChat, AgentChat{Text: strings.Repeat("x", MaxDataPayload)}); !errors.Is(err, ErrDataTooBig) {
		t.Errorf("big payload: %v", err)
	}
	if err := s.PublishData(ctx, TopicAgentChat, make(chan int)); err == nil {
		t.Error("an unmarshallable payload was accepted")
	}
	// Without a connection it waits for ctx; after Close it says so.
	short, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.PublishData(short, TopicAgentChat, AgentChat{Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("no connection, cancelled ctx: %v", err)
	}
	s.cancel()
	if err := s.PublishData(ctx, TopicAgentChat, AgentChat{Text: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("closed session: %v", err)
	}
}

func TestAgentPayloads(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{AgentChat{Text: "hello"}, `{"text":"hello"}`},
		{AgentChat{Text: "done", Sender: AgentSender}, `{"text":"done","sender":"agent"}`},
		{AgentStatus{Status: AgentThinking}, `{"status":"thinking"}`},
		{AgentCursor{X: 0, Y: 7, Action: "left_click", Visible: true, Width: 640, Height: 360},
			`{"x":0,"y":7,"action":"left_click","visible":true,"width":640,"height":360}`},
		{AgentCursor{X: 5, Y: 7, Action: "left_click"}, `{"visible":false}`},
	} {
		b, err := json.Marshal(tc.v)
		if err != nil || string(b) != tc.want {
			t.Errorf("%+v: %s, %v; want %s", tc.v, b, err, tc.want)
		}
	}
	var c AgentCursor
	if err := json.Unmarshal([]byte(`{"x":3,"y":4,"action":"scroll","visible":true,"width":10,"height":20}`), &c); err != nil ||
		c != (AgentCursor{X: 3, Y: 4, Action: "scroll", Visible: true, Width: 10, Height: 20}) {
		t.Errorf("decoded %+v, %v", c, err)
	}
}

package room

import (
	"context"
	"image"
	"unicode/utf8"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Room is the agent's Observer: what it does goes to the room.
var _ agent.Observer = (*Room)(nil)

// Status publishes a change of the agent's status on browser-agent-status
// (idle also hides the cursor). Part of agent.Observer.
func (r *Room) Status(s agent.Status) { r.setStatus(r.context(), s) }

// Said publishes the model's text on browser-agent-chat, from the agent
// (long text in several messages). Part of agent.Observer.
func (r *Room) Said(text string) { r.say(r.context(), text) }

// Acting publishes the agent's cursor at the action's point, in page
// pixels with the page's size, on browser-agent-cursor (actions without a
// point leave it where it is), and the status acting. Part of
// agent.Observer.
func (r *Room) Acting(a computer.Action, at *image.Point, pageWidth, pageHeight int) {
	ctx := r.context()
	r.setStatus(ctx, agent.StatusActing)
	if at == nil {
		return
	}
	c := lksession.AgentCursor{X: at.X, Y: at.Y, Action: actionName(a), Visible: true, Width: pageWidth, Height: pageHeight}
	r.mu.Lock()
	r.cursor, r.lastAt = true, c
	r.mu.Unlock()
	r.publish(ctx, lksession.TopicAgentCursor, c)
}

// Acted logs the action's end. Part of agent.Observer.
func (r *Room) Acted(a computer.Action, err error) {
	if err != nil {
		r.log.Debug("action refused", "action", a.Kind, "err", err)
	}
}

// context bounds the observer's publishing by Serve's context.
func (r *Room) context() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx != nil {
		return r.ctx
	}
	return context.Background()
}

// setStatus publishes s if it changed; idle hides the cursor.
func (r *Room) setStatus(ctx context.Context, s agent.Status) {
	r.mu.Lock()
	changed := r.status != s
	r.status = s
	r.mu.Unlock()
	if changed {
		r.publish(ctx, lksession.TopicAgentStatus, lksession.AgentStatus{Status: string(s)})
	}
	if s == agent.StatusIdle {
		r.hideCursor(ctx)
	}
}

// hideCursor hides the cursor if it is shown.
func (r *Room) hideCursor(ctx context.Context) {
	r.mu.Lock()
	shown := r.cursor
	r.cursor = false
	r.mu.Unlock()
	if shown {
		r.publish(ctx, lksession.TopicAgentCursor, lksession.AgentCursor{Visible: false})
	}
}

// chatChunk is the most text one chat message carries, in bytes, well
// under lksession.MaxDataPayload once escaped as JSON.
const chatChunk = 4000

// say publishes text on the chat as the agent, in pieces if long.
func (r *Room) say(ctx context.Context, text string) {
	for text != "" {
		n := len(text)
		if n > chatChunk {
			n = chatChunk
			for n > 0 && !utf8.RuneStart(text[n]) {
				n--
			}
		}
		r.publish(ctx, lksession.TopicAgentChat, lksession.AgentChat{Text: text[:n], Sender: lksession.AgentSender})
		text = text[n:]
	}
}

// publish sends one message to everyone, within publishTimeout; a failure
// is logged.
func (r *Room) publish(ctx context.Context, topic string, v any) {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	if err := r.sess.PublishData(ctx, topic, v); err != nil {
		r.log.Debug("agent message not sent", "topic", topic, "err", err)
	}
}

// actionName names an action as Anthropic's computer tool does, for the
// cursor's "action".
func actionName(a computer.Action) string {
	switch a.Kind {
	case computer.Click:
		switch {
		case a.Count == 2:
			return "double_click"
		case a.Count == 3:
			return "triple_click"
		case a.Button == computer.ButtonRight:
			return "right_click"
		case a.Button == computer.ButtonMiddle:
			return "middle_click"
		}
		return "left_click"
	case computer.MouseDown:
		return "left_mouse_down"
	case computer.MouseUp:
		return "left_mouse_up"
	case computer.Drag:
		return "left_click_drag"
	}
	return string(a.Kind)
}

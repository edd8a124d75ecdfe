package lksession

import "encoding/json"

// Data topics of the reference's BrowserAgent (livekit-plugins-browser,
// browser_agent.py), with the same payloads, so that its viewers show an
// agent driving a page published here. The session does not send them
// itself: an agent does, with PublishData, and reads the chat with
// SubscribeData (package agent/room does both).
const (
	// TopicAgentChat carries chat: from a viewer to the agent
	// AgentChat{Text}, from the agent to everyone AgentChat{Text,
	// Sender: AgentSender}.
	TopicAgentChat = "browser-agent-chat"
	// TopicAgentStatus carries the agent's status, AgentStatus.
	TopicAgentStatus = "browser-agent-status"
	// TopicAgentCursor carries the agent's virtual cursor, AgentCursor.
	TopicAgentCursor = "browser-agent-cursor"

	// AgentSender is AgentChat.Sender on the agent's own messages.
	AgentSender = "agent"
)

// Statuses of TopicAgentStatus.
const (
	AgentThinking = "thinking" // waiting for the model
	AgentActing   = "acting"   // performing an action on the page
	AgentIdle     = "idle"     // waiting for a message
)

// AgentChat is a message on TopicAgentChat: {"text": ...} from a viewer,
// {"text": ..., "sender": "agent"} from the agent.
type AgentChat struct {
	Text   string `json:"text"`
	Sender string `json:"sender,omitempty"`
}

// AgentStatus is a message on TopicAgentStatus: {"status": "thinking" |
// "acting" | "idle"}.
type AgentStatus struct {
	Status string `json:"status"`
}

// AgentCursor is a message on TopicAgentCursor: where the agent acts, in
// page pixels, with the page's size so that a viewer can draw it over a
// scaled picture: {"x", "y", "action", "visible": true, "width",
// "height"}; a hidden cursor is sent as {"visible": false} alone.
type AgentCursor struct {
	X, Y          int
	Action        string
	Visible       bool
	Width, Height int
}

// agentCursorWire is AgentCursor's JSON form while visible.
type agentCursorWire struct {
	X       int    `json:"x"`
	Y       int    `json:"y"`
	Action  string `json:"action"`
	Visible bool   `json:"visible"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
}

// MarshalJSON writes every field of a visible cursor, and only
// {"visible":false} for a hidden one.
func (c AgentCursor) MarshalJSON() ([]byte, error) {
	if !c.Visible {
		return []byte(`{"visible":false}`), nil
	}
	return json.Marshal(agentCursorWire(c))
}

// UnmarshalJSON reads either form.
func (c *AgentCursor) UnmarshalJSON(b []byte) error {
	var w agentCursorWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = AgentCursor(w)
	return nil
}

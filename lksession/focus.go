package lksession

// Focus returns the identity of the participant whose input the page
// takes: AgentIdentity while the local program holds it, "" for nobody.
func (s *Session) Focus() string {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.focus
}

// SetAgentFocus gives focus to the local program (an AI agent driving the
// page through the Page API), so that room input is ignored, or takes it
// back (only if the agent still holds it). A person in the room may still
// take focus from the agent with browser/request-focus; AgentInterrupted
// tells when.
func (s *Session) SetAgentFocus(active bool) { s.ctl.setAgentFocus(active) }

// AgentInterrupted returns a channel that is closed when a participant
// takes focus from the agent. Call it again after SetAgentFocus(true) for
// the next interruption.
func (s *Session) AgentInterrupted() <-chan struct{} {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.interrupted
}

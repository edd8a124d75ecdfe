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
// back (only if the agent still holds it). Giving it takes focus from
// whoever holds it, as the reference's reclaim_agent_focus does: call it
// only when a person handed the page back (released it, or asked the agent
// to go on). A person in the room may still take focus from the agent with
// browser/request-focus; AgentInterrupted tells when.
func (s *Session) SetAgentFocus(active bool) { s.ctl.setAgentFocus(active) }

// TryAgentFocus gives focus to the local program only if nobody holds it
// (or it holds it already), and reports whether it holds it now: the way
// for an agent to take the page back after a person released it without
// racing with a person who asks for it at the same moment.
func (s *Session) TryAgentFocus() bool { return s.ctl.tryAgentFocus() }

// AgentInterrupted returns a channel that is closed when a participant
// takes focus from the agent. Call it again after SetAgentFocus(true) for
// the next interruption.
func (s *Session) AgentInterrupted() <-chan struct{} {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.interrupted
}

// FocusChanged returns a channel that is closed at the next change of the
// focus holder (a grant, a release, a holder who left, SetAgentFocus). To
// wait for a state of focus without missing a change, take the channel
// first, then read Focus, and wait on the channel only if Focus is not yet
// what you wait for:
//
//	for {
//		changed := sess.FocusChanged()
//		if sess.Focus() == "" {
//			break // nobody holds the page
//		}
//		select {
//		case <-changed:
//		case <-ctx.Done():
//			return ctx.Err()
//		}
//	}
func (s *Session) FocusChanged() <-chan struct{} {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	return s.ctl.changed
}

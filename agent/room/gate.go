package room

import (
	"context"
	"fmt"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Gate is the agent's agent.Options.Gate, called before every action. It
// returns nil at once while the agent holds focus. While a person holds
// it, the agent pauses (says so on the chat, goes idle, hides its cursor)
// and Gate waits: until the page is free again, when it takes focus back
// and returns an error matching agent.ErrPageChanged (the action the model
// planned before the person came is not performed: the model sees the page
// as the person left it and decides again); until a chat message arrives,
// when it returns ErrSuperseded (the message is the next Run); or until
// ctx is done or the session ends.
func (r *Room) Gate(ctx context.Context) error {
	for {
		changed := r.sess.FocusChanged() // before reading Focus: no change is missed
		r.mu.Lock()
		wake := r.wake
		superseded := r.paused && r.seq > r.pausedAt
		r.mu.Unlock()
		if superseded {
			return ErrSuperseded
		}
		holder := r.sess.Focus()
		if holder == lksession.AgentIdentity || holder == "" && r.sess.TryAgentFocus() {
			if by := r.resume(ctx); by != "" {
				return fmt.Errorf("%w: %s held it", agent.ErrPageChanged, by)
			}
			return nil
		}
		if holder == "" {
			continue // someone took it between the two looks
		}
		r.pause(ctx, holder)
		select {
		case <-changed:
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-r.sess.Done():
			return lksession.ErrClosed
		}
	}
}

// pause tells the room, once per pause, that the agent stopped for holder.
func (r *Room) pause(ctx context.Context, holder string) {
	r.mu.Lock()
	if r.paused {
		r.mu.Unlock()
		return
	}
	r.paused, r.pausedAt, r.before, r.pausedBy = true, r.seq, r.status, holder
	r.mu.Unlock()
	r.log.Info("paused: a person holds the page", "holder", holder)
	r.say(ctx, r.opts.PausedText)
	r.setStatus(ctx, agent.StatusIdle)
}

// resume tells the room that the agent took the page back, if it had
// paused, and returns who held the page meanwhile ("" if it had not).
func (r *Room) resume(ctx context.Context) string {
	r.mu.Lock()
	if !r.paused {
		r.mu.Unlock()
		return ""
	}
	r.paused = false
	before, by := r.before, r.pausedBy
	r.mu.Unlock()
	r.log.Info("resumed: the page is the agent's again")
	r.say(ctx, r.opts.ResumedText)
	if before != "" {
		r.setStatus(ctx, before)
	}
	return by
}

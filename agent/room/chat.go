package room

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/lkbrowser/lkbrowser/lksession"
)

// readChat queues the viewers' chat messages until sub closes.
func (r *Room) readChat(sub chatSub) {
	var seen uint64
	for m := range sub.C() {
		if d := sub.Dropped(); d > seen {
			r.dropped.Add(d - seen)
			r.log.Warn("chat messages dropped: the agent's reader fell behind", "dropped", d-seen)
			seen = d
		}
		var c lksession.AgentChat
		if err := json.Unmarshal(m.Payload, &c); err != nil {
			r.log.Debug("chat message ignored: not {\"text\": ...}", "from", m.From, "err", err)
			continue
		}
		text := strings.TrimSpace(c.Text)
		if c.Sender == lksession.AgentSender || text == "" {
			continue
		}
		r.enqueue(m.From, cut(text, MaxChatText))
	}
}

// enqueue queues a message and wakes whoever waits for one.
func (r *Room) enqueue(from, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) >= r.opts.MaxQueue {
		r.dropped.Add(1)
		r.log.Warn("chat message dropped: queue full", "from", from, "queued", len(r.queue))
		return
	}
	// Written while a person holds the page: it hands the page back.
	holder := r.sess.Focus()
	r.queue = append(r.queue, message{text: text, reclaim: holder != "" && holder != lksession.AgentIdentity})
	r.seq++
	close(r.wake)
	r.wake = make(chan struct{})
	r.log.Debug("chat message queued", "from", from, "queued", len(r.queue))
}

// message is a queued chat message; reclaim: it was written while a
// person held the page, so its Run takes focus back from them.
type message struct {
	text    string
	reclaim bool
}

// pop takes the oldest queued message; ok is false if none.
func (r *Room) pop() (m message, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return message{}, false
	}
	m = r.queue[0]
	r.queue = r.queue[1:]
	return m, true
}

// nextMessage waits for a queued message until ctx is done.
func (r *Room) nextMessage(ctx context.Context) (message, error) {
	for {
		r.mu.Lock()
		wake := r.wake
		r.mu.Unlock()
		if m, ok := r.pop(); ok {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return message{}, ctx.Err()
		case <-wake:
		}
	}
}

package lksession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
)

// Application data: JSON messages on topics of the program's own (an
// agent's chat, status and cursor, see agent_protocol.go), next to the
// session's remote-control protocol, whose topics stay the session's.

// MaxDataPayload is the largest JSON payload PublishData sends, in bytes
// (LiveKit advises at most 15 KiB for a reliable data packet).
const MaxDataPayload = 15 << 10

// DataQueue is how many messages a DataSubscription holds for its reader;
// a message that finds the queue full is dropped and counted.
const DataQueue = 64

// Errors of PublishData.
var (
	// ErrReservedTopic refuses a topic of the remote-control protocol
	// (browser-input, browser-focus, browser-url, cursor_changed), which
	// only the session itself sends.
	ErrReservedTopic = errors.New("lksession: topic reserved for the session's protocol")
	// ErrDataTooBig refuses a payload larger than MaxDataPayload.
	ErrDataTooBig = errors.New("lksession: data payload too big")
	// ErrClosed is returned by calls on a closed session.
	ErrClosed = errors.New("lksession: session closed")
)

// reservedTopics are the remote-control protocol's topics.
var reservedTopics = []string{TopicInput, TopicFocus, TopicURL, TopicCursor}

// DataMessage is one JSON data message another participant sent.
type DataMessage struct {
	// From is the sender's identity.
	From string
	// Topic is the message's topic.
	Topic string
	// Payload is the message: valid JSON (messages that are not are not
	// delivered).
	Payload json.RawMessage
}

// PublishData sends payload, marshalled to JSON (a json.RawMessage or
// []byte is sent as is, and must be valid JSON), as a reliable data message
// on topic: to the participants named by to, or to everyone when to is
// empty. Topics of the remote-control protocol are refused
// (ErrReservedTopic), as are payloads over MaxDataPayload.
//
// While the session is rejoining the room, PublishData waits for the new
// connection until ctx is done. The send itself is bounded by the SDK's
// connection timeout. Safe for concurrent use.
func (s *Session) PublishData(ctx context.Context, topic string, payload any, to ...string) error {
	if topic == "" || slices.Contains(reservedTopics, topic) {
		return fmt.Errorf("%w: %q", ErrReservedTopic, topic)
	}
	var b []byte
	switch p := payload.(type) {
	case json.RawMessage:
		b = p
	case []byte:
		b = p
	default:
		var err error
		if b, err = json.Marshal(payload); err != nil {
			return fmt.Errorf("lksession: publish on %s: %w", topic, err)
		}
	}
	if !json.Valid(b) {
		return fmt.Errorf("lksession: publish on %s: payload is not valid JSON", topic)
	}
	if len(b) > MaxDataPayload {
		return fmt.Errorf("%w: %d bytes on %s, at most %d", ErrDataTooBig, len(b), topic, MaxDataPayload)
	}
	conn, err := s.waitConnection(ctx)
	if err != nil {
		return err
	}
	opts := []lksdk.DataPublishOption{lksdk.WithDataPublishTopic(topic), lksdk.WithDataPublishReliable(true)}
	if len(to) > 0 {
		opts = append(opts, lksdk.WithDataPublishDestination(to))
	}
	if err := conn.room.LocalParticipant.PublishDataPacket(lksdk.UserData(b), opts...); err != nil {
		return fmt.Errorf("lksession: publish on %s: %w", topic, err)
	}
	return nil
}

// waitConnection returns the current connection, waiting while the session
// rejoins, until ctx is done or the session closes.
func (s *Session) waitConnection(ctx context.Context) (*connection, error) {
	var tick *time.Ticker
	for {
		if s.ctx.Err() != nil {
			return nil, ErrClosed
		}
		if c := s.conn.Load(); c != nil && !c.gone.Load() {
			return c, nil
		}
		if tick == nil {
			tick = time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lksession: waiting for the room connection: %w", ctx.Err())
		case <-s.ctx.Done():
			return nil, ErrClosed
		case <-tick.C:
		}
	}
}

// SubscribeData returns a subscription to the data messages other
// participants send on topics (on every topic outside the remote-control
// protocol when none is given; the protocol's topics are never delivered).
// Its channel holds DataQueue messages: the session never waits for the
// reader; a message that finds the queue full is dropped and counted
// (Dropped). The channel is closed, once, by the subscription's Close or
// the session's.
func (s *Session) SubscribeData(topics ...string) *DataSubscription {
	d := &DataSubscription{hub: s.data, c: make(chan DataMessage, DataQueue)}
	for _, t := range topics {
		if !slices.Contains(reservedTopics, t) {
			d.topics = append(d.topics, t)
		}
	}
	d.all = len(topics) == 0
	s.data.add(d)
	return d
}

// DataSubscription is one reader's subscription to data messages; see
// Session.SubscribeData. Its methods are safe for concurrent use.
type DataSubscription struct {
	hub     *dataHub
	topics  []string
	all     bool
	c       chan DataMessage
	dropped atomic.Uint64
	once    sync.Once
}

// C returns the channel of messages, closed after Close (of the
// subscription or of the session).
func (d *DataSubscription) C() <-chan DataMessage { return d.c }

// Dropped returns how many messages were dropped because the queue was full.
func (d *DataSubscription) Dropped() uint64 { return d.dropped.Load() }

// Close ends the subscription and closes its channel. Idempotent.
func (d *DataSubscription) Close() { d.hub.remove(d) }

func (d *DataSubscription) wants(topic string) bool {
	return d.all || slices.Contains(d.topics, topic)
}

// dataHub fans data messages out to the subscriptions.
type dataHub struct {
	mu     sync.Mutex
	subs   map[*DataSubscription]struct{}
	closed bool
}

func newDataHub() *dataHub { return &dataHub{subs: map[*DataSubscription]struct{}{}} }

func (h *dataHub) add(d *DataSubscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		d.once.Do(func() { close(d.c) })
		return
	}
	h.subs[d] = struct{}{}
}

func (h *dataHub) remove(d *DataSubscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, d)
	d.once.Do(func() { close(d.c) })
}

// deliver hands a message to every subscription that wants its topic,
// without waiting. Called from the SDK's data callback.
func (h *dataHub) deliver(m DataMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for d := range h.subs {
		if !d.wants(m.Topic) {
			continue
		}
		select {
		case d.c <- m:
		default:
			d.dropped.Add(1)
		}
	}
}

// close closes every subscription; later ones start closed.
func (h *dataHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for d := range h.subs {
		d.once.Do(func() { close(d.c) })
	}
	clear(h.subs)
}

// deliverData hands a message on an application topic to the subscribers.
func (s *Session) deliverData(u *lksdk.UserDataPacket, from string) {
	if slices.Contains(reservedTopics, u.Topic) || !json.Valid(u.Payload) {
		return
	}
	s.data.deliver(DataMessage{From: from, Topic: u.Topic, Payload: slices.Clone(u.Payload)})
}

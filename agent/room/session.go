package room

import (
	"context"

	"github.com/lkbrowser/lkbrowser/lksession"
)

// session is what a Room uses of an lksession.Session (a fake in the
// package's tests).
type session interface {
	PublishData(ctx context.Context, topic string, payload any, to ...string) error
	subscribeChat() chatSub
	Focus() string
	FocusChanged() <-chan struct{}
	TryAgentFocus() bool
	SetAgentFocus(active bool)
	Done() <-chan struct{}
	Err() error
}

// chatSub is a subscription to the chat topic.
type chatSub interface {
	C() <-chan lksession.DataMessage
	Dropped() uint64
	Close()
}

// lkSession adapts *lksession.Session.
type lkSession struct{ *lksession.Session }

func (s lkSession) subscribeChat() chatSub { return s.SubscribeData(lksession.TopicAgentChat) }

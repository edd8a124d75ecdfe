package lksession

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser"
)

// watchPage reads the page's events through the session's own
// subscription: address and cursor changes go to the room. When the page crashes or closes
// the session ends (Err says why). It also takes focus back from holders who left unseen.
func (c *control) watchPage() {
	defer c.s.wg.Done()
	defer c.events.Close()
	events := c.events.C()
	holders := time.NewTicker(time.Second)
	defer holders.Stop()
	for {
		select {
		case <-c.s.ctx.Done():
			return
		case <-holders.C:
			if conn := c.s.conn.Load(); conn != nil {
				c.checkHolder(conn)
			}
		case ev, ok := <-events:
			if !ok { // the page closed before the session subscribed
				c.s.end(errors.New("lksession: the page closed"))
				return
			}
			c.pageEvent(ev)
			switch ev := ev.(type) {
			case *lkbrowser.Crashed:
				c.s.end(fmt.Errorf("lksession: the page crashed: %s", ev.Reason))
				return
			case *lkbrowser.Closed:
				c.s.end(errors.New("lksession: the page closed"))
				return
			}
		}
	}
}

func (c *control) pageEvent(ev lkbrowser.Event) {
	conn := c.s.conn.Load()
	switch ev := ev.(type) {
	case *lkbrowser.URLChanged:
		c.mu.Lock()
		c.url = ev.URL
		c.mu.Unlock()
		if conn != nil {
			c.publish(conn, TopicURL, map[string]any{"url": ev.URL}, nil)
		}
	case *lkbrowser.CursorChanged:
		c.mu.Lock()
		c.cursor = ev.Cursor
		c.mu.Unlock()
		if conn != nil && !c.s.opts.ViewOnly {
			c.publish(conn, TopicCursor, map[string]any{"cursor": ev.Cursor}, nil)
		}
	}
}

// announce sends the page's address and the focus holder to to (everyone
// when nil): after joining, rejoining, and to each participant who joins.
func (c *control) announce(conn *connection, to []string) {
	c.mu.Lock()
	url := c.url
	c.mu.Unlock()
	if url != "" {
		c.publish(conn, TopicURL, map[string]any{"url": url}, to)
	}
	if !c.s.opts.ViewOnly {
		c.broadcastFocus(conn, to)
	}
}

// broadcastFocus sends {"identity": holder} (null for nobody).
func (c *control) broadcastFocus(conn *connection, to []string) {
	c.mu.Lock()
	var holder any
	if c.focus != "" {
		holder = c.focus
	}
	c.mu.Unlock()
	c.publish(conn, TopicFocus, map[string]any{"identity": holder}, to)
}

// publish sends a reliable JSON data message on topic.
func (c *control) publish(conn *connection, topic string, v any, to []string) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	opts := []lksdk.DataPublishOption{lksdk.WithDataPublishTopic(topic), lksdk.WithDataPublishReliable(true)}
	if len(to) > 0 {
		opts = append(opts, lksdk.WithDataPublishDestination(to))
	}
	if err := conn.room.LocalParticipant.PublishDataPacket(lksdk.UserData(b), opts...); err != nil {
		c.s.log.Debug("data message not sent", "topic", topic, "err", err)
	}
}

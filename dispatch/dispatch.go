package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// roomCloseGrace is how long a Dispatch waits, after its page left, before
// it decides whether the room closed.
const roomCloseGrace = 2 * time.Second

// EventKind says what happened to a Dispatch.
type EventKind string

// Kinds of Event.
const (
	// Published: the page is published (first time, or after Lost).
	Published EventKind = "published"
	// Lost: the page's participant left or went silent; a new dispatch
	// follows.
	Lost EventKind = "lost"
	// Retrying: a new dispatch for a lost page was not placed yet.
	Retrying EventKind = "retrying"
	// Ended: the Dispatch ended (closed, or its room closed).
	Ended EventKind = "ended"
)

// Event is something that happened to a Dispatch.
type Event struct {
	Kind       EventKind
	Room       string
	DispatchID string
	Worker     string        // AttrWorker of the page (Published)
	Reason     string        // why (Lost, Retrying, Ended)
	Took       time.Duration // from Lost, or Start, to Published
	At         time.Time
}

// Dispatch is a page placed on a worker and kept published. Its methods are
// safe for concurrent use.
type Dispatch struct {
	c    *Client
	room string
	page Page
	meta string
	log  *slog.Logger

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	done   chan struct{} // closed when the watcher has returned

	mu           sync.Mutex
	sid          string // the room's sid when the page was placed
	id, worker   string
	redispatches int
	err          error // why it ended

	closeOnce sync.Once
	closeErr  error
}

// Start places page in room and returns once it is published, or with a
// *NotAcceptedError after Config.AcceptTimeout (the dispatch is deleted
// then), or ctx's error. The Dispatch then keeps the page published until
// Close; ctx bounds Start only.
func (c *Client) Start(ctx context.Context, room string, page Page) (*Dispatch, error) {
	if room == "" {
		return nil, fmt.Errorf("%w: no room", ErrInvalidPage)
	}
	page = page.WithDefaults()
	meta, err := page.Metadata()
	if err != nil {
		return nil, err
	}
	p, err := c.place(ctx, room, page, meta, c.cfg.AcceptTimeout)
	if err != nil {
		return nil, err
	}
	d := &Dispatch{c: c, room: room, page: page, meta: meta, id: p.id, worker: p.worker, done: make(chan struct{}),
		log: c.log.With("room", room)}
	if d.sid, err = c.roomSID(ctx, room); err != nil {
		d.log.Warn("room sid unknown", "err", err)
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.emit(Event{Kind: Published, DispatchID: p.id, Worker: p.worker, Took: p.took})
	go d.watch()
	return d, nil
}

// Room returns the dispatch's room.
func (d *Dispatch) Room() string { return d.room }

// Page returns the page, with defaults.
func (d *Dispatch) Page() Page { return d.page }

// ID returns the current dispatch id (a new one after each re-dispatch).
func (d *Dispatch) ID() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.id
}

// Worker returns the worker that runs the page now (its registration id),
// "" while it is being placed again.
func (d *Dispatch) Worker() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.worker
}

// Redispatches returns how many times the page was placed again.
func (d *Dispatch) Redispatches() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.redispatches
}

// Done is closed when the Dispatch has ended: closed, or its room closed.
func (d *Dispatch) Done() <-chan struct{} { return d.done }

// Err returns why the Dispatch ended (ErrRoomClosed, ErrClosed), nil
// while it runs.
func (d *Dispatch) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Close stops watching and deletes the dispatch: the server terminates the
// job and the worker closes the page. If the page's participant is still
// in the room 10 s later it is removed. Close is idempotent and returns
// errors.Join of what failed.
func (d *Dispatch) Close() error {
	d.closeOnce.Do(func() {
		d.cancel()
		<-d.done
		d.mu.Lock()
		id := d.id
		if d.err == nil || errors.Is(d.err, ErrClosed) {
			d.err = ErrClosed
		}
		ended := errors.Is(d.err, ErrRoomClosed)
		d.mu.Unlock()
		if ended {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := d.c.deleteDispatch(ctx, d.room, id)
		if err == nil {
			err = d.waitGone(ctx, id)
		}
		d.closeErr = err
		d.emit(Event{Kind: Ended, DispatchID: id, Reason: "closed"})
	})
	return d.closeErr
}

// waitGone waits up to 10 s for the page of dispatch id to leave, then
// removes it.
func (d *Dispatch) waitGone(ctx context.Context, id string) error {
	until := time.Now().Add(10 * time.Second)
	for time.Now().Before(until) {
		ps, err := d.c.participants(ctx, d.room)
		if err != nil || pageOf(ps, d.page.Identity, id) == nil {
			return nil // no room (it closed) or no page: gone
		}
		time.Sleep(waitPoll)
	}
	d.log.Warn("page still in the room 10 s after its dispatch was deleted; removing it")
	return d.c.removeParticipant(ctx, d.room, d.page.Identity)
}

// emit sends ev to Config.OnEvent.
func (d *Dispatch) emit(ev Event) {
	ev.Room, ev.At = d.room, time.Now()
	if d.c.cfg.OnEvent != nil {
		d.c.cfg.OnEvent(ev)
	}
}

// end records why the Dispatch ended.
func (d *Dispatch) end(err error) {
	d.mu.Lock()
	d.err = err
	d.mu.Unlock()
}

// watch looks at the page every PollInterval and places it again when it
// is lost, until Close or the room closes.
func (d *Dispatch) watch() {
	defer close(d.done)
	cfg := d.c.cfg
	lastBeat, beatAt := "", time.Now()
	tick := time.NewTicker(cfg.PollInterval)
	defer tick.Stop()
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-tick.C:
		}
		id := d.ID()
		ps, err := d.c.participants(d.ctx, d.room)
		if err != nil {
			if d.ctx.Err() != nil {
				return
			}
			if d.roomGone() {
				d.closed()
				return
			}
			d.log.Warn("cannot look at the page", "err", err)
			continue
		}
		p := pageOf(ps, d.page.Identity, id)
		reason := ""
		switch {
		case p == nil:
			reason = "the page's participant left the room"
		case p.Attributes[AttrHeartbeat] != lastBeat:
			lastBeat, beatAt = p.Attributes[AttrHeartbeat], time.Now()
		case time.Since(beatAt) > cfg.LivenessTimeout:
			reason = fmt.Sprintf("no heartbeat from the page's worker for %v", time.Since(beatAt).Round(time.Second))
		}
		if reason == "" {
			continue
		}
		if !d.replace(id, reason, p != nil) {
			return
		}
		lastBeat, beatAt = "", time.Now()
	}
}

// roomGone reports whether the page's room no longer exists, or exists
// anew (another sid: the one the page was placed in closed). Unknown counts
// as not gone.
func (d *Dispatch) roomGone() bool {
	sid, err := d.c.roomSID(d.ctx, d.room)
	if err != nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return sid == "" || (d.sid != "" && sid != d.sid)
}

// closed ends the Dispatch because its room is gone.
func (d *Dispatch) closed() {
	d.log.Info("the room is gone; the dispatch ends")
	d.end(ErrRoomClosed)
	d.emit(Event{Kind: Ended, DispatchID: d.ID(), Reason: "the room is closed"})
}

// replace places the page again after it was lost; false when the
// Dispatch ends instead.
func (d *Dispatch) replace(id, reason string, present bool) bool {
	lostAt := time.Now()
	d.log.Warn("page lost", "dispatch", id, "worker", d.Worker(), "reason", reason)
	if !present { // a closing room drops its participants first: let it finish
		select {
		case <-d.ctx.Done():
			return false
		case <-time.After(roomCloseGrace):
		}
	}
	if d.roomGone() {
		d.closed()
		return false
	}
	d.mu.Lock()
	d.worker = ""
	d.mu.Unlock()
	d.emit(Event{Kind: Lost, DispatchID: id, Reason: reason})
	if err := d.c.deleteDispatch(d.ctx, d.room, id); err != nil {
		d.log.Warn("could not delete the lost dispatch", "err", err)
	}
	if present { // a silent page: make room for its successor
		if err := d.c.removeParticipant(d.ctx, d.room, d.page.Identity); err != nil {
			d.log.Warn("could not remove the silent page", "err", err)
		}
	}
	wait := time.Second
	for {
		p, err := d.c.place(d.ctx, d.room, d.page, d.meta, d.c.cfg.AcceptTimeout)
		if err == nil {
			d.mu.Lock()
			d.id, d.worker = p.id, p.worker
			d.redispatches++
			d.mu.Unlock()
			d.emit(Event{Kind: Published, DispatchID: p.id, Worker: p.worker, Took: time.Since(lostAt)})
			d.log.Info("page published again", "dispatch", p.id, "worker", p.worker, "took", time.Since(lostAt).Round(time.Millisecond))
			return true
		}
		if d.ctx.Err() != nil {
			return false
		}
		d.log.Warn("page not placed yet; retrying", "err", err, "retry_in", wait)
		d.emit(Event{Kind: Retrying, Reason: err.Error()})
		if d.roomGone() {
			d.closed()
			return false
		}
		select {
		case <-d.ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

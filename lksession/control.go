package lksession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"golang.org/x/time/rate"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/clicks"
)

// inputQueue bounds the page operations waiting to run (as in the
// reference); a message that finds it full is dropped whole.
const inputQueue = 256

// control arbitrates focus, serves the RPCs and runs room input on the
// page, one operation at a time in arrival order.
type control struct {
	s      *Session
	policy lkbrowser.URLPolicy
	jobs   chan job
	events *lkbrowser.EventSubscription // the session's reader of the page's events

	mu          sync.Mutex
	focus       string    // the focus holder's identity; "" for nobody
	focusSince  time.Time // when focus was granted to it
	interrupted chan struct{}
	changed     chan struct{} // closed and replaced on every change of focus
	url, cursor string
	limiters    map[string]*rate.Limiter
	lastWarn    map[string]time.Time

	clicks clicks.Counter // owned by work
}

// job is one page operation; done, when set, receives its result.
type job struct {
	name string
	run  func(ctx context.Context) error
	done chan error
}

func newControl(s *Session) *control {
	return &control{
		s:           s,
		policy:      lkbrowser.URLPolicy{Schemes: s.opts.AllowedSchemes},
		jobs:        make(chan job, inputQueue),
		interrupted: make(chan struct{}),
		changed:     make(chan struct{}),
		events:      s.page.SubscribeEvents(), // before the URL: no change is missed
		url:         s.page.URL(),
		limiters:    map[string]*rate.Limiter{},
		lastWarn:    map[string]time.Time{},
	}
}

// register installs the RPC handlers on a room before it is joined.
func (c *control) register(room *lksdk.Room) error {
	for method, h := range map[string]lksdk.RpcHandlerFunc{
		MethodRequestFocus: c.requestFocus,
		MethodReleaseFocus: c.releaseFocus,
		MethodNavigate:     c.navigate,
		MethodGoBack:       c.history("go back", (*lkbrowser.Page).GoBack),
		MethodGoForward:    c.history("go forward", (*lkbrowser.Page).GoForward),
	} {
		if err := room.RegisterRpcMethod(method, h); err != nil {
			return fmt.Errorf("lksession: register %s: %w", method, err)
		}
	}
	return nil
}

// work runs the queued page operations until Close.
func (c *control) work() {
	defer c.s.wg.Done()
	for {
		select {
		case <-c.s.ctx.Done():
			return
		case j := <-c.jobs:
			ctx, cancel := context.WithTimeout(c.s.ctx, opTimeout)
			err := j.run(ctx)
			cancel()
			if err != nil && c.s.ctx.Err() == nil {
				c.s.log.Warn("room operation failed", "op", j.name, "err", err)
			}
			if j.done != nil {
				j.done <- err
			}
		}
	}
}

// enqueue queues j without blocking; false when the queue is full.
func (c *control) enqueue(j job) bool {
	select {
	case c.jobs <- j:
		return true
	default:
		c.s.stats.inputDropped.Add(1)
		return false
	}
}

// await queues j and waits for its result, within the caller's RPC timeout.
func (c *control) await(name string, timeout time.Duration, run func(ctx context.Context) error) error {
	j := job{name: name, run: run, done: make(chan error, 1)}
	if !c.enqueue(j) {
		return lksdk.NewRpcError(lksdk.RpcApplicationError, "busy: too many operations queued", nil)
	}
	if timeout <= 0 || timeout > opTimeout {
		timeout = opTimeout
	}
	select {
	case err := <-j.done:
		return err
	case <-time.After(timeout):
		return lksdk.NewRpcError(lksdk.RpcApplicationError, name+": still running after "+timeout.String(), nil)
	case <-c.s.ctx.Done():
		return lksdk.NewRpcError(lksdk.RpcApplicationError, "session closed", nil)
	}
}

// reply encodes an RPC response.
func reply(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// refuse is an RPC error with a message for the caller.
func refuse(format string, args ...any) error {
	return lksdk.NewRpcError(lksdk.RpcApplicationError, fmt.Sprintf(format, args...), nil)
}

func (c *control) requestFocus(d lksdk.RpcInvocationData) (string, error) {
	c.mu.Lock()
	prev := c.focus
	if prev != "" && prev != AgentIdentity && prev != d.CallerIdentity {
		c.mu.Unlock()
		return reply(map[string]any{"granted": false, "holder": prev})
	}
	c.focus = d.CallerIdentity
	if prev != d.CallerIdentity {
		c.focusSince = time.Now()
	}
	if prev == AgentIdentity {
		close(c.interrupted)
		c.interrupted = make(chan struct{})
	}
	c.mu.Unlock()
	if prev != d.CallerIdentity {
		c.s.log.Info("focus granted", "to", d.CallerIdentity, "from", prev)
		c.focusChanged(true)
	}
	return reply(map[string]any{"granted": true})
}

func (c *control) releaseFocus(d lksdk.RpcInvocationData) (string, error) {
	c.mu.Lock()
	held := c.focus == d.CallerIdentity
	if held {
		c.focus = ""
	}
	c.mu.Unlock()
	if held {
		c.s.log.Info("focus released", "by", d.CallerIdentity)
		c.focusChanged(false)
	}
	return reply(map[string]any{"released": held})
}

// mayNavigate refuses navigation while another participant holds focus
// (the agent's focus does not block people, as in the reference).
func (c *control) mayNavigate(caller string) error {
	c.mu.Lock()
	holder := c.focus
	c.mu.Unlock()
	if holder != "" && holder != AgentIdentity && holder != caller {
		return refuse("refused: %s holds focus", holder)
	}
	return nil
}

func (c *control) navigate(d lksdk.RpcInvocationData) (string, error) {
	var req struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(d.Payload), &req); err != nil {
		c.warn(d.CallerIdentity, "navigate refused: bad payload", "err", err)
		return "", refuse("bad payload: want {\"url\": \"...\"}")
	}
	if err := c.policy.Check(req.URL); err != nil {
		c.warn(d.CallerIdentity, "navigate refused", "err", err)
		return "", refuse("refused: %v", err)
	}
	if err := c.mayNavigate(d.CallerIdentity); err != nil {
		return "", err
	}
	err := c.await("navigate", d.ResponseTimeout-time.Second, func(ctx context.Context) error {
		return c.s.page.Navigate(ctx, req.URL)
	})
	if err != nil {
		return "", asRPCError(err)
	}
	return reply(map[string]any{"status": "ok"})
}

func (c *control) history(name string, op func(*lkbrowser.Page, context.Context) error) lksdk.RpcHandlerFunc {
	return func(d lksdk.RpcInvocationData) (string, error) {
		if err := c.mayNavigate(d.CallerIdentity); err != nil {
			return "", err
		}
		err := c.await(name, d.ResponseTimeout-time.Second, func(ctx context.Context) error {
			return op(c.s.page, ctx)
		})
		if err != nil {
			return "", asRPCError(err)
		}
		return reply(map[string]any{"status": "ok"})
	}
}

// asRPCError gives the caller the reason of a failed page operation.
func asRPCError(err error) error {
	var rpcErr *lksdk.RpcError
	if errors.As(err, &rpcErr) {
		return err
	}
	return refuse("%v", err)
}

// focusChanged tells the page and the room about a new focus holder.
func (c *control) focusChanged(focused bool) {
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	c.enqueue(job{name: "focus", run: func(ctx context.Context) error { return c.s.page.SetFocus(ctx, focused) }})
	if conn := c.s.conn.Load(); conn != nil {
		c.broadcastFocus(conn, nil)
	}
}

// onLeft releases the focus of a participant who left the room.
func (c *control) onLeft(identity string) {
	c.mu.Lock()
	held := c.focus == identity
	if held {
		c.focus = ""
	}
	delete(c.limiters, identity)
	delete(c.lastWarn, identity)
	c.mu.Unlock()
	if held {
		c.s.log.Info("focus holder left; focus released", "identity", identity)
		c.focusChanged(false)
	}
}

// holderGrace is how long a focus holder may stay unknown to the room
// before its focus is taken back. The server announces participants that
// publish nothing in batches every 3 s, and one who joins and leaves
// within a batch is never announced at all, neither its arrival nor its
// departure (livekit-server pkg/rtc PushAndDequeueUpdates).
const holderGrace = 5 * time.Second

// checkHolder takes focus back from a holder who is not in the room.
func (c *control) checkHolder(conn *connection) {
	c.mu.Lock()
	holder, since := c.focus, c.focusSince
	c.mu.Unlock()
	if holder == "" || holder == AgentIdentity || time.Since(since) < holderGrace ||
		conn.room.GetParticipantByIdentity(holder) != nil {
		return
	}
	c.onLeft(holder)
}

// onJoined tells a new participant the page's address and focus holder.
func (c *control) onJoined(conn *connection, identity string) {
	c.announce(conn, []string{identity})
}

// onData takes a browser-input message from the room.
func (c *control) onData(d lksdk.DataPacket, p lksdk.DataReceiveParams) {
	u, ok := d.(*lksdk.UserDataPacket)
	if !ok {
		return
	}
	if u.Topic != TopicInput {
		c.s.deliverData(u, p.SenderIdentity)
		return
	}
	if c.s.opts.ViewOnly {
		return
	}
	sender := p.SenderIdentity
	c.mu.Lock()
	holder := c.focus
	lim := c.limiters[sender]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(c.s.opts.InputRate), c.s.opts.InputBurst)
		c.limiters[sender] = lim
	}
	c.mu.Unlock()
	if sender == "" || sender != holder {
		c.s.stats.inputRefused.Add(1)
		c.warn(sender, "input refused: sender does not hold focus", "holder", holder)
		return
	}
	events, err := DecodeInput(u.Payload)
	if err != nil {
		c.s.stats.inputRefused.Add(1)
		c.warn(sender, "input refused", "err", err)
		return
	}
	if !lim.AllowN(time.Now(), len(events)) {
		c.s.stats.inputDropped.Add(uint64(len(events)))
		c.warn(sender, "input dropped: rate limit", "events", len(events), "limit_per_s", c.s.opts.InputRate)
		return
	}
	if c.enqueue(job{name: "input", run: func(ctx context.Context) error { return c.apply(ctx, sender, events) }}) {
		c.s.stats.inputEvents.Add(uint64(len(events)))
	} else {
		c.warn(sender, "input dropped: queue full", "events", len(events))
	}
}

// apply runs a message's events on the page, unless its sender lost focus
// while it waited.
func (c *control) apply(ctx context.Context, sender string, events []InputEvent) error {
	c.mu.Lock()
	holder := c.focus
	c.mu.Unlock()
	if holder != sender {
		return nil
	}
	p := c.s.page
	for _, ev := range coalesceMoves(events) {
		at := lkbrowser.MouseEvent{X: ev.X, Y: ev.Y, Modifiers: lkbrowser.Modifiers(ev.Modifiers)}
		var err error
		switch ev.Type {
		case InputMouseMove:
			err = p.SendMouseMove(ctx, at, false)
		case InputMouseDown:
			n := c.clicks.Down(ev.X, ev.Y, ev.Button, time.Now())
			err = p.SendMouseClick(ctx, at, lkbrowser.MouseButton(ev.Button), false, n)
		case InputMouseUp:
			err = p.SendMouseClick(ctx, at, lkbrowser.MouseButton(ev.Button), true, c.clicks.Up(ev.Button))
		case InputWheel:
			err = p.SendMouseWheel(ctx, at, ev.DeltaX, ev.DeltaY)
		case InputKeyDown:
			err = p.SendKeyEvent(ctx, lkbrowser.KeyEvent{Type: lkbrowser.KeyRawDown, Modifiers: lkbrowser.Modifiers(ev.Modifiers), WindowsKeyCode: ev.KeyCode})
		case InputKeyUp:
			err = p.SendKeyEvent(ctx, lkbrowser.KeyEvent{Type: lkbrowser.KeyUp, Modifiers: lkbrowser.Modifiers(ev.Modifiers), WindowsKeyCode: ev.KeyCode})
		case InputChar:
			err = p.SendKeyEvent(ctx, lkbrowser.KeyEvent{Type: lkbrowser.KeyChar, Modifiers: lkbrowser.Modifiers(ev.Modifiers), WindowsKeyCode: ev.KeyCode, Character: ev.CharCode})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", ev.Type, err)
		}
	}
	return nil
}

// coalesceMoves keeps only the last of each run of consecutive mouse
// moves. Chromium acknowledges a move once the renderer has taken it, about
// one frame, so a message of 256 moves would hold the page's input for
// seconds; Chromium itself coalesces moves to one a frame, and a viewer
// sends a message about once a frame. Clicks, wheels and keys are kept, in
// order, and each lands at its own position.
func coalesceMoves(events []InputEvent) []InputEvent {
	out := events[:0] // in place: each kept event moves down, never past one still to read
	for i, ev := range events {
		if ev.Type == InputMouseMove && i+1 < len(events) && events[i+1].Type == InputMouseMove {
			continue
		}
		out = append(out, ev)
	}
	return out
}

// warn logs a refusal, at most once a second per participant, so that a
// flood of bad messages cannot flood the log.
func (c *control) warn(identity, msg string, args ...any) {
	now := time.Now()
	c.mu.Lock()
	last, seen := c.lastWarn[identity]
	if !seen || now.Sub(last) >= time.Second {
		c.lastWarn[identity] = now
	} else {
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.s.log.Warn(msg, append([]any{"participant", identity}, args...)...)
}

// setAgentFocus gives focus to the local agent, or takes it back.
func (c *control) setAgentFocus(active bool) {
	c.mu.Lock()
	prev := c.focus
	switch {
	case active:
		c.focus = AgentIdentity
	case prev == AgentIdentity:
		c.focus = ""
	}
	changed := c.focus != prev
	c.mu.Unlock()
	if changed {
		c.focusChanged(active)
	}
}

// tryAgentFocus gives focus to the local agent if nobody holds it.
func (c *control) tryAgentFocus() bool {
	c.mu.Lock()
	prev := c.focus
	if prev != "" && prev != AgentIdentity {
		c.mu.Unlock()
		return false
	}
	c.focus = AgentIdentity
	c.mu.Unlock()
	if prev == "" {
		c.focusChanged(true)
	}
	return true
}

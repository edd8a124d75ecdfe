package room

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Runner is what Serve drives: *agent.Agent, or a test double. Its Runs
// must call the Room's Gate before each action and report to the Room as
// its agent.Observer.
type Runner interface {
	// Run gives the agent a user message and runs until its turn ends.
	Run(ctx context.Context, text string) (agent.Outcome, error)
}

// Defaults of Options.
const (
	// DefaultMaxQueue is Options.MaxQueue's default.
	DefaultMaxQueue = 16
	// DefaultPausedText is what the agent says when a person takes the page.
	DefaultPausedText = "(paused — you have control)"
	// DefaultResumedText is what it says when it takes the page back.
	DefaultResumedText = "(resuming)"
	// DefaultAnnounce is Options.Announce's default.
	DefaultAnnounce = 3 * time.Second
	// MaxChatText is the longest chat message taken from a viewer, in
	// characters; longer ones are cut.
	MaxChatText = 4000
)

// publishTimeout bounds each message the Room publishes.
const publishTimeout = 5 * time.Second

// ErrSuperseded is what Gate returns to end a paused Run because a chat
// message arrived: the message is the next Run.
var ErrSuperseded = errors.New("room: a new chat message replaces the paused run")

// ErrBusy is returned by a second concurrent Serve on one Room.
var ErrBusy = errors.New("room: Serve is already running")

// Options configure a Room. The zero value is usable.
type Options struct {
	// MaxQueue is how many chat messages wait while the agent works.
	// Default DefaultMaxQueue.
	MaxQueue int
	// PausedText and ResumedText are said on the chat when a person takes
	// the page from the agent and when the agent takes it back. Defaults
	// DefaultPausedText and DefaultResumedText.
	PausedText, ResumedText string
	// Announce is how often Serve tells the room the agent's status (and
	// its cursor while shown) again, so that a viewer who joins late learns
	// them: the topics, as the reference's, only send changes. Default
	// DefaultAnnounce; negative: never.
	Announce time.Duration
	// Logger receives the Room's logs; discarded when nil.
	Logger *slog.Logger
}

// Room connects an agent to a session's room: see the package
// documentation.
type Room struct {
	sess session
	opts Options
	log  *slog.Logger

	serving atomic.Bool
	dropped atomic.Uint64

	mu       sync.Mutex
	queue    []message             // chat messages waiting for a Run
	seq      uint64                // messages queued so far
	wake     chan struct{}         // closed and replaced when a message is queued
	status   agent.Status          // the last status published
	cursor   bool                  // the cursor is shown
	lastAt   lksession.AgentCursor // the cursor last shown
	paused   bool                  // the Run in flight stopped for a person
	pausedAt uint64                // seq when it paused
	pausedBy string                // who held the page when it paused
	before   agent.Status          // the status when it paused
	ctx      context.Context       // Serve's, for the observer; nil outside Serve
}

// New returns a Room for sess. Pass it to agent.New as Options.Gate
// (r.Gate) and Options.Observer (r), then call Serve.
func New(sess *lksession.Session, opts Options) *Room {
	return newRoom(lkSession{sess}, opts)
}

func newRoom(sess session, opts Options) *Room {
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = DefaultMaxQueue
	}
	if opts.PausedText == "" {
		opts.PausedText = DefaultPausedText
	}
	if opts.ResumedText == "" {
		opts.ResumedText = DefaultResumedText
	}
	if opts.Announce == 0 {
		opts.Announce = DefaultAnnounce
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Room{sess: sess, opts: opts, log: opts.Logger.With("component", "agent/room"), wake: make(chan struct{})}
}

// Dropped returns how many chat messages were dropped: the queue was
// full, or the session's own queue for the chat was.
func (r *Room) Dropped() uint64 { return r.dropped.Load() }

// Serve runs task (none when empty), then each chat message from the room
// as a new Run of runner, in order, until ctx is done (it returns
// ctx.Err()) or the session ends (it returns lksession.ErrClosed, or the
// session's Err). A Run's error is said on the chat and logged, and Serve
// goes on with the next message. Before it returns the status is idle, the
// cursor hidden and the agent's focus released.
func (r *Room) Serve(ctx context.Context, runner Runner, task string) error {
	if !r.serving.CompareAndSwap(false, true) {
		return ErrBusy
	}
	defer r.serving.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
	sub := r.sess.subscribeChat()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); r.readChat(sub) }()
	go func() { defer wg.Done(); r.announce(ctx) }()
	go func() {
		defer wg.Done()
		select {
		case <-r.sess.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	defer func() {
		cancel()
		sub.Close()
		wg.Wait()
		r.mu.Lock()
		r.ctx = nil
		r.mu.Unlock()
		r.finish()
	}()

	next, queued := message{text: task}, task != ""
	for {
		if !queued {
			var err error
			if next, err = r.nextMessage(ctx); err != nil {
				return r.why(ctx)
			}
		}
		r.runOne(ctx, runner, next.text, next.reclaim)
		if ctx.Err() != nil {
			return r.why(ctx)
		}
		if next, queued = r.pop(); !queued {
			// Idle with nothing to do: the page is the room's.
			r.sess.SetAgentFocus(false)
		}
	}
}

// why is Serve's error once ctx is done: the session's end, or ctx's.
func (r *Room) why(ctx context.Context) error {
	select {
	case <-r.sess.Done():
		if err := r.sess.Err(); err != nil {
			return err
		}
		return lksession.ErrClosed
	default:
		return ctx.Err()
	}
}

// runOne runs one message. reclaim takes focus from a person first (a chat
// message written while a person holds the page hands it back to the
// agent, as in the reference); otherwise a person keeps it and the Gate
// waits for them.
func (r *Room) runOne(ctx context.Context, runner Runner, text string, reclaim bool) {
	r.mu.Lock()
	r.paused = false
	r.mu.Unlock()
	if reclaim {
		r.sess.SetAgentFocus(true)
	} else {
		r.sess.TryAgentFocus() // a person keeps it; Gate waits for them
	}
	out, err := runner.Run(ctx, text)
	switch {
	case err == nil:
		r.log.Debug("run ended", "reason", out.Reason, "steps", out.Steps, "actions", out.Actions, "errors", out.Errors)
	case errors.Is(err, ErrSuperseded):
		r.log.Info("paused run replaced by a chat message")
	case ctx.Err() != nil:
		r.log.Debug("run cancelled", "err", err)
	default:
		r.log.Warn("run failed", "err", err)
		r.say(ctx, "(error: "+cut(err.Error(), 300)+")")
	}
	r.setStatus(ctx, agent.StatusIdle)
}

// announce tells the room the status (idle before the first) and the
// cursor, if shown, every Options.Announce until ctx is done.
func (r *Room) announce(ctx context.Context) {
	if r.opts.Announce < 0 {
		return
	}
	tick := time.NewTicker(r.opts.Announce)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		r.mu.Lock()
		status, shown, at := r.status, r.cursor, r.lastAt
		r.mu.Unlock()
		if status == "" {
			status = agent.StatusIdle
		}
		r.publish(ctx, lksession.TopicAgentStatus, lksession.AgentStatus{Status: string(status)})
		if shown {
			r.publish(ctx, lksession.TopicAgentCursor, at)
		}
	}
}

// finish leaves the room as Serve found it: idle, no cursor, no focus.
func (r *Room) finish() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if r.sess.Err() == nil {
		r.setStatus(ctx, agent.StatusIdle)
		r.hideCursor(ctx)
	}
	r.sess.SetAgentFocus(false)
}

// cut shortens s to n characters, marking the cut.
func cut(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

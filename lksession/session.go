package lksession

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/livekit/protocol/livekit"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser"
)

// Session publishes one page into a LiveKit room and lets the room drive
// it. See the package documentation.
type Session struct {
	page *lkbrowser.Page
	opts Options
	log  *slog.Logger // redacts secrets (redact.go)
	red  redactor

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	conn atomic.Pointer[connection] // the current room connection; nil while rejoining
	lost chan struct{}              // a connection was lost for good (cap 1)

	video *videoPublisher
	audio *audioPublisher
	ctl   *control
	data  *dataHub // the program's data subscriptions (data.go)

	closeOnce sync.Once
	closeErr  error
	done      chan struct{}         // closed when Close has finished
	endErr    atomic.Pointer[error] // why the session ended by itself

	stats counters
}

// Start joins the room, publishes the page's video (and audio, once the page
// makes sound) and serves remote control, until Close. ctx bounds the first
// connection only; later reconnections are the session's own business.
//
// The session reads the page through subscriptions of its own (frames,
// audio, events) from now until Close; the page's Frames, Audio and Events
// stay the caller's, as do other subscriptions (a Recorder). The page
// stays the caller's: Close leaves it open.
func Start(ctx context.Context, page *lkbrowser.Page, opts Options) (*Session, error) {
	if page == nil {
		return nil, &OptionsError{Reason: "nil page"}
	}
	if err := opts.withDefaults(page.Width(), page.Height(), page.FrameRate()); err != nil {
		return nil, err
	}
	red := newRedactor(opts.APISecret, opts.Token)
	s := &Session{
		page: page,
		opts: opts,
		log:  slog.New(redactHandler{inner: opts.Logger.Handler(), r: red}).With("component", "lksession", "room", opts.Room, "identity", opts.Identity),
		red:  red,
		lost: make(chan struct{}, 1),
		done: make(chan struct{}),
		data: newDataHub(),
	}
	if page.Egress() == nil && !opts.ViewOnly {
		// Room participants will drive a page that reaches everything the
		// machine reaches; the CLI never does this unless told to.
		s.log.Warn("the page has no egress policy: participants who drive it can reach private addresses (give the page an EgressPolicy with BlockPrivate)")
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var err error
	if s.video, err = newVideoPublisher(s); err != nil {
		s.cancel()
		return nil, err
	}
	s.audio = newAudioPublisher(s)
	s.ctl = newControl(s)

	c, err := s.connect(ctx)
	if err != nil {
		s.cancel()
		s.video.closeEncoder()
		s.ctl.events.Close()
		s.data.close()
		return nil, err
	}
	s.conn.Store(c)

	s.wg.Add(5)
	go s.video.run()
	go s.audio.run()
	go s.ctl.work()
	go s.ctl.watchPage()
	go s.supervise()
	s.video.requestKeyframe()
	s.ctl.announce(c, nil)
	return s, nil
}

// connection is one joined room and the tracks published in it.
type connection struct {
	room  *lksdk.Room
	video *lksdk.LocalTrack
	audio atomic.Pointer[audioTrack] // set when audio is published
	gone  atomic.Bool                // disconnected for good
}

// connect joins the room and publishes the video track (and the audio track
// if the page has made sound already).
func (s *Session) connect(ctx context.Context) (*connection, error) {
	c := &connection{}
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnectedWithReason = func(reason lksdk.DisconnectionReason) { s.onDisconnected(c, reason) }
	cb.OnParticipantConnected = func(p *lksdk.RemoteParticipant) { s.ctl.onJoined(c, p.Identity()) }
	cb.OnParticipantDisconnected = func(p *lksdk.RemoteParticipant) { s.ctl.onLeft(p.Identity()) }
	cb.OnDataPacket = func(d lksdk.DataPacket, p lksdk.DataReceiveParams) { s.ctl.onData(d, p) }
	cb.OnReconnecting = func() { s.log.Info("connection lost, the SDK is reconnecting") }
	cb.OnReconnected = func() {
		s.stats.reconnects.Add(1)
		s.log.Info("reconnected")
		s.video.requestKeyframe()
		s.ctl.announce(c, nil)
	}
	room := lksdk.NewRoom(cb)
	room.SetLogger(sdkLogger(s.log))
	c.room = room
	if !s.opts.ViewOnly {
		if err := s.ctl.register(room); err != nil {
			return nil, err
		}
	}

	var err error
	if s.opts.Token != "" {
		err = room.JoinWithContextAndToken(ctx, s.opts.URL, s.opts.Token, lksdk.WithAutoSubscribe(false))
	} else {
		err = room.JoinWithContext(ctx, s.opts.URL, lksdk.ConnectInfo{
			APIKey:              s.opts.APIKey,
			APISecret:           s.opts.APISecret,
			RoomName:            s.opts.Room,
			ParticipantIdentity: s.opts.Identity,
			ParticipantName:     s.opts.Name,
		}, lksdk.WithAutoSubscribe(false))
	}
	if err != nil {
		room.Disconnect()
		// The server's refusal quotes the token.
		return nil, s.red.error(fmt.Errorf("lksession: join %s: %w", s.opts.URL, err))
	}
	if c.video, err = s.video.publish(room); err != nil {
		room.Disconnect()
		return nil, err
	}
	if err := s.audio.publishIfStarted(c); err != nil {
		s.log.Warn("audio track not republished", "err", err)
	}
	return c, nil
}

// onDisconnected runs when the SDK gave up on a connection (or Close left).
func (s *Session) onDisconnected(c *connection, reason lksdk.DisconnectionReason) {
	if c.gone.Swap(true) || s.ctx.Err() != nil {
		return
	}
	if s.opts.NoRejoin {
		s.end(fmt.Errorf("lksession: disconnected from the room (%v)", reason))
		return
	}
	s.log.Warn("disconnected from the room; rejoining", "reason", reason)
	select {
	case s.lost <- struct{}{}:
	default:
	}
}

// supervise rejoins the room after a connection was lost for good, with
// back-off, until Close.
func (s *Session) supervise() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.lost:
		}
		old := s.conn.Swap(nil)
		if old != nil {
			s.dropConnection(old)
		}
		wait := 250 * time.Millisecond
		for attempt := 1; ; attempt++ {
			ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
			c, err := s.connect(ctx)
			cancel()
			if err == nil {
				s.conn.Store(c)
				s.stats.reconnects.Add(1)
				s.log.Info("rejoined the room", "attempt", attempt)
				s.video.requestKeyframe()
				s.ctl.announce(c, nil)
				break
			}
			if s.ctx.Err() != nil {
				return
			}
			s.log.Warn("rejoin failed", "attempt", attempt, "retry_in", wait, "err", err)
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, reconnectMax)
		}
	}
}

// dropConnection leaves a room and releases its tracks.
func (s *Session) dropConnection(c *connection) {
	c.gone.Store(true)
	c.room.Disconnect()
	if c.video != nil {
		_ = c.video.Close()
	}
	if a := c.audio.Load(); a != nil {
		_ = a.Close()
	}
}

// Close unpublishes the tracks, leaves the room and stops the session's
// goroutines, and closes the channels of its data subscriptions. It leaves
// the page open. Close is idempotent and safe for concurrent use.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if c := s.conn.Swap(nil); c != nil {
			s.dropConnection(c)
		}
		s.wg.Wait()
		// A reconnect that raced with Close may have stored a connection.
		if c := s.conn.Swap(nil); c != nil {
			s.dropConnection(c)
		}
		s.closeErr = s.video.closeEncoder()
		s.data.close()
		close(s.done)
	})
	<-s.done
	return s.closeErr
}

// Done is closed when the session has been closed: by Close, or by itself
// (see Err).
func (s *Session) Done() <-chan struct{} { return s.done }

// Err tells why the session ended by itself: the page crashed or closed,
// or (with Options.NoRejoin) the room connection was lost. It is nil while
// the session runs and after a Close by the caller.
func (s *Session) Err() error {
	if e := s.endErr.Load(); e != nil {
		return *e
	}
	return nil
}

// end records why the session ends by itself and closes it (without
// waiting: it is called from the session's own goroutines).
func (s *Session) end(err error) {
	if s.ctx.Err() != nil || !s.endErr.CompareAndSwap(nil, &err) {
		return
	}
	s.log.Info("the session ends", "err", err)
	go s.Close()
}

// Page returns the published page.
func (s *Session) Page() *lkbrowser.Page { return s.page }

// Room returns the current room connection, nil while the session is
// rejoining after a lost connection or after Close.
func (s *Session) Room() *lksdk.Room {
	if c := s.conn.Load(); c != nil {
		return c.room
	}
	return nil
}

// sdkLogger routes the LiveKit SDK's logs into l (the SDK logs through logr).
func sdkLogger(l *slog.Logger) protoLogger.Logger {
	return protoLogger.LogRLogger(logr.FromSlogHandler(l.With("component", "livekit-sdk").Handler()))
}

// screenShare and screenShareAudio are the reference's track sources.
var (
	screenShare      = livekit.TrackSource_SCREEN_SHARE
	screenShareAudio = livekit.TrackSource_SCREEN_SHARE_AUDIO
)

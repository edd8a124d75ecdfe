package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// Defaults of Config.
const (
	DefaultAcceptTimeout   = 30 * time.Second
	DefaultAssignWait      = 5 * time.Second
	DefaultStartTimeout    = 60 * time.Second
	DefaultLivenessTimeout = 10 * time.Second
	DefaultPollInterval    = time.Second
	// HeartbeatInterval is how often workers bump AttrHeartbeat.
	HeartbeatInterval = 2 * time.Second
	// apiTimeout bounds one server API call.
	apiTimeout = 10 * time.Second
	// waitPoll is the pause between two looks while placing a page.
	waitPoll = 250 * time.Millisecond
)

// Config configures a Client. URL, APIKey and APISecret are required.
type Config struct {
	// URL is the LiveKit server (any node of a multi-node deployment).
	URL string
	// APIKey and APISecret sign the server API calls (room admin grants).
	APIKey, APISecret string
	// AgentName is what the workers registered under; default
	// DefaultAgentName.
	AgentName string
	// AcceptTimeout bounds Start: how long a page may take to be accepted
	// and published before Start gives up. Default DefaultAcceptTimeout.
	AcceptTimeout time.Duration
	// AssignWait is how long a dispatch may stay without a job before it is
	// deleted and created again (the server drops jobs nobody took).
	// Default DefaultAssignWait.
	AssignWait time.Duration
	// StartTimeout is how long a worker that took the job may take to
	// publish the page. Default DefaultStartTimeout.
	StartTimeout time.Duration
	// LivenessTimeout is how long a page's heartbeat may stay unchanged
	// before its worker counts as dead. Default DefaultLivenessTimeout.
	LivenessTimeout time.Duration
	// PollInterval is how often a running Dispatch looks at its page.
	// Default DefaultPollInterval.
	PollInterval time.Duration
	// OnEvent, when set, is told what happens to each Dispatch. It is
	// called from the Dispatch's goroutine and must not block.
	OnEvent func(Event)
	// Logger receives the logs; default: discard.
	Logger *slog.Logger
}

// Client creates and watches dispatches on one LiveKit deployment.
type Client struct {
	cfg    Config
	log    *slog.Logger
	rooms  *lksdk.RoomServiceClient
	agents *lksdk.AgentDispatchClient
}

// New checks cfg and returns a Client. It makes no connection.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: LiveKit URL %q: want ws://, wss://, http:// or https:// and a host", ErrInvalidConfig, cfg.URL)
	}
	if cfg.APIKey == "" || cfg.APISecret == "" {
		return nil, fmt.Errorf("%w: an API key and secret are required", ErrInvalidConfig)
	}
	if cfg.AgentName == "" {
		cfg.AgentName = DefaultAgentName
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&cfg.AcceptTimeout, DefaultAcceptTimeout}, {&cfg.AssignWait, DefaultAssignWait}, {&cfg.StartTimeout, DefaultStartTimeout},
		{&cfg.LivenessTimeout, DefaultLivenessTimeout}, {&cfg.PollInterval, DefaultPollInterval}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		cfg:    cfg,
		log:    cfg.Logger.With("component", "dispatch", "agent_name", cfg.AgentName),
		rooms:  lksdk.NewRoomServiceClient(cfg.URL, cfg.APIKey, cfg.APISecret),
		agents: lksdk.NewAgentDispatchServiceClient(cfg.URL, cfg.APIKey, cfg.APISecret),
	}, nil
}

// call runs one API call bounded by ctx and apiTimeout.
func call[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	return f(ctx)
}

// participants lists the room's participants.
func (c *Client) participants(ctx context.Context, room string) ([]*livekit.ParticipantInfo, error) {
	res, err := call(ctx, func(ctx context.Context) (*livekit.ListParticipantsResponse, error) {
		return c.rooms.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: room})
	})
	if err != nil {
		return nil, fmt.Errorf("dispatch: list participants of %q: %w", room, err)
	}
	return res.Participants, nil
}

// roomSID returns the room's sid, "" when the room does not exist.
func (c *Client) roomSID(ctx context.Context, room string) (string, error) {
	res, err := call(ctx, func(ctx context.Context) (*livekit.ListRoomsResponse, error) {
		return c.rooms.ListRooms(ctx, &livekit.ListRoomsRequest{Names: []string{room}})
	})
	if err != nil {
		return "", fmt.Errorf("dispatch: list rooms: %w", err)
	}
	for _, r := range res.Rooms {
		if r.Name == room {
			return r.Sid, nil
		}
	}
	return "", nil
}

// assigned reports whether the dispatch has a job (a worker took it).
func (c *Client) assigned(ctx context.Context, room, id string) (bool, error) {
	res, err := call(ctx, func(ctx context.Context) (*livekit.ListAgentDispatchResponse, error) {
		return c.agents.ListDispatch(ctx, &livekit.ListAgentDispatchRequest{Room: room, DispatchId: id})
	})
	if err != nil {
		return false, fmt.Errorf("dispatch: list dispatch %s: %w", id, err)
	}
	for _, d := range res.AgentDispatches {
		if d.Id == id && d.State != nil && len(d.State.Jobs) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// deleteDispatch deletes a dispatch; one that is gone already is no error.
func (c *Client) deleteDispatch(ctx context.Context, room, id string) error {
	_, err := call(ctx, func(ctx context.Context) (*livekit.AgentDispatch, error) {
		return c.agents.DeleteDispatch(ctx, &livekit.DeleteAgentDispatchRequest{Room: room, DispatchId: id})
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("dispatch: delete dispatch %s in %q: %w", id, room, err)
	}
	return nil
}

// removeParticipant removes a participant; one that is gone is no error.
func (c *Client) removeParticipant(ctx context.Context, room, identity string) error {
	_, err := call(ctx, func(ctx context.Context) (*livekit.RemoveParticipantResponse, error) {
		return c.rooms.RemoveParticipant(ctx, &livekit.RoomParticipantIdentity{Room: room, Identity: identity})
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("dispatch: remove %q from %q: %w", identity, room, err)
	}
	return nil
}

// DeleteAll deletes every dispatch of the client's agent name in room and
// returns how many there were. Their pages close.
func (c *Client) DeleteAll(ctx context.Context, room string) (int, error) {
	res, err := call(ctx, func(ctx context.Context) (*livekit.ListAgentDispatchResponse, error) {
		return c.agents.ListDispatch(ctx, &livekit.ListAgentDispatchRequest{Room: room})
	})
	if err != nil {
		return 0, fmt.Errorf("dispatch: list dispatches of %q: %w", room, err)
	}
	n := 0
	for _, d := range res.AgentDispatches {
		if d.AgentName != c.cfg.AgentName {
			continue
		}
		if err := c.deleteDispatch(ctx, room, d.Id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// pageOf finds the participant publishing dispatch id as identity.
func pageOf(ps []*livekit.ParticipantInfo, identity, id string) *livekit.ParticipantInfo {
	for _, p := range ps {
		if p.Identity == identity && p.Attributes[AttrDispatchID] == id {
			return p
		}
	}
	return nil
}

// hasVideo reports whether p publishes a video track.
func hasVideo(p *livekit.ParticipantInfo) bool {
	for _, t := range p.Tracks {
		if t.Type == livekit.TrackType_VIDEO {
			return true
		}
	}
	return false
}

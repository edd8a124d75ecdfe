package agentworker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/livekit/protocol/livekit"
)

// Defaults of Config.
const (
	// DefaultTargetLoad is livekit-server's agents.target_load: a node whose
	// available workers report this load or more gets no job.
	DefaultTargetLoad     = 0.7
	DefaultStatusInterval = 2500 * time.Millisecond
	DefaultPingInterval   = 10 * time.Second
	// RegisterTimeout bounds the wait for the server's answer to register.
	RegisterTimeout = 10 * time.Second
	// pendingTimeout is how long an accepted job waits for its assignment
	// before its slot is freed again (the server gives up after 10 s).
	pendingTimeout = 15 * time.Second
	// writeTimeout bounds one websocket write.
	writeTimeout = 10 * time.Second
	// maxFrame is the largest server frame read.
	maxFrame = 1 << 20
	// backoffMin and backoffMax bound the wait between two connections.
	backoffMin = 500 * time.Millisecond
	backoffMax = 10 * time.Second
)

// ErrInvalidConfig marks a Config that New refuses.
var ErrInvalidConfig = errors.New("agentworker: invalid config")

// ErrDrainTimeout is returned by Drain when jobs were still running at its
// deadline and had to be cancelled.
var ErrDrainTimeout = errors.New("agentworker: drain deadline reached; remaining jobs cancelled")

// Participant is who a job joins its room as: it goes back to the server in
// the availability answer, which puts it into the job's token.
type Participant struct {
	Identity, Name, Metadata string
	Attributes               map[string]string
}

// Config configures a Worker. URL, APIKey, APISecret, AgentName, Capacity
// and Run are required.
type Config struct {
	// URL is the LiveKit server, ws(s):// or http(s)://.
	URL string
	// APIKey and APISecret sign the worker's tokens (grant video.agent).
	APIKey, APISecret string
	// AgentName is the name dispatches use to reach this worker. It must
	// not be empty: an unnamed worker would get every new room.
	AgentName string
	// Version is reported to the server at registration.
	Version string
	// Capacity is the most jobs at once (accepted and running).
	Capacity int
	// Permissions of the job participants. Default: publish, publish data
	// and update own metadata/attributes; no subscribing.
	Permissions *livekit.ParticipantPermission
	// TargetLoad is the server's agents.target_load; default 0.7.
	TargetLoad float64
	// Accept, when set, decides whether to take a job offered while a slot
	// is free and as which participant; an error declines it. Without it
	// every job is taken as participant "agent-<job id>". Accept must not
	// block: the server waits for the answer.
	Accept func(job *livekit.Job) (Participant, error)
	// Run runs an assigned job until it ends or ctx is cancelled (on the
	// server's termination, Drain's deadline or the end of Worker.Run). A
	// nil error, or the cancellation of ctx, is reported as JS_SUCCESS;
	// another error as JS_FAILED.
	Run func(ctx context.Context, job *Job) error
	// CPULoad, when set, returns the machine's CPU pressure, 0..1; it is
	// reported as the load when higher than the slots' load.
	CPULoad func() float64
	// OnRegistered, when set, is called with the worker id the server gave
	// at each registration.
	OnRegistered func(workerID string)
	// StatusInterval and PingInterval: defaults DefaultStatusInterval and
	// DefaultPingInterval.
	StatusInterval, PingInterval time.Duration
	// Logger receives the worker's logs; default: discard.
	Logger *slog.Logger
}

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if _, err := agentURL(cfg.URL); err != nil {
		return cfg, bad("%v", err)
	}
	if cfg.APIKey == "" || cfg.APISecret == "" {
		return cfg, bad("an API key and secret are required")
	}
	if cfg.AgentName == "" {
		return cfg, bad("the agent name must not be empty (an unnamed worker is dispatched to every room)")
	}
	if cfg.Capacity < 1 {
		return cfg, bad("capacity %d: must be at least 1", cfg.Capacity)
	}
	if cfg.Run == nil {
		return cfg, bad("no Run function")
	}
	if cfg.TargetLoad == 0 {
		cfg.TargetLoad = DefaultTargetLoad
	}
	if cfg.TargetLoad < 0 || cfg.TargetLoad > 1 {
		return cfg, bad("target load %v: must be 0..1", cfg.TargetLoad)
	}
	if cfg.Permissions == nil {
		cfg.Permissions = &livekit.ParticipantPermission{CanPublish: true, CanPublishData: true, CanUpdateMetadata: true}
	}
	if cfg.StatusInterval <= 0 {
		cfg.StatusInterval = DefaultStatusInterval
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// agentURL returns the worker endpoint of the server at raw:
// ws(s)://host/prefix/agent?protocol=1.
func agentURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("LiveKit URL %q: want ws://, wss://, http:// or https:// and a host", raw)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("LiveKit URL %q: want ws://, wss://, http:// or https://", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/agent"
	u.RawQuery = "protocol=1"
	u.Fragment = ""
	return u.String(), nil
}

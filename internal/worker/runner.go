package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/internal/agentworker"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Config configures a Runner. Engine, URL, APIKey, APISecret and Capacity
// are required.
type Config struct {
	// Engine opens the pages; it stays the caller's.
	Engine *lkbrowser.Engine
	// URL, APIKey and APISecret: the LiveKit server (any node) and its key.
	URL, APIKey, APISecret string
	// AgentName is what dispatches name; default dispatch.DefaultAgentName.
	AgentName string
	// Name identifies this worker on its pages (attribute
	// dispatch.AttrWorker); default the host name.
	Name string
	// Capacity is the most pages at once.
	Capacity int
	// ReportCPU reports the machine's CPU busy fraction as the load when it
	// is higher than the pages' share of the capacity.
	ReportCPU bool
	// Version is reported to the server.
	Version string
	// OnRegistered, when set, is called with each registration's worker id.
	OnRegistered func(workerID string)
	// Logger receives the logs; default: discard.
	Logger *slog.Logger
}

// dispatchCheck is how often a job checks that its dispatch still exists.
const dispatchCheck = 10 * time.Second

// pageStart bounds opening a page and joining its room.
const pageStart = 60 * time.Second

// Runner serves page jobs. See the package documentation.
type Runner struct {
	cfg    Config
	log    *slog.Logger
	aw     *agentworker.Worker
	cpu    *cpuMeter
	admin  *lksdk.AgentDispatchClient
	rooms  *lksdk.RoomServiceClient
	mu     sync.Mutex
	active map[string]*pageJob // by job id, while the page is up
}

// pageJob is a page published for a job.
type pageJob struct {
	job  *agentworker.Job
	page *lkbrowser.Page
	sess *lksession.Session
}

// New checks cfg and returns a Runner; Run starts it.
func New(cfg Config) (*Runner, error) {
	if cfg.Engine == nil {
		return nil, fmt.Errorf("%w: no engine", agentworker.ErrInvalidConfig)
	}
	if cfg.AgentName == "" {
		cfg.AgentName = dispatch.DefaultAgentName
	}
	if cfg.Name == "" {
		cfg.Name, _ = os.Hostname()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, log: cfg.Logger.With("component", "worker", "worker", cfg.Name),
		cpu: &cpuMeter{minSpacing: time.Second}, active: map[string]*pageJob{}}
	wc := agentworker.Config{
		URL: cfg.URL, APIKey: cfg.APIKey, APISecret: cfg.APISecret, AgentName: cfg.AgentName,
		Version: cfg.Version, Capacity: cfg.Capacity, Accept: r.accept, Run: r.run,
		OnRegistered: cfg.OnRegistered, Logger: cfg.Logger,
	}
	if cfg.ReportCPU {
		wc.CPULoad = r.cpu.Load
	}
	aw, err := agentworker.New(wc)
	if err != nil {
		return nil, err
	}
	r.aw = aw
	r.admin = lksdk.NewAgentDispatchServiceClient(cfg.URL, cfg.APIKey, cfg.APISecret)
	r.rooms = lksdk.NewRoomServiceClient(cfg.URL, cfg.APIKey, cfg.APISecret)
	return r, nil
}

// Run serves jobs until ctx ends, then closes the pages left and returns.
func (r *Runner) Run(ctx context.Context) error { return r.aw.Run(ctx) }

// Drain takes no more jobs (the worker reports FULL at once) and waits for
// the running pages to end, until ctx ends: then it closes them and returns
// agentworker.ErrDrainTimeout.
func (r *Runner) Drain(ctx context.Context) error { return r.aw.Drain(ctx) }

// StopTaking takes no more jobs and reports the worker full at once (the
// start of Drain).
func (r *Runner) StopTaking() { r.aw.StopTaking() }

// Pages returns the number of pages running.
func (r *Runner) Pages() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.active)
}

// Worker returns the underlying agent worker.
func (r *Runner) Worker() *agentworker.Worker { return r.aw }

// accept takes a job whose metadata is a valid page.
func (r *Runner) accept(job *livekit.Job) (agentworker.Participant, error) {
	page, err := dispatch.ParsePage(job.GetMetadata())
	if err != nil {
		return agentworker.Participant{}, err
	}
	return agentworker.Participant{
		Identity: page.Identity,
		Name:     page.Name,
		Attributes: map[string]string{
			dispatch.AttrDispatchID: job.GetDispatchId(),
			dispatch.AttrWorker:     r.cfg.Name,
			dispatch.AttrHeartbeat:  "0",
		},
	}, nil
}

// run opens the job's page, publishes it and keeps it up until the job
// ends.
func (r *Runner) run(ctx context.Context, job *agentworker.Job) (err error) {
	spec, err := dispatch.ParsePage(job.Proto.GetMetadata())
	if err != nil {
		return err
	}
	log := r.log.With("job", job.ID(), "room", job.Room(), "url", spec.URL)
	start, cancel := context.WithTimeout(ctx, pageStart)
	defer cancel()
	page, err := r.cfg.Engine.NewPage(start, lkbrowser.PageOptions{URL: "about:blank", Width: spec.Width, Height: spec.Height, FrameRate: spec.FrameRate})
	if err != nil {
		return fmt.Errorf("open page: %w", err)
	}
	defer func() { err = errors.Join(err, page.Close()) }()
	if err := page.Navigate(start, spec.URL); err != nil {
		log.Warn("first navigation failed; the page stays up", "err", err)
	}
	sess, err := lksession.Start(start, page, lksession.Options{
		URL: job.URL, Token: job.Token, Identity: spec.Identity, Name: spec.Name, NoRejoin: true,
		VideoBitrate: spec.VideoBitrate, NoAudio: spec.NoAudio, ViewOnly: spec.ViewOnly, Logger: r.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("publish page: %w", err)
	}
	defer func() { err = errors.Join(err, sess.Close()) }()
	job.Running()
	r.mu.Lock()
	r.active[job.ID()] = &pageJob{job: job, page: page, sess: sess}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.active, job.ID())
		r.mu.Unlock()
	}()
	log.Info("page published")

	beat := time.NewTicker(dispatch.HeartbeatInterval)
	defer beat.Stop()
	check := time.NewTicker(dispatchCheck)
	defer check.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-sess.Done():
			// A lost connection is usually followed by a termination.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
				return sess.Err()
			}
		case <-beat.C:
			if room := sess.Room(); room != nil {
				room.LocalParticipant.SetAttributes(map[string]string{dispatch.AttrHeartbeat: fmt.Sprint(n)})
			}
		case <-check.C:
			if gone, err := r.dispatchGone(ctx, job); err != nil {
				log.Debug("dispatch check failed", "err", err)
			} else if gone {
				log.Info("the job's dispatch no longer exists; closing the page")
				return nil
			}
		}
	}
}

// dispatchGone reports whether the job's dispatch no longer exists.
func (r *Runner) dispatchGone(ctx context.Context, job *agentworker.Job) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := r.admin.ListDispatch(ctx, &livekit.ListAgentDispatchRequest{Room: job.Room(), DispatchId: job.Proto.GetDispatchId()})
	if err != nil {
		// No room, no dispatch (the server cannot list a room it lacks).
		rooms, rerr := r.rooms.ListRooms(ctx, &livekit.ListRoomsRequest{Names: []string{job.Room()}})
		if rerr == nil && len(rooms.Rooms) == 0 {
			return true, nil
		}
		return false, err
	}
	for _, d := range res.AgentDispatches {
		if d.Id == job.Proto.GetDispatchId() {
			return false, nil
		}
	}
	return true, nil
}

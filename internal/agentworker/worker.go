package agentworker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/livekit"
)

// Worker is an agent worker. See the package documentation.
type Worker struct {
	cfg   Config
	wsURL string
	log   *slog.Logger

	jobCtx    context.Context // parent of every job's context
	jobCancel context.CancelFunc
	jobsWG    sync.WaitGroup
	running   atomic.Bool // Run was called

	wmu  sync.Mutex      // serialises writes
	conn *websocket.Conn // current connection, nil between connections; guarded by wmu

	mu       sync.Mutex
	workerID string
	pending  map[string]time.Time // accepted, not yet assigned
	jobs     map[string]*Job      // assigned and running
	draining bool
	stopped  bool          // jobs cancelled: no job may start any more
	changed  chan struct{} // closed and replaced when jobs or pending change

	stats counters
}

// New checks cfg and returns a Worker; Run connects it.
func New(cfg Config) (*Worker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	u, _ := agentURL(cfg.URL)
	w := &Worker{
		cfg:     cfg,
		wsURL:   u,
		log:     cfg.Logger.With("component", "agentworker", "agent_name", cfg.AgentName),
		pending: map[string]time.Time{},
		jobs:    map[string]*Job{},
		changed: make(chan struct{}),
	}
	w.jobCtx, w.jobCancel = context.WithCancel(context.Background())
	return w, nil
}

// Run connects to the server, registers and serves jobs until ctx ends,
// reconnecting with back-off whenever the connection is lost. When ctx
// ends it cancels the jobs still running, waits for them, reports their
// end and closes the connection. It returns nil after ctx ended; Run may
// be called once.
func (w *Worker) Run(ctx context.Context) error {
	if w.running.Swap(true) {
		return errors.New("agentworker: Run called twice")
	}
	wait := backoffMin
	for ctx.Err() == nil {
		registered, err := w.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if registered {
			wait = backoffMin
		}
		w.log.Warn("connection to the server lost; reconnecting", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, backoffMax)
	}
	w.stop()
	w.sendStatus()
	w.closeConn()
	return nil
}

// stop takes no more jobs, cancels the running ones and waits for them.
func (w *Worker) stop() {
	w.mu.Lock()
	w.draining, w.stopped = true, true // no jobsWG.Add after this
	w.mu.Unlock()
	w.jobCancel()
	w.jobsWG.Wait()
}

// Drain stops taking jobs at once (the worker reports WS_FULL) and waits
// until no job is left, or until ctx ends: then it cancels the remaining
// jobs, waits for them and returns ErrDrainTimeout. The worker stays
// connected (and FULL) until Run's context ends.
func (w *Worker) Drain(ctx context.Context) error {
	w.StopTaking()
	for {
		w.mu.Lock()
		n, ch := len(w.jobs)+len(w.pending), w.changed
		w.mu.Unlock()
		if n == 0 {
			w.log.Info("drained")
			return nil
		}
		select {
		case <-ch:
		case <-time.After(time.Second): // pending slots expire on their own
			w.expirePending()
		case <-ctx.Done():
			w.log.Warn("drain deadline reached; cancelling the remaining jobs", "jobs", n)
			w.stop()
			return ErrDrainTimeout
		}
	}
}

// StopTaking makes the worker take no more jobs and report WS_FULL at
// once, the first step of Drain, for callers that announce the drain
// before waiting for it. It is idempotent.
func (w *Worker) StopTaking() {
	w.mu.Lock()
	already := w.draining
	w.draining = true
	w.mu.Unlock()
	if already {
		return
	}
	w.log.Info("draining: taking no more jobs")
	w.sendStatus()
}

// Draining reports whether Drain was called.
func (w *Worker) Draining() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.draining
}

// WorkerID returns the id of the current registration, "" before the
// first.
func (w *Worker) WorkerID() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.workerID
}

// Jobs returns the number of jobs running (assigned and not ended).
func (w *Worker) Jobs() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.jobs)
}

// Capacity returns Config.Capacity.
func (w *Worker) Capacity() int { return w.cfg.Capacity }

// Load returns the status and load the worker reports now.
func (w *Worker) Load() (full bool, load float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, l, _ := w.statusLocked()
	return st == livekit.WorkerStatus_WS_FULL, float64(l)
}

// statusLocked computes the status, load and job count to report.
func (w *Worker) statusLocked() (livekit.WorkerStatus, float32, uint32) {
	slots := len(w.jobs) + len(w.pending)
	if w.draining || slots >= w.cfg.Capacity {
		return livekit.WorkerStatus_WS_FULL, 1, uint32(slots)
	}
	load := w.cfg.TargetLoad * float64(slots) / float64(w.cfg.Capacity)
	if w.cfg.CPULoad != nil {
		if cpu := w.cfg.CPULoad(); cpu > load {
			load = min(cpu, 1)
		}
	}
	return livekit.WorkerStatus_WS_AVAILABLE, float32(load), uint32(slots)
}

// notifyLocked wakes Drain after a change of jobs or pending.
func (w *Worker) notifyLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// sendStatus reports the current status and load.
func (w *Worker) sendStatus() {
	w.mu.Lock()
	st, load, n := w.statusLocked()
	w.mu.Unlock()
	err := w.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_UpdateWorker{
		UpdateWorker: &livekit.UpdateWorkerStatus{Status: &st, Load: load, JobCount: n},
	}})
	if err != nil && !errors.Is(err, errNotConnected) {
		w.log.Debug("status not sent", "err", err)
	}
}

// expirePending frees the slots of accepted jobs whose assignment never
// came.
func (w *Worker) expirePending() {
	w.mu.Lock()
	var expired []string
	for id, at := range w.pending {
		if time.Since(at) > pendingTimeout {
			delete(w.pending, id)
			expired = append(expired, id)
		}
	}
	if len(expired) > 0 {
		w.notifyLocked()
	}
	w.mu.Unlock()
	for _, id := range expired {
		w.log.Warn("accepted job never assigned; slot freed", "job", id)
	}
	if len(expired) > 0 {
		w.sendStatus()
	}
}

// errNotConnected is returned by send between connections.
var errNotConnected = errors.New("agentworker: not connected")

// send writes msg to the current connection.
func (w *Worker) send(msg *livekit.WorkerMessage) error {
	b, err := encodeWorkerMessage(msg)
	if err != nil {
		return fmt.Errorf("agentworker: encode: %w", err)
	}
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.conn == nil {
		return errNotConnected
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := w.conn.WriteMessage(websocket.BinaryMessage, b); err != nil {
		return fmt.Errorf("agentworker: write: %w", err)
	}
	return nil
}

// setConn makes c the current connection (nil: none).
func (w *Worker) setConn(c *websocket.Conn) {
	w.wmu.Lock()
	w.conn = c
	w.wmu.Unlock()
}

// closeConn closes the current connection with a normal close frame.
func (w *Worker) closeConn() {
	w.wmu.Lock()
	c := w.conn
	w.conn = nil
	if c != nil {
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "worker stopping"))
	}
	w.wmu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

package agentworker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"
)

// Job is a job assigned to this worker.
type Job struct {
	// Proto is the job as the server sent it (room, metadata, dispatch id).
	Proto *livekit.Job
	// Token joins the job's room as the participant Config.Accept chose.
	Token string
	// URL is the server to join: the assignment's, else Config.URL.
	URL string

	w          *Worker
	cancel     context.CancelFunc
	terminated atomic.Bool
	runOnce    sync.Once
	started    time.Time
}

// ID returns the job's id.
func (j *Job) ID() string { return j.Proto.GetId() }

// Room returns the name of the job's room.
func (j *Job) Room() string { return j.Proto.GetRoom().GetName() }

// Running tells the server that the job runs (JS_RUNNING). Later calls do
// nothing.
func (j *Job) Running() {
	j.runOnce.Do(func() {
		j.w.updateJob(j.ID(), livekit.JobStatus_JS_RUNNING, "")
	})
}

// Terminated reports whether the server terminated the job.
func (j *Job) Terminated() bool { return j.terminated.Load() }

// handle acts on one decoded server message other than register.
func (w *Worker) handle(msg *livekit.ServerMessage) {
	switch m := msg.Message.(type) {
	case *livekit.ServerMessage_Availability:
		w.offer(m.Availability)
	case *livekit.ServerMessage_Assignment:
		w.assign(m.Assignment)
	case *livekit.ServerMessage_Termination:
		w.terminate(m.Termination.GetJobId())
	case *livekit.ServerMessage_Pong:
		w.log.Debug("pong", "rtt", time.Since(time.UnixMilli(m.Pong.GetLastTimestamp())))
	default:
		w.stats.unexpected.Add(1)
		w.log.Warn("ignoring an unexpected server message", "type", fmt.Sprintf("%T", msg.Message))
	}
}

// offer answers an availability request.
func (w *Worker) offer(req *livekit.AvailabilityRequest) {
	job := req.GetJob()
	id := job.GetId()
	if id == "" {
		w.stats.unexpected.Add(1)
		w.log.Warn("ignoring an availability request without a job id")
		return
	}
	log := w.log.With("job", id, "room", job.GetRoom().GetName(), "dispatch", job.GetDispatchId())
	w.mu.Lock()
	reason := ""
	_, isPending := w.pending[id]
	_, isRunning := w.jobs[id]
	switch {
	case w.draining:
		reason = "draining"
	case isPending || isRunning:
		reason = "job already taken here"
	case len(w.jobs)+len(w.pending) >= w.cfg.Capacity:
		reason = "full"
	case job.GetType() != livekit.JobType_JT_ROOM:
		reason = "not a room job"
	default:
		w.pending[id] = time.Now() // hold the slot while Accept decides
		w.notifyLocked()
	}
	w.mu.Unlock()

	res := &livekit.AvailabilityResponse{JobId: id}
	if reason == "" {
		p, err := w.accept(job)
		if err != nil {
			reason = err.Error()
			w.mu.Lock()
			delete(w.pending, id)
			w.notifyLocked()
			w.mu.Unlock()
		} else {
			res.Available = true
			res.ParticipantIdentity, res.ParticipantName = p.Identity, p.Name
			res.ParticipantMetadata, res.ParticipantAttributes = p.Metadata, p.Attributes
		}
	}
	err := w.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_Availability{Availability: res}})
	if res.Available {
		w.stats.accepted.Add(1)
		log.Info("job accepted", "identity", res.ParticipantIdentity, "send_err", err)
		w.sendStatus() // at once: the server must see the slot taken before the next job
	} else {
		w.stats.declined.Add(1)
		log.Info("job declined", "reason", reason, "send_err", err)
	}
}

// accept runs Config.Accept, or picks the default participant.
func (w *Worker) accept(job *livekit.Job) (p Participant, err error) {
	if w.cfg.Accept == nil {
		return Participant{Identity: "agent-" + job.GetId()}, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("accept panicked: %v", r)
		}
	}()
	return w.cfg.Accept(job)
}

// assign starts an assigned job.
func (w *Worker) assign(a *livekit.JobAssignment) {
	id := a.GetJob().GetId()
	if id == "" {
		w.stats.unexpected.Add(1)
		w.log.Warn("ignoring an assignment without a job id")
		return
	}
	w.mu.Lock()
	_, wasPending := w.pending[id]
	_, isRunning := w.jobs[id]
	if w.stopped {
		delete(w.pending, id)
		w.notifyLocked()
		w.mu.Unlock()
		w.log.Warn("assignment after the worker stopped its jobs", "job", id)
		w.updateJob(id, livekit.JobStatus_JS_FAILED, "worker stopping")
		return
	}
	if !wasPending || isRunning {
		w.mu.Unlock()
		w.stats.unexpected.Add(1)
		w.log.Warn("ignoring an assignment of a job not accepted here", "job", id, "running", isRunning)
		if !isRunning {
			w.updateJob(id, livekit.JobStatus_JS_FAILED, "worker did not accept this job")
		}
		return
	}
	delete(w.pending, id)
	ctx, cancel := context.WithCancel(w.jobCtx)
	j := &Job{Proto: proto.Clone(a.Job).(*livekit.Job), Token: a.GetToken(), URL: w.cfg.URL, w: w, cancel: cancel, started: time.Now()}
	if a.Url != nil && a.GetUrl() != "" {
		j.URL = a.GetUrl()
	}
	w.jobs[id] = j
	w.jobsWG.Add(1)
	w.notifyLocked()
	w.mu.Unlock()
	w.log.Info("job assigned", "job", id, "room", j.Room(), "url", j.URL)
	go w.runJob(ctx, j)
}

// runJob runs one job and reports its end.
func (w *Worker) runJob(ctx context.Context, j *Job) {
	defer w.jobsWG.Done()
	err := w.callRun(ctx, j)
	j.cancel()
	status, msg := livekit.JobStatus_JS_SUCCESS, ""
	if err != nil && !(ctx.Err() != nil && errors.Is(err, context.Canceled)) {
		status, msg = livekit.JobStatus_JS_FAILED, err.Error()
	}
	w.mu.Lock()
	delete(w.jobs, j.ID())
	w.notifyLocked()
	w.mu.Unlock()
	w.updateJob(j.ID(), status, msg)
	w.stats.ended.Add(1)
	if status == livekit.JobStatus_JS_FAILED {
		w.stats.failed.Add(1)
	}
	w.log.Info("job ended", "job", j.ID(), "room", j.Room(), "status", status.String(), "err", msg,
		"terminated", j.Terminated(), "ran", time.Since(j.started).Round(time.Millisecond))
	w.sendStatus()
}

// callRun runs Config.Run, turning a panic into an error.
func (w *Worker) callRun(ctx context.Context, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job panicked: %v", r)
		}
	}()
	return w.cfg.Run(ctx, j)
}

// terminate cancels a job on the server's request.
func (w *Worker) terminate(id string) {
	w.mu.Lock()
	j := w.jobs[id]
	_, isPending := w.pending[id]
	if isPending {
		delete(w.pending, id)
		w.notifyLocked()
	}
	w.mu.Unlock()
	if j == nil {
		if !isPending {
			w.stats.unexpected.Add(1)
			w.log.Warn("ignoring the termination of an unknown job", "job", id)
		}
		return
	}
	w.log.Info("job terminated by the server", "job", id, "room", j.Room())
	j.terminated.Store(true)
	j.cancel()
}

// updateJob reports a job's status.
func (w *Worker) updateJob(id string, st livekit.JobStatus, msg string) {
	err := w.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_UpdateJob{
		UpdateJob: &livekit.UpdateJobStatus{JobId: id, Status: st, Error: msg}}})
	if err != nil {
		w.log.Debug("job status not sent", "job", id, "status", st.String(), "err", err)
	}
}

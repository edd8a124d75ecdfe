package agentworker

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/livekit"
	"go.uber.org/goleak"
)

// jobRecorder is a Config.Run that records its jobs; each runs until its
// context ends or the test finishes it.
type jobRecorder struct {
	mu      sync.Mutex
	started map[string]*Job
	finish  map[string]chan error
	ended   map[string]error
	changed chan struct{}
}

func newRecorder() *jobRecorder {
	return &jobRecorder{started: map[string]*Job{}, finish: map[string]chan error{}, ended: map[string]error{}, changed: make(chan struct{}, 100)}
}

func (r *jobRecorder) run(ctx context.Context, j *Job) error {
	ch := make(chan error, 1)
	r.mu.Lock()
	r.started[j.ID()], r.finish[j.ID()] = j, ch
	r.mu.Unlock()
	r.changed <- struct{}{}
	j.Running()
	var err error
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case err = <-ch:
	}
	r.mu.Lock()
	r.ended[j.ID()] = err
	r.mu.Unlock()
	r.changed <- struct{}{}
	return err
}

// wait waits until cond holds.
func (r *jobRecorder) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

var testLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// startWorker runs a worker against f until the test ends.
func startWorker(t *testing.T, f *fakeServer, capacity int, rec *jobRecorder, mod func(*Config)) (*Worker, context.CancelFunc) {
	t.Helper()
	cfg := Config{URL: f.url(), APIKey: testKey, APISecret: testSecret, AgentName: "lkbrowser", Capacity: capacity,
		Run: rec.run, Logger: testLog, StatusInterval: time.Hour, PingInterval: time.Hour}
	if mod != nil {
		mod(&cfg)
	}
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return 10 s after its context ended")
		}
	})
	return w, cancel
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConfigRefused(t *testing.T) {
	run := func(context.Context, *Job) error { return nil }
	for _, cfg := range []Config{
		{URL: "ftp://x", APIKey: "k", APISecret: "s", AgentName: "a", Capacity: 1, Run: run},
		{URL: "ws://x", AgentName: "a", Capacity: 1, Run: run},
		{URL: "ws://x", APIKey: "k", APISecret: "s", Capacity: 1, Run: run},
		{URL: "ws://x", APIKey: "k", APISecret: "s", AgentName: "a", Capacity: 0, Run: run},
		{URL: "ws://x", APIKey: "k", APISecret: "s", AgentName: "a", Capacity: 1},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	if u, err := agentURL("https://lk.example/base/"); err != nil || u != "wss://lk.example/base/agent?protocol=1" {
		t.Errorf("agentURL = %q, %v", u, err)
	}
}

// The whole life of a job: register, availability, assignment, running,
// termination, and the load reported at every step.
func TestJobLifecycle(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	w, _ := startWorker(t, f, 2, rec, func(c *Config) {
		c.Accept = func(job *livekit.Job) (Participant, error) {
			return Participant{Identity: "page-" + job.Id, Attributes: map[string]string{"dispatch": job.DispatchId}}, nil
		}
	})
	c := f.accept("AW_1")
	c.status("available with load 0", func(full bool, load float32, n uint32) bool { return !full && load == 0 && n == 0 })
	if w.WorkerID() != "AW_1" {
		t.Errorf("worker id %q", w.WorkerID())
	}

	res := c.offer("J1")
	if !res.Available || res.ParticipantIdentity != "page-J1" || res.ParticipantAttributes["dispatch"] != "AD_J1" {
		t.Fatalf("availability answer %v", res)
	}
	c.status("load 0.35 after one accept", func(full bool, load float32, n uint32) bool { return !full && load > 0.34 && load < 0.36 && n == 1 })
	c.assign("J1")
	c.jobStatus("J1", livekit.JobStatus_JS_RUNNING)
	rec.wait(t, "J1 started", func() bool { return rec.started["J1"] != nil })
	if j := rec.started["J1"]; j.Token != "token-J1" || j.URL != f.url() || j.Room() != "room-J1" {
		t.Errorf("job %+v", j)
	}
	if w.Jobs() != 1 {
		t.Errorf("Jobs() = %d", w.Jobs())
	}

	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Termination{Termination: &livekit.JobTermination{JobId: "J1"}}})
	c.jobStatus("J1", livekit.JobStatus_JS_SUCCESS)
	c.status("load 0 after the job", func(full bool, load float32, n uint32) bool { return !full && load == 0 && n == 0 })
	if !rec.started["J1"].Terminated() {
		t.Error("job not marked terminated")
	}

	// A job that fails is reported JS_FAILED with its error.
	c.offer("J2")
	c.assign("J2")
	rec.wait(t, "J2 started", func() bool { return rec.finish["J2"] != nil })
	rec.finish["J2"] <- errors.New("page crashed")
	if u := c.jobStatus("J2", livekit.JobStatus_JS_FAILED); u.Error != "page crashed" {
		t.Errorf("error %q", u.Error)
	}
}

// At capacity the worker reports FULL and declines; a freed slot is taken
// again. An availability for a job it already holds is declined too.
func TestCapacity(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	startWorker(t, f, 2, rec, nil)
	c := f.accept("AW_1")
	if !c.offer("J1").Available {
		t.Fatal("J1 declined")
	}
	if c.offer("J1").Available {
		t.Fatal("J1 accepted twice")
	}
	if !c.offer("J2").Available {
		t.Fatal("J2 declined")
	}
	c.status("FULL at capacity", func(full bool, _ float32, n uint32) bool { return full && n == 2 })
	if c.offer("J3").Available {
		t.Fatal("J3 accepted beyond capacity")
	}
	c.assign("J1")
	c.assign("J2")
	rec.wait(t, "two jobs", func() bool { return len(rec.started) == 2 })
	rec.finish["J1"] <- nil
	c.jobStatus("J1", livekit.JobStatus_JS_SUCCESS)
	c.status("available again", func(full bool, _ float32, n uint32) bool { return !full && n == 1 })
	if !c.offer("J3").Available {
		t.Fatal("J3 declined with a free slot")
	}
}

// CPU pressure above the slots' load is reported as the load.
func TestCPULoadReported(t *testing.T) {
	f := newFakeServer(t)
	startWorker(t, f, 4, newRecorder(), func(c *Config) { c.CPULoad = func() float64 { return 0.9 } })
	c := f.accept("AW_1")
	c.status("the CPU load", func(full bool, load float32, _ uint32) bool { return !full && load > 0.89 && load < 0.91 })
}

// The worker reconnects and registers again after losing the connection;
// its running job goes on and can still end.
func TestReconnect(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	w, _ := startWorker(t, f, 1, rec, nil)
	c := f.accept("AW_1")
	c.offer("J1")
	c.assign("J1")
	rec.wait(t, "J1 started", func() bool { return rec.started["J1"] != nil })
	c.ws.Close()

	c2 := f.accept("AW_2")
	c2.status("FULL with the running job", func(full bool, _ float32, n uint32) bool { return full && n == 1 })
	if w.WorkerID() != "AW_2" {
		t.Errorf("worker id %q after reconnecting", w.WorkerID())
	}
	rec.finish["J1"] <- nil
	c2.jobStatus("J1", livekit.JobStatus_JS_SUCCESS)
}

// Drain: FULL at once, new jobs declined, running jobs go on until the
// deadline, then they are cancelled and reported.
func TestDrain(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	w, _ := startWorker(t, f, 2, rec, nil)
	c := f.accept("AW_1")
	c.offer("J1")
	c.assign("J1")
	rec.wait(t, "J1 started", func() bool { return rec.started["J1"] != nil })

	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	drained := make(chan error, 1)
	go func() { drained <- w.Drain(ctx) }()
	c.status("FULL when draining", func(full bool, _ float32, _ uint32) bool { return full })
	if c.offer("J2").Available {
		t.Fatal("a draining worker accepted a job")
	}
	time.Sleep(500 * time.Millisecond)
	rec.mu.Lock()
	_, ended := rec.ended["J1"]
	rec.mu.Unlock()
	if ended {
		t.Fatal("the running job was stopped before the drain deadline")
	}
	if err := <-drained; !errors.Is(err, ErrDrainTimeout) {
		t.Fatalf("Drain = %v, want ErrDrainTimeout", err)
	}
	c.jobStatus("J1", livekit.JobStatus_JS_SUCCESS)

	// A drain with nothing running returns at once.
	if err := w.Drain(context.Background()); err != nil {
		t.Fatalf("second Drain = %v", err)
	}
}

// A drain ends as soon as the last job ends by itself.
func TestDrainCompletes(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	w, _ := startWorker(t, f, 1, rec, nil)
	c := f.accept("AW_1")
	c.offer("J1")
	c.assign("J1")
	rec.wait(t, "J1 started", func() bool { return rec.started["J1"] != nil })
	drained := make(chan error, 1)
	go func() { drained <- w.Drain(context.Background()) }()
	c.status("FULL when draining", func(full bool, _ float32, _ uint32) bool { return full })
	rec.finish["J1"] <- nil
	select {
	case err := <-drained:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Drain did not return after the last job ended")
	}
}

// Ending Run cancels the running jobs and reports them before closing.
func TestRunEndCancelsJobs(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	_, stop := startWorker(t, f, 1, rec, nil)
	c := f.accept("AW_1")
	c.offer("J1")
	c.assign("J1")
	rec.wait(t, "J1 started", func() bool { return rec.started["J1"] != nil })
	stop()
	c.jobStatus("J1", livekit.JobStatus_JS_SUCCESS)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not close its connection")
	}
}

// Application pings go out at PingInterval and pongs are taken.
func TestPing(t *testing.T) {
	f := newFakeServer(t)
	startWorker(t, f, 1, newRecorder(), func(c *Config) { c.PingInterval = 100 * time.Millisecond })
	c := f.accept("AW_1")
	p := c.expect(func(m *livekit.WorkerMessage) bool { return m.GetPing() != nil }, "ping")
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Pong{Pong: &livekit.WorkerPong{LastTimestamp: p.GetPing().Timestamp}}})
	c.expect(func(m *livekit.WorkerMessage) bool { return m.GetPing() != nil }, "second ping")
}

// A server that goes silent is left after three ping intervals.
func TestSilentServerLeft(t *testing.T) {
	f := newFakeServer(t)
	startWorker(t, f, 1, newRecorder(), func(c *Config) { c.PingInterval = 200 * time.Millisecond })
	f.accept("AW_1")
	f.accept("AW_2") // the worker gave up on the silent connection and came back
}

// Malformed and unexpected messages are logged, counted and ignored: the
// worker stays connected and keeps answering.
func TestMalformedMessagesIgnored(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	w, _ := startWorker(t, f, 1, rec, nil)
	c := f.accept("AW_1")
	c.raw(websocket.BinaryMessage, []byte{0xff, 0xff, 0xff, 0x01})
	c.raw(websocket.TextMessage, []byte(`{"availability": {"job": 7}}`))
	c.raw(websocket.TextMessage, []byte(`not json`))
	c.raw(websocket.BinaryMessage, nil) // no message at all
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Termination{Termination: &livekit.JobTermination{JobId: "nope"}}})
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Assignment{Assignment: &livekit.JobAssignment{Job: testJob("unasked")}}})
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Availability{Availability: &livekit.AvailabilityRequest{}}})
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Register{Register: &livekit.RegisterWorkerResponse{WorkerId: "AW_again"}}})
	c.jobStatus("unasked", livekit.JobStatus_JS_FAILED)
	// Still serving: a text (protojson) availability is answered.
	c.raw(websocket.TextMessage, []byte(`{"availability": {"job": {"id": "J1", "type": "JT_ROOM", "room": {"name": "r"}}}}`))
	c.expect(func(m *livekit.WorkerMessage) bool {
		return m.GetAvailability().GetJobId() == "J1" && m.GetAvailability().Available
	}, "answer to J1")
	st := w.Stats()
	if st.Malformed != 4 || st.Unexpected < 4 {
		t.Errorf("stats %+v: want 4 malformed, at least 4 unexpected", st)
	}
	if w.Jobs() != 0 {
		t.Errorf("%d jobs running after the nonsense", w.Jobs())
	}
}

// A job whose Run panics is reported failed; the worker goes on.
func TestRunPanicReported(t *testing.T) {
	f := newFakeServer(t)
	rec := newRecorder()
	startWorker(t, f, 1, rec, func(c *Config) {
		c.Run = func(ctx context.Context, j *Job) error { panic("boom") }
	})
	c := f.accept("AW_1")
	c.offer("J1")
	c.assign("J1")
	if u := c.jobStatus("J1", livekit.JobStatus_JS_FAILED); u.Error != "job panicked: boom" {
		t.Errorf("error %q", u.Error)
	}
	if !c.offer("J2").Available {
		t.Error("the worker took no job after a panic")
	}
}

// A job declined by Accept frees its slot.
func TestAcceptDeclines(t *testing.T) {
	f := newFakeServer(t)
	startWorker(t, f, 1, newRecorder(), func(c *Config) {
		c.Accept = func(job *livekit.Job) (Participant, error) {
			if job.Id == "bad" {
				return Participant{}, errors.New("bad metadata")
			}
			return Participant{Identity: "p"}, nil
		}
	})
	c := f.accept("AW_1")
	if c.offer("bad").Available {
		t.Fatal("accepted a job Accept refused")
	}
	if !c.offer("good").Available {
		t.Fatal("slot not freed after a refusal")
	}
}

// A wrong secret is refused by the server; the worker keeps retrying.
func TestUnauthorizedRetries(t *testing.T) {
	f := newFakeServer(t)
	w, err := New(Config{URL: f.url(), APIKey: testKey, APISecret: "wrong-secret-wrong-secret-wrong-secret", AgentName: "x",
		Capacity: 1, Run: newRecorder().run, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if w.WorkerID() != "" {
		t.Error("registered with a wrong secret")
	}
}

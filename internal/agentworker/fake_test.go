package agentworker

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"
)

const (
	testKey    = "key"
	testSecret = "secret-secret-secret-secret-secret-00"
)

// fakeServer is an in-process /agent endpoint that the tests drive.
type fakeServer struct {
	t     *testing.T
	srv   *httptest.Server
	conns chan *fakeConn
}

// fakeConn is one worker connection to the fake server.
type fakeConn struct {
	t    *testing.T
	ws   *websocket.Conn
	in   chan *livekit.WorkerMessage
	wmu  sync.Mutex
	done chan struct{}
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, conns: make(chan *fakeConn, 10)}
	up := websocket.Upgrader{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/agent" || r.URL.Query().Get("protocol") != "1" {
			http.Error(rw, "not found", http.StatusNotFound)
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		v, err := auth.ParseAPIToken(tok)
		if err != nil {
			http.Error(rw, "bad token", http.StatusUnauthorized)
			return
		}
		_, grants, err := v.Verify(testSecret)
		if err != nil || grants.Video == nil || !grants.Video.Agent {
			http.Error(rw, "no agent grant", http.StatusUnauthorized)
			return
		}
		ws, err := up.Upgrade(rw, r, nil)
		if err != nil {
			return
		}
		c := &fakeConn{t: t, ws: ws, in: make(chan *livekit.WorkerMessage, 100), done: make(chan struct{})}
		go func() {
			defer close(c.done)
			defer close(c.in)
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					return
				}
				m := &livekit.WorkerMessage{}
				if proto.Unmarshal(b, m) == nil {
					c.in <- m
				}
			}
		}()
		f.conns <- c
		<-c.done
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// url is the fake server's base URL.
func (f *fakeServer) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

// accept waits for the next worker connection and answers its register.
func (f *fakeServer) accept(id string) *fakeConn {
	f.t.Helper()
	select {
	case c := <-f.conns:
		reg := c.expect(func(m *livekit.WorkerMessage) bool { return m.GetRegister() != nil }, "register")
		if r := reg.GetRegister(); r.Type != livekit.JobType_JT_ROOM || r.AgentName == "" {
			f.t.Errorf("register %v: want JT_ROOM and an agent name", r)
		}
		c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Register{Register: &livekit.RegisterWorkerResponse{WorkerId: id}}})
		return c
	case <-time.After(10 * time.Second):
		f.t.Fatal("no worker connected")
		return nil
	}
}

func (c *fakeConn) send(m *livekit.ServerMessage) {
	b, err := proto.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.raw(websocket.BinaryMessage, b)
}

func (c *fakeConn) raw(ft int, b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(ft, b); err != nil {
		c.t.Errorf("fake server write: %v", err)
	}
}

// expect waits for a worker message matching cond, skipping others.
func (c *fakeConn) expect(cond func(*livekit.WorkerMessage) bool, what string) *livekit.WorkerMessage {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				c.t.Fatalf("connection closed while waiting for %s", what)
			}
			if cond(m) {
				return m
			}
		case <-timeout:
			c.t.Fatalf("no %s from the worker", what)
		}
	}
}

// status waits for an update_worker matching cond.
func (c *fakeConn) status(what string, cond func(full bool, load float32, jobs uint32) bool) {
	c.t.Helper()
	c.expect(func(m *livekit.WorkerMessage) bool {
		u := m.GetUpdateWorker()
		return u != nil && cond(u.GetStatus() == livekit.WorkerStatus_WS_FULL, u.GetLoad(), u.GetJobCount())
	}, what)
}

// offer sends an availability request and returns the answer.
func (c *fakeConn) offer(jobID string) *livekit.AvailabilityResponse {
	c.t.Helper()
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Availability{Availability: &livekit.AvailabilityRequest{
		Job: testJob(jobID)}}})
	return c.expect(func(m *livekit.WorkerMessage) bool {
		return m.GetAvailability() != nil && m.GetAvailability().JobId == jobID
	}, "availability answer for "+jobID).GetAvailability()
}

// assign sends the assignment of jobID.
func (c *fakeConn) assign(jobID string) {
	c.send(&livekit.ServerMessage{Message: &livekit.ServerMessage_Assignment{Assignment: &livekit.JobAssignment{
		Job: testJob(jobID), Token: "token-" + jobID}}})
}

// jobStatus waits for the update_job of jobID with status st.
func (c *fakeConn) jobStatus(jobID string, st livekit.JobStatus) *livekit.UpdateJobStatus {
	c.t.Helper()
	return c.expect(func(m *livekit.WorkerMessage) bool {
		u := m.GetUpdateJob()
		return u != nil && u.JobId == jobID && u.Status == st
	}, "update_job "+jobID+" "+st.String()).GetUpdateJob()
}

func testJob(id string) *livekit.Job {
	return &livekit.Job{Id: id, DispatchId: "AD_" + id, Type: livekit.JobType_JT_ROOM, AgentName: "lkbrowser",
		Room: &livekit.Room{Name: "room-" + id}, Metadata: `{"url":"http://example.test/"}`}
}

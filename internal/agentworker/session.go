package agentworker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
)

// session runs one connection: dial, register, serve until the connection
// is lost or ctx ends. It reports whether the worker got registered. When
// ctx ends the connection is left open for Run to report the jobs' end.
func (w *Worker) session(ctx context.Context) (registered bool, err error) {
	conn, err := w.dial(ctx)
	if err != nil {
		return false, err
	}
	conn.SetReadLimit(maxFrame)
	silence := 3 * w.cfg.PingInterval
	_ = conn.SetReadDeadline(time.Now().Add(max(silence, RegisterTimeout)))
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(silence))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	w.setConn(conn)

	regCh := make(chan string, 1)
	readErr := make(chan error, 1)
	go func() { readErr <- w.readLoop(conn, silence, regCh) }()
	fail := func(err error) (bool, error) {
		w.setConn(nil)
		_ = conn.Close()
		<-readErr
		return registered, err
	}

	err = w.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_Register{Register: &livekit.RegisterWorkerRequest{
		Type:               livekit.JobType_JT_ROOM,
		AgentName:          w.cfg.AgentName,
		Version:            w.cfg.Version,
		PingInterval:       uint32(w.cfg.PingInterval / time.Second),
		AllowedPermissions: w.cfg.Permissions,
	}}})
	if err != nil {
		return fail(err)
	}
	regTimer := time.NewTimer(RegisterTimeout)
	defer regTimer.Stop()
	select {
	case id := <-regCh:
		registered = true
		w.mu.Lock()
		w.workerID = id
		w.mu.Unlock()
		w.log.Info("registered", "worker_id", id, "url", w.cfg.URL, "capacity", w.cfg.Capacity)
		if w.cfg.OnRegistered != nil {
			w.cfg.OnRegistered(id)
		}
	case err := <-readErr:
		w.setConn(nil)
		_ = conn.Close()
		return false, fmt.Errorf("agentworker: before registration: %w", err)
	case <-regTimer.C:
		return fail(fmt.Errorf("agentworker: no answer to register within %v", RegisterTimeout))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	w.sendStatus()

	status := time.NewTicker(w.cfg.StatusInterval)
	defer status.Stop()
	ping := time.NewTicker(w.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return registered, nil
		case err := <-readErr:
			w.setConn(nil)
			_ = conn.Close()
			return registered, err
		case <-status.C:
			w.expirePending()
			w.sendStatus()
		case <-ping.C:
			err := w.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_Ping{
				Ping: &livekit.WorkerPing{Timestamp: time.Now().UnixMilli()}}})
			if err != nil {
				return fail(err)
			}
		}
	}
}

// dial opens the websocket with a fresh agent token.
func (w *Worker) dial(ctx context.Context) (*websocket.Conn, error) {
	token, err := auth.NewAccessToken(w.cfg.APIKey, w.cfg.APISecret).
		SetVideoGrant(&auth.VideoGrant{Agent: true}).
		SetValidFor(time.Hour).
		ToJWT()
	if err != nil {
		return nil, fmt.Errorf("agentworker: token: %w", err)
	}
	d := websocket.Dialer{HandshakeTimeout: 15 * time.Second, Proxy: nil}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	conn, resp, err := d.DialContext(ctx, w.wsURL, h)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("agentworker: connect %s: %s (check the API key and secret): %w", w.wsURL, resp.Status, err)
		}
		return nil, fmt.Errorf("agentworker: connect %s: %w", w.wsURL, err)
	}
	return conn, nil
}

// readLoop reads and handles the server's frames until the connection
// fails. The first register answer's worker id goes to regCh.
func (w *Worker) readLoop(conn *websocket.Conn, silence time.Duration, regCh chan<- string) error {
	registered := false
	for {
		ft, data, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(silence))
		msg, err := DecodeServerMessage(ft, data)
		if err != nil {
			w.stats.malformed.Add(1)
			w.log.Warn("ignoring a server frame", "err", err, "bytes", len(data))
			continue
		}
		if reg := msg.GetRegister(); reg != nil {
			if registered {
				w.stats.unexpected.Add(1)
				w.log.Warn("ignoring a second register answer", "worker_id", reg.GetWorkerId())
			} else {
				registered = true
				regCh <- reg.GetWorkerId()
			}
			continue
		}
		w.handle(msg)
	}
}

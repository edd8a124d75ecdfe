package agentworker

import (
	"context"
	"log/slog"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// FuzzDecodeServerMessage feeds arbitrary frames to the decoder and every
// message that decodes to a worker's handler: neither may panic, and what
// decodes encodes again. Seeds: testdata/fuzz/FuzzDecodeServerMessage
// (one frame of each kind, valid and broken) and the ones below.
func FuzzDecodeServerMessage(f *testing.F) {
	for _, m := range []*livekit.ServerMessage{
		{Message: &livekit.ServerMessage_Register{Register: &livekit.RegisterWorkerResponse{WorkerId: "AW_1"}}},
		{Message: &livekit.ServerMessage_Availability{Availability: &livekit.AvailabilityRequest{Job: testJob("J1")}}},
		{Message: &livekit.ServerMessage_Assignment{Assignment: &livekit.JobAssignment{Job: testJob("J1"), Token: "t"}}},
		{Message: &livekit.ServerMessage_Termination{Termination: &livekit.JobTermination{JobId: "J1"}}},
		{Message: &livekit.ServerMessage_Pong{Pong: &livekit.WorkerPong{LastTimestamp: 1, Timestamp: 2}}},
	} {
		b, _ := proto.Marshal(m)
		f.Add(b, false)
		j, _ := protojson.Marshal(m)
		f.Add(j, true)
	}
	f.Add([]byte{}, false)
	f.Add([]byte("{}"), true)
	f.Fuzz(func(t *testing.T, data []byte, text bool) {
		ft := websocket.BinaryMessage
		if text {
			ft = websocket.TextMessage
		}
		msg, err := DecodeServerMessage(ft, data)
		if err != nil {
			return
		}
		if _, err := proto.Marshal(msg); err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		w, err := New(Config{URL: "ws://127.0.0.1:1", APIKey: "k", APISecret: "s", AgentName: "a", Capacity: 2,
			Run:    func(context.Context, *Job) error { return nil },
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		// Twice: an availability then its assignment reach the job paths.
		w.handle(msg)
		w.handle(msg)
		w.jobCancel()
		w.jobsWG.Wait()
	})
}

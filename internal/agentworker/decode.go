package agentworker

import (
	"errors"
	"fmt"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// ErrMalformed is matched by the errors of DecodeServerMessage.
var ErrMalformed = errors.New("agentworker: malformed server message")

// DecodeServerMessage decodes one websocket frame from the server: a binary
// frame is a protobuf livekit.ServerMessage, a text frame its protojson
// form. A frame of another type, one that does not decode, or one without
// a message is an error matching ErrMalformed. Unknown fields are ignored.
func DecodeServerMessage(frameType int, data []byte) (*livekit.ServerMessage, error) {
	msg := &livekit.ServerMessage{}
	var err error
	switch frameType {
	case websocket.BinaryMessage:
		err = proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, msg)
	case websocket.TextMessage:
		err = protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, msg)
	default:
		return nil, fmt.Errorf("%w: websocket frame type %d", ErrMalformed, frameType)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if msg.Message == nil {
		return nil, fmt.Errorf("%w: no message in the frame", ErrMalformed)
	}
	return msg, nil
}

// encodeWorkerMessage encodes msg for a binary frame.
func encodeWorkerMessage(msg *livekit.WorkerMessage) ([]byte, error) {
	return proto.Marshal(msg)
}

package lksession

import (
	"log/slog"

	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// The LiveKit SDK logs its WebRTC stack (pion: signaling, ICE, DTLS states)
// through one process-wide logger, not through the room's, and that logger
// writes to the standard log package by default. The library never prints,
// so importing lksession discards those logs; SetSDKLogger routes them
// into a logger of the program's.
func init() { lksdk.SetLogger(protoLogger.GetDiscardLogger()) }

// SetSDKLogger routes the LiveKit SDK's process-wide logs (its WebRTC
// stack's) into l, for every session of the process; nil discards them
// again (the default). A session's own logs and its room's go to
// Options.Logger. Call it before sessions start: transports that exist keep
// the logger they were made with.
func SetSDKLogger(l *slog.Logger) {
	if l == nil {
		lksdk.SetLogger(protoLogger.GetDiscardLogger())
		return
	}
	lksdk.SetLogger(sdkLogger(l))
}

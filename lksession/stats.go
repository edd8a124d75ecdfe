package lksession

import (
	"sync/atomic"
	"time"
)

// Stats counts what a session did since Start.
type Stats struct {
	// FramesSent is the number of VP8 frames written to the video track,
	// Keyframes how many of them were keyframes, KeyframeRequests the
	// PLI/FIR packets received, VideoBytes the VP8 payload sent.
	FramesSent, Keyframes, KeyframeRequests, VideoBytes uint64
	// FramesDropped is the number of the page's frames the session's own
	// reader did not take in time (each reader of a page has its own
	// count; the newest frame replaced them).
	FramesDropped uint64
	// EncodeTime is the CPU time spent in the VP8 encoder.
	EncodeTime time.Duration
	// AudioFrames is the number of 10 ms frames sent; AudioDropped those
	// that could not be encoded or sent.
	AudioFrames, AudioDropped uint64
	// InputEvents counts room input events accepted, InputRefused the
	// messages refused (malformed, or from a participant without focus),
	// InputDropped the events dropped by the rate limit or a full queue.
	InputEvents, InputRefused, InputDropped uint64
	// Reconnects counts the connections re-established after a loss.
	Reconnects uint64
}

// counters are the live values behind Stats.
type counters struct {
	framesSent, keyframes, keyframeRequests, videoBytes atomic.Uint64
	framesDropped                                       atomic.Uint64
	encodeNanos                                         atomic.Int64
	audioFrames, audioDropped                           atomic.Uint64
	inputEvents, inputRefused, inputDropped             atomic.Uint64
	reconnects                                          atomic.Uint64
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	c := &s.stats
	return Stats{
		FramesSent: c.framesSent.Load(), Keyframes: c.keyframes.Load(), FramesDropped: c.framesDropped.Load(),
		KeyframeRequests: c.keyframeRequests.Load(), VideoBytes: c.videoBytes.Load(),
		EncodeTime:  time.Duration(c.encodeNanos.Load()),
		AudioFrames: c.audioFrames.Load(), AudioDropped: c.audioDropped.Load(),
		InputEvents: c.inputEvents.Load(), InputRefused: c.inputRefused.Load(), InputDropped: c.inputDropped.Load(),
		Reconnects: c.reconnects.Load(),
	}
}

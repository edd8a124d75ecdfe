package lkbrowser

import "github.com/lkbrowser/lkbrowser/internal/limits"

// Limits of a VP8 video bitrate (webm.Options.VideoBitrate and the
// LiveKit session's), in kbit/s.
const (
	MinVideoBitrate = limits.MinVideoBitrate
	MaxVideoBitrate = limits.MaxVideoBitrate
)

// DefaultVideoBitrate is the VP8 bitrate, in kbit/s, used for a w x h page
// when none is given: 2500 up to 1280x720 pixels, 4500 above.
func DefaultVideoBitrate(w, h int) int { return limits.DefaultVideoBitrate(w, h) }

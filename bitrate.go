package lkbrowser

// Limits of a VP8 video bitrate (webm.Options.VideoBitrate and the
// LiveKit session's), in kbit/s.
const (
	MinVideoBitrate = 100
	MaxVideoBitrate = 50000
)

// DefaultVideoBitrate is the VP8 bitrate, in kbit/s, used for a w x h page
// when none is given: 2500 up to 1280x720 pixels, 4500 above.
func DefaultVideoBitrate(w, h int) int {
	if w*h > 1280*720 {
		return 4500
	}
	return 2500
}

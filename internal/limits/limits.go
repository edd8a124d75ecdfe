// Package limits is the one home of the limits that a page, its video and
// a dispatch request share. It imports nothing, so that package dispatch
// (which must not link the browser) and the root package both take them
// from here; each re-exports what its users need.
package limits

// Page size and frame rate.
const (
	MinPageSize  = 16
	MaxPageSize  = 4096
	MinFrameRate = 1
	MaxFrameRate = 60
)

// VP8 bitrate, in kbit/s.
const (
	MinVideoBitrate = 100
	MaxVideoBitrate = 50000
)

// DefaultVideoBitrate is the VP8 bitrate, in kbit/s, for a w x h page when
// none is given: 2500 up to 1280x720 pixels, 4500 above.
func DefaultVideoBitrate(w, h int) int {
	if w*h > 1280*720 {
		return 4500
	}
	return 2500
}

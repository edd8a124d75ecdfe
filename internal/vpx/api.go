package vpx

import (
	"errors"
	"fmt"
)

// EncoderConfig configures a VP8 encoder.
type EncoderConfig struct {
	// Width and Height are the picture size in pixels, 1..16383 (odd sizes
	// are fine).
	Width, Height int
	// BitrateKbps is the CBR target in kilobits per second.
	BitrateKbps int
	// FrameRate is the nominal frame rate. libvpx estimates the real rate
	// from the timestamps given to Encode (timebase 1/1000 s); FrameRate
	// only sizes the defaults below and the keyframe size limit. 0 means 30.
	FrameRate int
	// CPUUsed is VP8E_SET_CPUUSED: negative values fix the speed (-16 is
	// fastest). 0 means DefaultCPUUsed.
	CPUUsed int
	// Threads is the number of encoder threads; 0 means 1.
	Threads int
	// KeyframeMax is the longest run of frames between keyframes; 0 means
	// 10 seconds' worth at FrameRate.
	KeyframeMax int
}

// DefaultCPUUsed is the encoder's speed unless EncoderConfig.CPUUsed says
// otherwise, at every size. Measured on frames recorded from real pages
// (bench/cmd/lkbench, docs/benchmarks.md), at lkbrowser's default bitrates: at
// 1920x1080, -8 (the former default above 1280x720) took as much CPU per
// frame as -6 (13.2-17.2 ms against 13.4-15.6 ms on full-page motion) for
// 0.7-1.3 dB less luma PSNR; at 1280x720, -8 and faster saved no CPU
// either (5.5-6.0 ms against 5.6 ms) and lost 3 dB or more.
const DefaultCPUUsed = -6

// withDefaults returns c with the zero fields filled in, or an error.
func (c EncoderConfig) withDefaults() (EncoderConfig, error) {
	if c.FrameRate == 0 {
		c.FrameRate = 30
	}
	if c.CPUUsed == 0 {
		c.CPUUsed = DefaultCPUUsed
	}
	if c.Threads == 0 {
		c.Threads = 1
	}
	if c.KeyframeMax == 0 {
		c.KeyframeMax = 10 * c.FrameRate
	}
	var why string
	switch {
	case c.Width < 1 || c.Height < 1 || c.Width > 16383 || c.Height > 16383:
		why = fmt.Sprintf("size %dx%d outside 1..16383", c.Width, c.Height)
	case c.BitrateKbps < 1 || c.BitrateKbps > 1_000_000:
		why = fmt.Sprintf("bitrate %d kbps", c.BitrateKbps)
	case c.FrameRate < 1 || c.FrameRate > 1000:
		why = fmt.Sprintf("frame rate %d", c.FrameRate)
	case c.CPUUsed < -16 || c.CPUUsed > 16:
		why = fmt.Sprintf("cpu-used %d outside -16..16", c.CPUUsed)
	case c.Threads < 1 || c.Threads > 64:
		why = fmt.Sprintf("threads %d", c.Threads)
	case c.KeyframeMax < 1 || c.KeyframeMax > 1<<30:
		why = fmt.Sprintf("keyframe interval %d", c.KeyframeMax)
	default:
		return c, nil
	}
	return c, &Error{Op: "config", Code: CodeArg, Msg: why}
}

// maxIntraPct is VP8E_SET_MAX_INTRA_BITRATE_PCT as WebRTC computes it: a
// keyframe may take at most half the optimal buffer (600 ms) worth of
// bits, expressed in percent of an average frame, and at least 3 frames.
func maxIntraPct(fps int) int { return max(300, 600*fps/2/10) }

// Error codes: the Code of an *Error. They equal the LKV_* status codes of
// bridge.h.
const (
	CodeArg     = 1 // invalid argument or configuration
	CodeNoMem   = 2 // out of memory
	CodeCodec   = 3 // libvpx failed; Detail is its vpx_codec_err_t
	CodeNoFrame = 4 // the encoder produced no frame / the decoder no picture
)

// libvpx's vpx_codec_err_t values that Error.Is looks at (checked against
// the headers at compile time in vpx.go).
const (
	vpxUnsupBitstream = 5 // VPX_CODEC_UNSUP_BITSTREAM
	vpxCorruptFrame   = 7 // VPX_CODEC_CORRUPT_FRAME
	vpxInvalidParam   = 8 // VPX_CODEC_INVALID_PARAM
)

// Sentinel errors. An *Error matches them under errors.Is as documented.
var (
	// ErrInvalid: an invalid configuration or argument (CodeArg, or libvpx
	// answering VPX_CODEC_INVALID_PARAM).
	ErrInvalid = errors.New("vpx: invalid argument or configuration")
	// ErrCorrupt: the decoder could not decode the data (CodeCodec with
	// VPX_CODEC_CORRUPT_FRAME or VPX_CODEC_UNSUP_BITSTREAM, which is also
	// what a stream starting without a keyframe gets).
	ErrCorrupt = errors.New("vpx: corrupt or unsupported VP8 data")
	// ErrNoFrame: CodeNoFrame.
	ErrNoFrame = errors.New("vpx: no frame produced")
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("vpx: use of closed encoder or decoder")
)

// Error is a failure reported by the C bridge or a rejected argument.
type Error struct {
	Op     string // "new encoder", "encode", "set bitrate", "decode", ...
	Code   int    // one of the Code* constants
	Detail int    // libvpx's vpx_codec_err_t for CodeCodec, else 0
	Msg    string // what went wrong, with libvpx's detail when it gave one
}

var codeText = map[int]string{
	CodeArg:     "invalid argument",
	CodeNoMem:   "out of memory",
	CodeCodec:   "libvpx error",
	CodeNoFrame: "no frame produced",
}

func (e *Error) Error() string {
	msg, ok := codeText[e.Code]
	if !ok {
		msg = fmt.Sprintf("error code %d", e.Code)
	}
	if e.Msg != "" {
		return fmt.Sprintf("vpx: %s: %s: %s", e.Op, msg, e.Msg)
	}
	return fmt.Sprintf("vpx: %s: %s", e.Op, msg)
}

// Is reports whether target is the sentinel error of e.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalid:
		return e.Code == CodeArg || (e.Code == CodeCodec && e.Detail == vpxInvalidParam)
	case ErrCorrupt:
		return e.Code == CodeCodec && (e.Detail == vpxCorruptFrame || e.Detail == vpxUnsupBitstream)
	case ErrNoFrame:
		return e.Code == CodeNoFrame
	}
	return false
}

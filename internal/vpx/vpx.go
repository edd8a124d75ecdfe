//go:build linux && cgo

package vpx

/*
#cgo pkg-config: vpx
#cgo CFLAGS: -O2 -Wall
#cgo noescape lkv_enc_new
#cgo noescape lkv_enc_set_bitrate
#cgo noescape lkv_encode
#cgo noescape lkv_enc_take
#cgo noescape lkv_dec_new
#cgo noescape lkv_decode
#cgo noescape lkv_dec_copy
#cgo nocallback lkv_enc_new
#cgo nocallback lkv_enc_free
#cgo nocallback lkv_enc_set_bitrate
#cgo nocallback lkv_encode
#cgo nocallback lkv_enc_take
#cgo nocallback lkv_dec_new
#cgo nocallback lkv_dec_free
#cgo nocallback lkv_decode
#cgo nocallback lkv_dec_copy
#include <vpx/vpx_codec.h>
#include "bridge.h"
*/
import "C"

import (
	"time"
	"unsafe"

	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// Compile-time checks that the Go and C definitions agree.
var (
	_ [C.LKV_ERR_ARG - CodeArg]byte
	_ [CodeArg - C.LKV_ERR_ARG]byte
	_ [C.LKV_ERR_NOMEM - CodeNoMem]byte
	_ [CodeNoMem - C.LKV_ERR_NOMEM]byte
	_ [C.LKV_ERR_CODEC - CodeCodec]byte
	_ [CodeCodec - C.LKV_ERR_CODEC]byte
	_ [C.LKV_ERR_NO_FRAME - CodeNoFrame]byte
	_ [CodeNoFrame - C.LKV_ERR_NO_FRAME]byte
	_ [C.VPX_CODEC_UNSUP_BITSTREAM - vpxUnsupBitstream]byte
	_ [vpxUnsupBitstream - C.VPX_CODEC_UNSUP_BITSTREAM]byte
	_ [C.VPX_CODEC_CORRUPT_FRAME - vpxCorruptFrame]byte
	_ [vpxCorruptFrame - C.VPX_CODEC_CORRUPT_FRAME]byte
	_ [C.VPX_CODEC_INVALID_PARAM - vpxInvalidParam]byte
	_ [vpxInvalidParam - C.VPX_CODEC_INVALID_PARAM]byte
)

// staticThreshold is VP8E_SET_STATIC_THRESHOLD: a macroblock whose
// prediction error (sum of squared differences over its 256 luma pixels)
// stays below max(threshold, quantizer-based limit) is coded as a skip.
// WebRTC uses 100 for screen sharing. Measured here (BenchmarkEncodeStatic720p,
// a 720p page where one 16x16 square changes per frame): 0 -> ~1000 B and
// ~4.2 ms CPU per frame, 1 -> 486 B / ~2.5-3 ms, 100 -> 377 B / ~1.5-2.9 ms,
// 1000 -> 324 B. 100 only skips changes that are all but invisible (an
// error of 1 level over a whole macroblock is 256); TestStaticUpdates checks
// that small real changes still get through.
var staticThreshold = 100

// newError builds an *Error from a bridge status. e is passed by value so
// that only the error path allocates.
func newError(op string, st C.int, e C.lkv_err) error {
	return &Error{Op: op, Code: int(st), Detail: int(e.code), Msg: C.GoString(&e.msg[0])}
}

// Encoder is a VP8 encoder. It must not be used from two goroutines at once.
type Encoder struct {
	ce      *C.lkv_enc    // nil after Close
	req     EncoderConfig // as given to NewEncoder (zero fields kept)
	cfg     EncoderConfig // in effect, defaults filled in
	lastPTS int64         // ms of the previous frame; -1 before the first
	packets int           // frame packets of the last Encode (1 with these settings)
}

// NewEncoder starts a VP8 encoder: realtime deadline, CBR, no lag, error
// resilient, no frame dropping, automatic keyframes at most KeyframeMax
// frames apart, a 1000 ms rate-control buffer (initial 500, optimal 600),
// undershoot 100 % and overshoot 15 % (WebRTC's values), quantizer 2..63
// (WebRTC stops at 56 but drops frames instead; we never drop), keyframes
// limited to half an optimal buffer's worth of bits (WebRTC's rule), static
// threshold 100 (WebRTC's screen-sharing value).
func NewEncoder(cfg EncoderConfig) (*Encoder, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		err.(*Error).Op = "new encoder"
		return nil, err
	}
	ce, err := newEnc(c, "new encoder")
	if err != nil {
		return nil, err
	}
	return &Encoder{ce: ce, req: cfg, cfg: c, lastPTS: -1}, nil
}

func newEnc(c EncoderConfig, op string) (*C.lkv_enc, error) {
	k := C.lkv_enc_config{
		width:          C.int(c.Width),
		height:         C.int(c.Height),
		bitrate_kbps:   C.int(c.BitrateKbps),
		cpu_used:       C.int(c.CPUUsed),
		threads:        C.int(c.Threads),
		kf_max:         C.int(c.KeyframeMax),
		static_thresh:  C.int(staticThreshold),
		max_intra_pct:  C.int(maxIntraPct(c.FrameRate)),
		screen_content: 0,
	}
	var ce *C.lkv_enc
	var e C.lkv_err
	if st := C.lkv_enc_new(&k, &ce, &e); st != C.LKV_OK {
		return nil, newError(op, st, e)
	}
	return ce, nil
}

// Config returns the encoder's configuration with the defaults filled in
// (and the current size and bitrate).
func (e *Encoder) Config() EncoderConfig { return e.cfg }

// Encode encodes img, which must have the encoder's size, with
// presentation time pts and nominal duration (both rounded down to
// milliseconds, the encoder's timebase; the duration is at least 1 ms, and
// a pts not after the previous one is moved 1 ms after it, as libvpx needs
// increasing timestamps). forceKey asks for a keyframe (answer a PLI/FIR
// with it). The compressed frame is appended to dst[:0], which grows only
// when it is too small, and returned with whether it is a keyframe; with a
// reused dst, Encode does not allocate.
//
// With these settings one picture gives exactly one frame packet; should
// libvpx ever return several they are concatenated, and none is an error
// matching ErrNoFrame.
func (e *Encoder) Encode(img *yuv.I420, pts, duration time.Duration, forceKey bool, dst []byte) (frame []byte, key bool, err error) {
	dst = dst[:0]
	if e.ce == nil {
		return dst, false, ErrClosed
	}
	if err := img.Check(); err != nil {
		return dst, false, &Error{Op: "encode", Code: CodeArg, Msg: err.Error()}
	}
	if img.Width != e.cfg.Width || img.Height != e.cfg.Height {
		return dst, false, &Error{Op: "encode", Code: CodeArg, Msg: "picture size differs from the encoder's"}
	}
	ms := max(pts.Milliseconds(), 0)
	if ms <= e.lastPTS {
		ms = e.lastPTS + 1
	}
	dur := max(duration.Milliseconds(), 1)
	fk := C.int(0)
	if forceKey {
		fk = 1
	}
	var p *C.uint8_t
	if cap(dst) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(dst[:cap(dst)])))
	}
	var n C.size_t
	var k, np C.int
	var ce C.lkv_err
	st := C.lkv_encode(e.ce,
		(*C.uint8_t)(&img.Y[0]), (*C.uint8_t)(&img.U[0]), (*C.uint8_t)(&img.V[0]),
		C.int(img.StrideY), C.int(img.StrideUV), C.int(img.Width), C.int(img.Height),
		C.int64_t(ms), C.int64_t(dur), fk, p, C.size_t(cap(dst)), &n, &k, &np, &ce)
	e.packets = int(np)
	if st == C.LKV_ERR_SHORT {
		// Grow with headroom so that a reused dst soon stops growing.
		dst = make([]byte, 0, int(n)+int(n)/2+1024)
		st = C.lkv_enc_take(e.ce, (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(dst[:cap(dst)]))),
			C.size_t(cap(dst)), &n, &ce)
	}
	if st != C.LKV_OK {
		return dst, false, newError("encode", st, ce)
	}
	e.lastPTS = ms
	return dst[:int(n)], k != 0, nil
}

// SetBitrate changes the CBR target while running (vpx_codec_enc_config_set).
func (e *Encoder) SetBitrate(kbps int) error {
	if e.ce == nil {
		return ErrClosed
	}
	if kbps < 1 || kbps > 1_000_000 {
		return &Error{Op: "set bitrate", Code: CodeArg, Msg: "bitrate out of range"}
	}
	var ce C.lkv_err
	if st := C.lkv_enc_set_bitrate(e.ce, C.int(kbps), &ce); st != C.LKV_OK {
		return newError("set bitrate", st, ce)
	}
	e.cfg.BitrateKbps = kbps
	return nil
}

// Resize re-initialises the encoder for w x h pictures, keeping the other
// settings (a CPUUsed left at 0 in the original configuration is chosen
// again for the new size). The next frame is a keyframe. On error the
// encoder keeps its old size and stays usable.
func (e *Encoder) Resize(w, h int) error {
	if e.ce == nil {
		return ErrClosed
	}
	c := e.req
	c.Width, c.Height, c.BitrateKbps = w, h, e.cfg.BitrateKbps
	c, err := c.withDefaults()
	if err != nil {
		err.(*Error).Op = "resize"
		return err
	}
	ce, err := newEnc(c, "resize")
	if err != nil {
		return err
	}
	C.lkv_enc_free(e.ce)
	e.ce, e.cfg = ce, c
	e.req.Width, e.req.Height = w, h
	return nil
}

// Close frees the encoder. It is idempotent.
func (e *Encoder) Close() error {
	if e.ce != nil {
		C.lkv_enc_free(e.ce)
		e.ce = nil
	}
	return nil
}

// Decoder is a VP8 decoder. It must not be used from two goroutines at once.
type Decoder struct {
	cd  *C.lkv_dec // nil after Close
	img *yuv.I420  // reused between calls
}

// NewDecoder starts a single-threaded VP8 decoder.
func NewDecoder() (*Decoder, error) {
	var cd *C.lkv_dec
	var ce C.lkv_err
	if st := C.lkv_dec_new(&cd, &ce); st != C.LKV_OK {
		return nil, newError("new decoder", st, ce)
	}
	return &Decoder{cd: cd}, nil
}

// Decode decodes one compressed frame and returns the picture, copied into
// Go memory. The *yuv.I420 is reused: it is valid until the next Decode
// (copy it to keep it). Its size follows the stream (a keyframe may change
// it). The stream must start with a keyframe; undecodable data gives an
// error matching ErrCorrupt.
func (d *Decoder) Decode(frame []byte) (*yuv.I420, error) {
	if d.cd == nil {
		return nil, ErrClosed
	}
	if len(frame) == 0 {
		return nil, &Error{Op: "decode", Code: CodeArg, Msg: "empty frame"}
	}
	var w, h C.int
	var ce C.lkv_err
	st := C.lkv_decode(d.cd, (*C.uint8_t)(&frame[0]), C.size_t(len(frame)), &w, &h, &ce)
	if st != C.LKV_OK {
		return nil, newError("decode", st, ce)
	}
	if d.img == nil || d.img.Width != int(w) || d.img.Height != int(h) {
		d.img = yuv.NewI420(int(w), int(h))
	}
	img := d.img
	st = C.lkv_dec_copy(d.cd, (*C.uint8_t)(&img.Y[0]), C.int(img.StrideY),
		(*C.uint8_t)(&img.U[0]), (*C.uint8_t)(&img.V[0]), C.int(img.StrideUV), &ce)
	if st != C.LKV_OK {
		return nil, newError("decode", st, ce)
	}
	return img, nil
}

// Close frees the decoder. It is idempotent.
func (d *Decoder) Close() error {
	if d.cd != nil {
		C.lkv_dec_free(d.cd)
		d.cd = nil
	}
	return nil
}

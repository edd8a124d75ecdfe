//go:build linux && cgo

package pulsecap

/*
#cgo noescape lkp_test_play_open
#cgo noescape lkp_test_play_write
#cgo nocallback lkp_test_play_open
#cgo nocallback lkp_test_play_write
#cgo nocallback lkp_test_play_close
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"math"
	"time"
	"unsafe"
)

// Player is a pa_simple playback stream, a stand-in for a browser playing
// into a sink, for tests and benchmarks. Its methods must be called from
// one goroutine.
type Player struct {
	pc    *C.lkp_play // nil after Close
	frame int
}

// Play connects to server and opens a playback stream (s16le, rate,
// channels) into sink with a 100 ms target buffer. Unlike Dial and Record it
// has no timeout (pa_simple_new waits as long as it takes).
func Play(server, sink string, rate, channels int) (*Player, error) {
	return PlayBuffered(server, sink, rate, channels, 100*time.Millisecond)
}

// PlayBuffered is Play with the given target buffer length (tlength): a
// Write returns once at most that much audio is queued ahead of playback.
// Smaller buffers have less latency but underrun more easily.
func PlayBuffered(server, sink string, rate, channels int, buffer time.Duration) (*Player, error) {
	const op = "play"
	if rate <= 0 || rate > math.MaxInt32 || channels <= 0 || channels > math.MaxInt32 || buffer <= 0 {
		return nil, errArg(op, "bad rate, channels or buffer")
	}
	tlength := max(1, int64(float64(rate)*buffer.Seconds())) * int64(channels) * 2
	if tlength > math.MaxUint32/2 {
		return nil, errArg(op, "buffer too long")
	}
	cs, ok := cstring(server)
	if !ok {
		return nil, errArg(op, "server contains NUL")
	}
	defer C.free(unsafe.Pointer(cs))
	ks, ok := cstring(sink)
	if !ok {
		return nil, errArg(op, "sink contains NUL")
	}
	defer C.free(unsafe.Pointer(ks))
	var pc *C.lkp_play
	var detail C.int
	st := C.lkp_test_play_open(cs, ks, C.int(rate), C.int(channels), C.uint32_t(tlength), &pc, &detail)
	if st != C.LKP_OK {
		return nil, newError(op, st, detail)
	}
	return &Player{pc: pc, frame: 2 * channels}, nil
}

// Write plays b (interleaved s16le frames), blocking while the buffer is
// full. A dead server returns an error matching ErrConnectionLost.
func (p *Player) Write(b []byte) error {
	if p.pc == nil {
		return &Error{Op: "play write", kind: kindClosed}
	}
	if len(b) == 0 {
		return nil
	}
	var detail C.int
	st := C.lkp_test_play_write(p.pc, (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b)), &detail)
	if st != C.LKP_OK {
		return newError("play write", st, detail)
	}
	return nil
}

// Close disconnects; idempotent.
func (p *Player) Close() error {
	if p.pc != nil {
		C.lkp_test_play_close(p.pc)
		p.pc = nil
	}
	return nil
}

//go:build linux && cgo

package pulsecap

/*
#cgo pkg-config: libpulse libpulse-simple
#cgo CFLAGS: -O2 -Wall
#cgo noescape lkp_ctl_open
#cgo noescape lkp_load_null_sink
#cgo noescape lkp_unload_module
#cgo noescape lkp_set_sink_mute
#cgo noescape lkp_sink_input_count
#cgo noescape lkp_rec_open
#cgo noescape lkp_rec_read
#cgo noescape lkp_rec_latency
#cgo nocallback lkp_ctl_open
#cgo nocallback lkp_ctl_close
#cgo nocallback lkp_ctl_interrupt
#cgo nocallback lkp_ctl_alive
#cgo nocallback lkp_load_null_sink
#cgo nocallback lkp_unload_module
#cgo nocallback lkp_set_sink_mute
#cgo nocallback lkp_sink_input_count
#cgo nocallback lkp_rec_open
#cgo nocallback lkp_rec_read
#cgo nocallback lkp_rec_latency
#cgo nocallback lkp_rec_interrupt
#cgo nocallback lkp_rec_close
#include <stdlib.h>
#include <pulse/error.h>
#include "bridge.h"
*/
import "C"

import (
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Compile-time checks that the Go and C status codes agree.
var (
	_ [C.LKP_ERR_CONNECT - kindConnect]byte
	_ [kindConnect - C.LKP_ERR_CONNECT]byte
	_ [C.LKP_ERR_TOO_MANY - kindTooMany]byte
	_ [kindTooMany - C.LKP_ERR_TOO_MANY]byte
	_ [C.LKP_ERR_TIMEOUT - kindTimeout]byte
	_ [kindTimeout - C.LKP_ERR_TIMEOUT]byte
	_ [C.LKP_ERR_LOST - kindLost]byte
	_ [kindLost - C.LKP_ERR_LOST]byte
	_ [C.LKP_ERR_KILLED - kindKilled]byte
	_ [kindKilled - C.LKP_ERR_KILLED]byte
	_ [C.LKP_ERR_NOENTITY - kindNoEntity]byte
	_ [kindNoEntity - C.LKP_ERR_NOENTITY]byte
	_ [C.LKP_ERR_PA - kindPA]byte
	_ [kindPA - C.LKP_ERR_PA]byte
	_ [C.LKP_ERR_NOMEM - kindNoMem]byte
	_ [kindNoMem - C.LKP_ERR_NOMEM]byte
	_ [C.LKP_ERR_ARG - kindArg]byte
	_ [kindArg - C.LKP_ERR_ARG]byte
	_ [C.LKP_ERR_CLOSED - kindClosed]byte
	_ [kindClosed - C.LKP_ERR_CLOSED]byte
	_ [C.LKP_ERR_EXIST - kindExist]byte
	_ [kindExist - C.LKP_ERR_EXIST]byte
)

func newError(op string, st, detail C.int) error {
	e := &Error{Op: op, Code: int(detail), kind: int(st)}
	if detail != 0 {
		e.Text = C.GoString(C.pa_strerror(detail))
	}
	return e
}

// timeoutMs converts a timeout for the bridge: rounded up to milliseconds,
// 0 (no limit) for d <= 0.
func timeoutMs(d time.Duration) C.int {
	if d <= 0 {
		return 0
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return C.int(min(ms, math.MaxInt32))
}

// cstring is C.CString for strings without NUL bytes; ok is false if s has
// one (C would see a shorter string).
func cstring(s string) (cs *C.char, ok bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, false
	}
	return C.CString(s), true
}

// Ctl is a control connection to a PulseAudio server: libpulse's async API
// on a pa_threaded_mainloop (one thread) owned by the Ctl. It is safe for
// concurrent use: operations may run in parallel (each waits for its own
// reply), and Close waits for running operations, after making them return
// ErrClosed.
type Ctl struct {
	mu   sync.RWMutex // operations hold R; Close holds W while freeing
	cc   *C.lkp_ctl   // nil after Close
	stop sync.Once    // interrupts running operations once
}

// Dial connects to server ("unix:/path/native"; "" means libpulse's default
// lookup, without autospawn) and waits until the connection is ready, at
// most timeout (<= 0: no limit). The same timeout then bounds every
// operation on the Ctl. Errors match ErrConnect (no server listening),
// ErrTooManyClients (the server's client limit), ErrTimeout or
// ErrConnectionLost.
func Dial(server string, timeout time.Duration) (*Ctl, error) {
	cs, ok := cstring(server)
	if !ok {
		return nil, errArg("dial", "server contains NUL")
	}
	defer C.free(unsafe.Pointer(cs))
	var cc *C.lkp_ctl
	var detail C.int
	if st := C.lkp_ctl_open(cs, timeoutMs(timeout), &cc, &detail); st != C.LKP_OK {
		return nil, newError("dial", st, detail)
	}
	return &Ctl{cc: cc}, nil
}

// LoadNullSink loads module-null-sink named name (also its description;
// [A-Za-z0-9_.-]{1,128}) with format s16le at rate Hz and channels channels
// (default channel map), and returns the module index for UnloadModule.
// Its monitor source is name+".monitor". A name already in use fails with
// ErrExist (the server would silently call the new sink name+".2"; this
// costs one more round trip per load).
func (c *Ctl) LoadNullSink(name string, rate, channels int) (module uint32, err error) {
	const op = "load null sink"
	if !validName(name) {
		return 0, errArg(op, "sink name must match [A-Za-z0-9_.-]{1,128}")
	}
	if rate <= 0 || rate > math.MaxInt32 || channels <= 0 || channels > math.MaxInt32 {
		return 0, errArg(op, "bad rate or channels")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cc == nil {
		return 0, &Error{Op: op, kind: kindClosed}
	}
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	var m C.uint32_t
	var detail C.int
	if st := C.lkp_load_null_sink(c.cc, cs, C.int(rate), C.int(channels), &m, &detail); st != C.LKP_OK {
		return 0, newError(op, st, detail)
	}
	return uint32(m), nil
}

// UnloadModule unloads a module (ErrNoEntity if there is none with that
// index) and returns once it is gone, so its sink name is free again. (The
// server acknowledges an unload before doing it; UnloadModule asks until
// the module is gone, usually one more round trip.) Unloading a null sink kills the streams recording its monitor
// (their Read returns ErrKilled); streams playing into it are moved to
// another sink by the server, if there is one.
func (c *Ctl) UnloadModule(module uint32) error {
	const op = "unload module"
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cc == nil {
		return &Error{Op: op, kind: kindClosed}
	}
	var detail C.int
	if st := C.lkp_unload_module(c.cc, C.uint32_t(module), &detail); st != C.LKP_OK {
		return newError(op, st, detail)
	}
	return nil
}

// SetSinkMute mutes or unmutes a sink by name. A muted null sink's monitor
// records silence while its streams keep playing.
func (c *Ctl) SetSinkMute(sink string, mute bool) error {
	const op = "set sink mute"
	cs, ok := cstring(sink)
	if !ok || sink == "" {
		return errArg(op, "bad sink name")
	}
	defer C.free(unsafe.Pointer(cs))
	m := C.int(0)
	if mute {
		m = 1
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cc == nil {
		return &Error{Op: op, kind: kindClosed}
	}
	var detail C.int
	if st := C.lkp_set_sink_mute(c.cc, cs, m, &detail); st != C.LKP_OK {
		return newError(op, st, detail)
	}
	return nil
}

// SinkInputCount returns how many streams (sink inputs, corked or not) are
// connected to the sink, by name. It costs two round trips.
func (c *Ctl) SinkInputCount(sink string) (int, error) {
	const op = "sink input count"
	cs, ok := cstring(sink)
	if !ok || sink == "" {
		return 0, errArg(op, "bad sink name")
	}
	defer C.free(unsafe.Pointer(cs))
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cc == nil {
		return 0, &Error{Op: op, kind: kindClosed}
	}
	var n, detail C.int
	if st := C.lkp_sink_input_count(c.cc, cs, &n, &detail); st != C.LKP_OK {
		return 0, newError(op, st, detail)
	}
	return int(n), nil
}

// Alive reports whether the connection is still ready (false after Close or
// once the server died).
func (c *Ctl) Alive() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cc != nil && C.lkp_ctl_alive(c.cc) != 0
}

// Close makes running operations return ErrClosed, waits for them,
// disconnects, and stops and frees the mainloop (joining its thread). It is
// idempotent and works on a dead connection.
func (c *Ctl) Close() error {
	c.stop.Do(func() {
		c.mu.RLock()
		if c.cc != nil {
			C.lkp_ctl_interrupt(c.cc)
		}
		c.mu.RUnlock()
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cc != nil {
		C.lkp_ctl_close(c.cc)
		c.cc = nil
	}
	return nil
}

// Recorder records a source (usually a sink's ".monitor") as interleaved
// signed 16-bit little-endian samples, over its own connection (one
// pa_threaded_mainloop thread, one client slot on the server).
//
// Read must not be called from two goroutines at once. Latency may be
// called while a Read runs. Close may be called at any time, also while a
// Read is blocked: that Read returns ErrClosed.
type Recorder struct {
	mu    sync.RWMutex // Read/Latency hold R; Close holds W while freeing
	rc    *C.lkp_rec   // nil after Close
	stop  sync.Once
	frame int // bytes per frame
}

// Record connects to server (see Dial) and opens a record stream on source
// with the given rate and channel count (s16le, default channel map). The
// server sends fragments of fragment's length (<= 0: 10 ms; rounded to whole
// frames) and sets the source latency to match, so reads return promptly;
// maxlength is the server default. The stream does not follow the source if
// it goes away: it is killed (ErrKilled) instead of being moved to another
// source. timeout bounds connecting (and Latency); <= 0 means no limit.
//
// A null sink that no stream asked for a low latency (just loaded, or
// idle) renders 2 s ahead and then sleeps, so a new stream on its monitor
// would get its first samples only up to 2 s later. If the sink renders more
// than 500 ms ahead, Record therefore suspends and resumes it right after
// connecting, which restarts its clock with this stream's latency: the first
// samples then arrive within about one fragment. A stream playing into the
// sink at that moment underruns for about as long as the sink had rendered
// ahead (a gap in the recording), so start a page's Recorder before its
// audio matters, at page start. A sink with a low-latency player (Chromium)
// is not touched.
// Errors as for Dial, plus ErrNoEntity for a missing source.
func Record(server, source string, rate, channels int, fragment, timeout time.Duration) (*Recorder, error) {
	const op = "record"
	if rate <= 0 || rate > math.MaxInt32 || channels <= 0 || channels > math.MaxInt32 {
		return nil, errArg(op, "bad rate or channels")
	}
	if fragment <= 0 {
		fragment = 10 * time.Millisecond
	}
	frames := max(1, int64((float64(rate)*fragment.Seconds())+0.5))
	fragsize := frames * int64(channels) * 2
	if fragsize > math.MaxUint32/2 {
		return nil, errArg(op, "fragment too long")
	}
	cs, ok := cstring(server)
	if !ok {
		return nil, errArg(op, "server contains NUL")
	}
	defer C.free(unsafe.Pointer(cs))
	src, ok := cstring(source)
	if !ok || source == "" {
		return nil, errArg(op, "bad source name")
	}
	defer C.free(unsafe.Pointer(src))
	var rc *C.lkp_rec
	var detail C.int
	st := C.lkp_rec_open(cs, src, C.int(rate), C.int(channels), C.uint32_t(fragsize),
		timeoutMs(timeout), &rc, &detail)
	if st != C.LKP_OK {
		return nil, newError(op, st, detail)
	}
	return &Recorder{rc: rc, frame: 2 * channels}, nil
}

// Read blocks until exactly len(buf) bytes were recorded and copies them
// into buf (normally a whole number of frames: channels*2 bytes). buf is
// passed to C for the duration of the call only, and nothing is allocated
// on success. Gaps the server reports in the stream read as silence. Errors:
// ErrConnectionLost when the server dies (promptly, never a hang or exit),
// ErrKilled when the source goes away, ErrClosed after or during Close.
func (r *Recorder) Read(buf []byte) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.rc == nil {
		return &Error{Op: "read", kind: kindClosed}
	}
	if len(buf) == 0 {
		return nil
	}
	var detail C.int
	st := C.lkp_rec_read(r.rc, (*C.uint8_t)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &detail)
	if st != C.LKP_OK {
		return newError("read", st, detail)
	}
	return nil
}

// Latency returns how much audio is on its way from the source to Read: the
// source's own delay (for a monitor, what the server holds back for
// rewinds; ~0) and the transport, from a timing update that costs one round
// trip (~150 µs, bounded by Record's timeout) when the last is over a
// second old, plus what has arrived for this stream and not been read yet,
// counted locally. So calling it after every Read is cheap (~3 µs). Right
// after a Read that caught up it is close to 0: the server sends whole
// fragments, so the first sample of the block just read is up to one
// fragment older than that. (pa_simple_get_latency interpolates instead,
// and is off by up to seconds for a null sink's monitor, because the sink
// renders ahead of its clock.)
func (r *Recorder) Latency() (time.Duration, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.rc == nil {
		return 0, &Error{Op: "latency", kind: kindClosed}
	}
	var us C.uint64_t
	var detail C.int
	if st := C.lkp_rec_latency(r.rc, &us, &detail); st != C.LKP_OK {
		return 0, newError("latency", st, detail)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// FrameSize returns the bytes per frame (channels * 2).
func (r *Recorder) FrameSize() int { return r.frame }

// Close interrupts a blocked Read (it returns ErrClosed), waits for it,
// then disconnects and frees everything (joining the mainloop thread). It is
// idempotent and works on a dead connection.
func (r *Recorder) Close() error {
	r.stop.Do(func() {
		r.mu.RLock()
		if r.rc != nil {
			C.lkp_rec_interrupt(r.rc)
		}
		r.mu.RUnlock()
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rc != nil {
		C.lkp_rec_close(r.rc)
		r.rc = nil
	}
	return nil
}

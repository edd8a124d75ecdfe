package webm

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/at-wat/ebml-go/mkvcore"
	mkv "github.com/at-wat/ebml-go/webm"

	"github.com/lkbrowser/lkbrowser"
)

// openMuxer writes the WebM header: a VP8 track of w x h and an Opus track.
func (r *Recorder) openMuxer(w, h int) error {
	tracks := []mkv.TrackEntry{{
		Name: "Video", TrackNumber: trackVideo, TrackUID: rand.Uint64(), CodecID: "V_VP8", TrackType: 1,
		Video: &mkv.Video{PixelWidth: uint64(w), PixelHeight: uint64(h)},
	}}
	if !r.opts.NoAudio {
		head := make([]byte, 19)
		copy(head, "OpusHead")
		head[8], head[9] = 1, lkbrowser.AudioChannels
		binary.LittleEndian.PutUint16(head[10:], opusPreSkip)
		binary.LittleEndian.PutUint32(head[12:], lkbrowser.AudioSampleRate)
		tracks = append(tracks, mkv.TrackEntry{
			Name: "Audio", TrackNumber: trackAudio, TrackUID: rand.Uint64(), CodecID: "A_OPUS", TrackType: 2,
			CodecPrivate: head, CodecDelay: uint64(opusDelay), SeekPreRoll: uint64(80 * time.Millisecond),
			Audio: &mkv.Audio{SamplingFrequency: lkbrowser.AudioSampleRate, Channels: lkbrowser.AudioChannels},
		})
	}
	opts := []mkvcore.BlockWriterOption{
		mkvcore.WithSegmentInfo(&mkv.Info{TimecodeScale: uint64(time.Millisecond), MuxingApp: "lkbrowser", WritingApp: "lkbrowser"}),
		// We interleave the tracks ourselves (muxer.flush); ebml-go's sorter
		// would drop the repeat of a still picture as too old.
		mkvcore.WithBlockInterceptor(nil),
		mkvcore.WithSeekHead(true),
		// A cluster at each video keyframe at least a second after the
		// cluster's start, and at least every 5 s.
		mkvcore.WithMinMaxClusterDuration(trackVideo, 1000, 5000),
		mkvcore.WithOnFatalHandler(func(err error) { r.out.fail(fmt.Errorf("webm: %w", err)) }),
		mkvcore.WithOnErrorHandler(func(err error) { r.log.Warn("recording: webm", "page", r.p.ID(), "err", err) }),
	}
	if r.seek {
		opts = append(opts, mkvcore.WithCues(cuesReserve))
	}
	r.out.keepHead = 4096
	bw, err := mkv.NewSimpleBlockWriter(r.out.writer(r.seek), tracks, opts...)
	if err != nil {
		return fmt.Errorf("webm: webm: %w", err)
	}
	if err := r.out.error(); err != nil {
		for _, t := range bw {
			_ = t.Close()
		}
		return fmt.Errorf("webm: write: %w", err)
	}
	if r.seek {
		// The Duration element (ID 0x4489, size 8) that ebml-go put in as a
		// placeholder and patches at the end; patchDuration keeps it up to
		// date while recording. (ebml-go finds it the same way.)
		if i := indexBytes(r.out.head, []byte{0x44, 0x89, 0x88}); i >= 0 {
			r.durPos = int64(i) + 3
		}
	}
	// No block was written yet, so ebml-go's goroutine has not written
	// since NewSimpleBlockWriter returned.
	r.out.keepHead, r.out.head = 0, nil
	r.mux = &muxer{tracks: bw, last: [3]int64{-1, -1, -1}}
	r.mux.active[trackVideo] = true
	r.mux.active[trackAudio] = !r.opts.NoAudio
	return nil
}

// patchDuration writes the duration so far into the file's Duration
// element, so that a file cut short tells how long it is.
func (r *Recorder) patchDuration() {
	if r.durPos == 0 || r.mux.written <= r.patched {
		return
	}
	r.patched = r.mux.written
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], math.Float64bits(float64(r.mux.written)))
	r.out.writeAt(b[:], r.durPos)
}

// packet is one encoded frame waiting to be written.
type packet struct {
	track int
	ts    int64 // milliseconds from time 0
	key   bool
	data  []byte
}

// muxer interleaves the tracks' packets in time order before they go to
// ebml-go: a packet is written once every active track has reached its
// time, or when it is muxWindow older than the newest packet.
type muxer struct {
	tracks  []mkv.BlockWriteCloser
	queue   []packet
	last    [3]int64 // last timestamp queued per track, -1 for none
	active  [3]bool
	written int64 // largest timestamp written
	closed  bool
}

func (m *muxer) add(p packet) {
	m.queue = append(m.queue, p)
	m.last[p.track] = p.ts
	m.flush(false)
}

// advance tells that track has no packet before ts to come, and writes
// what this releases.
func (m *muxer) advance(track int, ts int64) {
	if ts > m.last[track] {
		m.last[track] = ts
		m.flush(false)
	}
}

// flush writes the packets that no other track can precede any more, or
// all of them.
func (m *muxer) flush(all bool) {
	if m.closed || len(m.queue) == 0 {
		return
	}
	slices.SortStableFunc(m.queue, func(a, b packet) int { return int(a.ts - b.ts) })
	water := int64(math.MaxInt64)
	for t, on := range m.active {
		if on {
			water = min(water, m.last[t])
		}
	}
	newest := m.queue[len(m.queue)-1].ts
	n := 0
	for _, p := range m.queue {
		if !all && p.ts > water && p.ts > newest-muxWindow.Milliseconds() {
			break
		}
		// Write hands the packet to ebml-go's goroutine. That goroutine
		// stops only on a marshalling error (onFatal), which valid packets
		// do not cause: write errors are absorbed by countingWriter.
		_, _ = m.tracks[p.track-1].Write(p.key, p.ts, p.data)
		m.written = max(m.written, p.ts)
		n++
	}
	m.queue = slices.Delete(m.queue, 0, n)
}

// close ends the tracks; closing the last one finalises the stream and
// closes the writer.
func (m *muxer) close() {
	if m.closed {
		return
	}
	m.flush(true)
	m.closed = true
	for _, t := range m.tracks {
		_ = t.Close()
	}
}

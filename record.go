package lkbrowser

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/at-wat/ebml-go/mkvcore"
	"github.com/at-wat/ebml-go/webm"
	media "github.com/livekit/media-sdk"
	"github.com/livekit/media-sdk/opus"
	"github.com/livekit/protocol/logger"

	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// Recording parameters.
const (
	// stillRepeat is how long the recorder waits for a new frame before it
	// encodes the last picture again, so that a page that does not change
	// still advances the file.
	stillRepeat = time.Second
	// recordKeyframeInterval is the longest time between two VP8 keyframes
	// (a WebM cluster starts at each).
	recordKeyframeInterval = 2 * time.Second
	// opusFrame is the length of one Opus packet: 960 samples a channel.
	opusFrame        = 20 * time.Millisecond
	opusFrameSamples = AudioSampleRate * int(opusFrame/time.Millisecond) / 1000
	// opusPreSkip is libopus' look-ahead at 48 kHz (Fs/400 + Fs/250), the
	// samples a decoder drops at the start (OpusHead pre-skip).
	opusPreSkip = 312
	// opusDelay is the pre-skip as a time, the track's CodecDelay: a block's
	// timestamp is the time of its first sample plus this (players drop
	// the pre-skip and subtract it).
	opusDelay = opusPreSkip * time.Second / AudioSampleRate
	// videoLag bounds the time from a frame's capture to its arrival at
	// the recorder.
	videoLag = 200 * time.Millisecond
	// muxWindow bounds how long a packet of one track waits for the other
	// track to catch up before it is written anyway.
	muxWindow = time.Second
	// stopAudioWait is how long Stop waits for the sound played before the
	// stop time, which arrives a few tens of milliseconds late.
	stopAudioWait = 300 * time.Millisecond
	// cuesReserve is the room kept after the header for the Cues (seek
	// index) of a seekable output: about 20 bytes a cluster, so an hour of
	// 2 s clusters; longer recordings keep every other cue point.
	cuesReserve = 36 << 10
	trackVideo  = 1
	trackAudio  = 2
)

// ErrInvalidBitrate marks a bitrate out of range in RecordOptions.
var ErrInvalidBitrate = errors.New("invalid bitrate")

// RecordOptions tunes a Recorder. The zero value records video and sound
// at the default bitrates.
type RecordOptions struct {
	// VideoBitrate is the VP8 target bitrate in kbit/s, 100..50000.
	// Default DefaultVideoBitrate of the page's size.
	VideoBitrate int
	// AudioBitrate is the Opus bitrate in kbit/s, 16..510. Default 96.
	AudioBitrate int
	// NoAudio records video only and leaves Page.Audio to the caller. A page
	// of an engine with Options.NoAudio is recorded without sound anyway.
	NoAudio bool
	// Progress, when set, is called about once a second from the
	// recorder's goroutine (so it must return quickly) and once more when
	// the recording ends.
	Progress func(RecordProgress)
}

// RecordProgress tells how far a recording is.
type RecordProgress struct {
	// Elapsed is the time recorded so far: since the recording started
	// while it runs, the length of the file once it stopped.
	Elapsed time.Duration
	// Frames is the number of video frames written, including the repeats
	// of a still picture (one a second).
	Frames uint64
	// AudioPackets is the number of 20 ms Opus packets written.
	AudioPackets uint64
	// Bytes is the number of bytes written to the output.
	Bytes int64
	// FramesDropped is the number of the page's frames the recorder's own
	// reader did not take in time (each reader of a page has its own
	// count; the newest frame replaced them).
	FramesDropped uint64
}

// Recorder writes a page's picture (VP8) and sound (Opus, 48 kHz stereo)
// to a WebM stream as the page renders.
//
// It reads the page through subscriptions of its own (SubscribeFrames,
// SubscribeAudio), so the program and other readers (an lksession) keep
// reading the page meanwhile, each with its own drops. Frames are converted and released at
// once, so the page's capture never waits for the encoder; when the encoder
// falls behind, the newest frame wins as usual.
//
// Timestamps come from the capture clocks (Frame.PTS, AudioFrame.PTS) with
// the picture at the start as time 0, in milliseconds (WebM timecode scale
// 1 ms). The frame rate is variable: frames are written when the page
// changes, and the last picture is written again after a second without a
// change, so that players do not stall on a still page. Stop writes the
// last picture once more at the stop time, so the file lasts as long as the
// recording did.
//
// The WebM track carries the page's size at the start. When the page is
// resized the recorder goes on at the new size: the encoder restarts with a
// keyframe of the new size, which players (Chromium, Firefox, ffmpeg, VLC)
// follow, although the track header still gives the first size.
//
// Output that can seek (a regular file at offset 0) gets a seek index
// (Cues) and a duration when it is finalised, and its duration element is
// updated every second while recording. The stream is written as it goes
// (clusters of unknown size), so a file cut short by a crash or a kill is
// still readable up to where it stopped. Other outputs (pipes, buffers) get
// a live WebM stream without index or duration.
type Recorder struct {
	p      *Page
	frames *FrameSubscription
	audio  *AudioSubscription // nil with NoAudio
	opts   RecordOptions
	out    *countingWriter
	seek   bool // out can be patched: duration element and Cues
	// durPos is the offset of the 8-byte Duration value; 0 when unknown.
	durPos  int64
	patched int64 // the duration last patched in, ms

	mux      *muxer
	t0       time.Duration // engine-clock PTS of time 0 (the first picture)
	start    time.Time
	stopOnce sync.Once
	stopReq  chan time.Duration // the stop time, engine clock
	done     chan struct{}
	err      error // set before done closes

	// Video state, owned by the recorder's goroutine.
	enc         *vpx.Encoder
	encW, encH  int
	img         *yuv.I420
	pkt         []byte
	fullNext    bool          // convert the next frame whole, not just Dirty
	keyNext     bool          // make the next frame a keyframe (new size)
	lastVideo   time.Duration // timestamp of the last video frame written
	lastKey     time.Duration
	lastFrameAt time.Time // when the last frame was written (wall clock)
	videoFrames uint64
	fps         int

	// Audio state, owned by the recorder's goroutine.
	opusEnc  media.PCM16Writer // media-sdk's Opus encoder
	opusOut  *opusSink
	abuf     []int16
	aStart   time.Duration // engine-clock PTS of abuf[0]
	aNext    time.Duration // engine-clock PTS of the sample expected next
	lastAud  time.Duration // timestamp of the last audio packet written
	audioPkt uint64

	stats atomic.Pointer[RecordProgress]
}

// NewRecorder starts recording p into w at once and returns the Recorder;
// Stop ends the recording, finalises the stream and closes w. The first
// picture is the page as it is now (a Snapshot), so a page that does not
// change is recorded too.
func NewRecorder(p *Page, w io.WriteCloser, opts RecordOptions) (*Recorder, error) {
	if err := p.usable(); err != nil {
		return nil, err
	}
	if opts.VideoBitrate != 0 && (opts.VideoBitrate < MinVideoBitrate || opts.VideoBitrate > MaxVideoBitrate) {
		return nil, invalidArg(ErrInvalidBitrate, "VideoBitrate", opts.VideoBitrate, "must be 100..50000 kbit/s")
	}
	if opts.AudioBitrate != 0 && (opts.AudioBitrate < 16 || opts.AudioBitrate > 510) {
		return nil, invalidArg(ErrInvalidBitrate, "AudioBitrate", opts.AudioBitrate, "must be 16..510 kbit/s")
	}
	if opts.AudioBitrate == 0 {
		opts.AudioBitrate = 96
	}
	if p.audio == nil {
		opts.NoAudio = true
	}
	r := &Recorder{p: p, opts: opts, stopReq: make(chan time.Duration, 1), done: make(chan struct{}), fps: p.FrameRate()}
	r.out = &countingWriter{w: w}
	r.seek = seekableAtStart(w)
	r.out.cut = r.seek

	// The encoders take a while to start (about 0.1 s), so they start
	// before the first picture is taken, at the page's current size.
	w0, h0 := p.size()
	if opts.VideoBitrate == 0 {
		r.opts.VideoBitrate = DefaultVideoBitrate(w0, h0)
	}
	if err := r.openVideo(w0, h0); err != nil {
		return nil, err
	}
	if !r.opts.NoAudio {
		r.opusOut = &opusSink{}
		enc, err := opus.EncodeWith(r.opusOut, AudioChannels, opus.EncodeOptions{Bitrate: r.opts.AudioBitrate * 1000}, logger.GetDiscardLogger())
		if err != nil {
			_ = r.enc.Close()
			return nil, fmt.Errorf("lkbrowser: record: opus encoder: %w", err)
		}
		r.opusEnc = enc
		r.abuf = make([]int16, 0, opusFrameSamples*AudioChannels)
	}

	// The recorder reads through its own subscriptions, made before the
	// picture of now (the first frame) so that no change after it is lost.
	r.frames = p.SubscribeFrames()
	if !r.opts.NoAudio {
		r.audio = p.SubscribeAudio()
	}
	started := false
	defer func() {
		if !started {
			r.closeReaders()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	first, err := p.Snapshot(ctx)
	cancel()
	if err != nil {
		_ = r.enc.Close()
		return nil, fmt.Errorf("lkbrowser: record: first picture: %w", err)
	}
	r.t0 = first.PTS
	r.start = p.e.epoch.Add(r.t0)
	if first.Width != w0 || first.Height != h0 { // resized meanwhile
		if err := r.resizeVideo(first.Width, first.Height); err != nil {
			first.Release()
			return nil, err
		}
	}
	if err := r.openMuxer(first.Width, first.Height); err != nil {
		first.Release()
		_ = r.enc.Close()
		return nil, err
	}
	// The first picture, at time 0.
	err = yuv.FromBGRA(r.img, first.Pix, first.Stride, first.Width, first.Height, nil)
	first.Release()
	if err != nil {
		r.abort()
		return nil, fmt.Errorf("lkbrowser: record: %w", err)
	}
	r.fullNext = true // the next frame's Dirty is relative to an older frame
	if err := r.encodeVideo(0, true); err != nil {
		r.abort()
		return nil, fmt.Errorf("lkbrowser: record: %w", err)
	}
	r.publish(false)
	p.e.log.Info("recording started", "page", p.id, "size", fmt.Sprintf("%dx%d", r.encW, r.encH),
		"video_kbps", r.opts.VideoBitrate, "audio", !r.opts.NoAudio, "seekable", r.seek)
	started = true
	go r.run()
	return r, nil
}

// closeReaders ends the recorder's subscriptions to the page.
func (r *Recorder) closeReaders() {
	r.frames.Close()
	if r.audio != nil {
		r.audio.Close()
	}
}

// RecordFile records p into the file path, which is created or truncated.
// The file is written in place as the recording goes (not renamed at the
// end), so that it is readable up to the last packet even when the process
// is killed; Stop finalises it (seek index and duration).
func RecordFile(p *Page, path string, opts RecordOptions) (*Recorder, error) {
	if err := p.usable(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lkbrowser: record: %w", err)
	}
	r, err := NewRecorder(p, f, opts)
	if err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	return r, nil
}

// Stop ends the recording: it waits briefly for the sound played until
// now, writes the last picture at the stop time, finalises the stream and
// closes the writer. It returns the first error met while recording, e.g.
// a failed write. It is idempotent and safe for concurrent use.
func (r *Recorder) Stop() error {
	r.stopOnce.Do(func() {
		r.stopReq <- time.Since(r.p.e.epoch)
	})
	<-r.done
	return r.err
}

// Done is closed when the recording has ended: after Stop, when the page
// was closed, or when writing failed (Stop returns the error).
func (r *Recorder) Done() <-chan struct{} { return r.done }

// Stats returns how far the recording is.
func (r *Recorder) Stats() RecordProgress {
	s := *r.stats.Load()
	s.Bytes = r.out.n.Load()
	s.FramesDropped = r.frames.Dropped()
	return s
}

// openVideo makes the encoder and the picture for frames of w x h.
func (r *Recorder) openVideo(w, h int) error {
	// Realtime speed by size (cpu-used -6 up to 720p, -8 above), one
	// thread: the page's Chromium needs the other core.
	enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: w, Height: h, BitrateKbps: r.opts.VideoBitrate, FrameRate: r.fps,
		KeyframeMax: int(recordKeyframeInterval/time.Second) * r.fps})
	if err != nil {
		return fmt.Errorf("lkbrowser: record: VP8 encoder: %w", err)
	}
	r.enc, r.encW, r.encH = enc, w, h
	r.img = yuv.NewI420(w, h)
	return nil
}

// resizeVideo follows the page to a new size: a new picture, the encoder
// reconfigured (or made anew) and a keyframe.
func (r *Recorder) resizeVideo(w, h int) error {
	r.p.e.log.Info("recording follows a resize", "page", r.p.id, "from", fmt.Sprintf("%dx%d", r.encW, r.encH), "to", fmt.Sprintf("%dx%d", w, h))
	r.img = yuv.NewI420(w, h)
	r.fullNext, r.keyNext = true, true
	if err := r.enc.Resize(w, h); err == nil {
		r.encW, r.encH = w, h
		return nil
	}
	_ = r.enc.Close()
	return r.openVideo(w, h)
}

// openMuxer writes the WebM header: a VP8 track of w x h and an Opus track.
func (r *Recorder) openMuxer(w, h int) error {
	tracks := []webm.TrackEntry{{
		Name: "Video", TrackNumber: trackVideo, TrackUID: rand.Uint64(), CodecID: "V_VP8", TrackType: 1,
		Video: &webm.Video{PixelWidth: uint64(w), PixelHeight: uint64(h)},
	}}
	if !r.opts.NoAudio {
		head := make([]byte, 19)
		copy(head, "OpusHead")
		head[8], head[9] = 1, AudioChannels
		binary.LittleEndian.PutUint16(head[10:], opusPreSkip)
		binary.LittleEndian.PutUint32(head[12:], AudioSampleRate)
		tracks = append(tracks, webm.TrackEntry{
			Name: "Audio", TrackNumber: trackAudio, TrackUID: rand.Uint64(), CodecID: "A_OPUS", TrackType: 2,
			CodecPrivate: head, CodecDelay: uint64(opusDelay), SeekPreRoll: uint64(80 * time.Millisecond),
			Audio: &webm.Audio{SamplingFrequency: AudioSampleRate, Channels: AudioChannels},
		})
	}
	opts := []mkvcore.BlockWriterOption{
		mkvcore.WithSegmentInfo(&webm.Info{TimecodeScale: uint64(time.Millisecond), MuxingApp: "lkbrowser", WritingApp: "lkbrowser"}),
		// We interleave the tracks ourselves (muxer.flush); ebml-go's sorter
		// would drop the repeat of a still picture as too old.
		mkvcore.WithBlockInterceptor(nil),
		mkvcore.WithSeekHead(true),
		// A cluster at each video keyframe at least a second after the
		// cluster's start, and at least every 5 s.
		mkvcore.WithMinMaxClusterDuration(trackVideo, 1000, 5000),
		mkvcore.WithOnFatalHandler(func(err error) { r.out.fail(fmt.Errorf("webm: %w", err)) }),
		mkvcore.WithOnErrorHandler(func(err error) { r.p.e.log.Warn("recording: webm", "page", r.p.id, "err", err) }),
	}
	if r.seek {
		opts = append(opts, mkvcore.WithCues(cuesReserve))
	}
	r.out.keepHead = 4096
	bw, err := webm.NewSimpleBlockWriter(r.out.writer(r.seek), tracks, opts...)
	if err != nil {
		return fmt.Errorf("lkbrowser: record: webm: %w", err)
	}
	if err := r.out.error(); err != nil {
		for _, t := range bw {
			_ = t.Close()
		}
		return fmt.Errorf("lkbrowser: record: write: %w", err)
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

// abort ends a recording that failed to start: the muxer is closed (which
// closes the writer).
func (r *Recorder) abort() {
	r.mux.close()
	_ = r.enc.Close()
}

// run is the recorder's goroutine: it converts and encodes frames and sound
// until Stop or the end of the page.
func (r *Recorder) run() {
	defer close(r.done)
	defer r.closeReaders()
	frames := r.frames.C()
	var audio <-chan *AudioFrame
	if r.audio != nil {
		audio = r.audio.C()
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastProgress := time.Now()
	var stopAt time.Duration
	var waitAudio <-chan time.Time
	stopping := false
loop:
	for {
		if r.out.error() != nil {
			break
		}
		select {
		case f, ok := <-frames:
			if !ok { // the page closed: the recording ends here
				if !stopping {
					stopAt = time.Since(r.p.e.epoch)
				}
				break loop
			}
			if stopping && f.PTS > stopAt {
				f.Release()
				continue
			}
			r.onFrame(f)
		case a, ok := <-audio:
			if !ok {
				audio = nil
				if stopping {
					break loop
				}
				continue
			}
			r.onAudio(a)
			if stopping && r.aNext >= stopAt {
				break loop
			}
		case at := <-r.stopReq:
			stopAt, stopping = at, true
			if audio == nil || r.aNext >= stopAt {
				break loop
			}
			waitAudio = time.After(stopAudioWait)
		case <-waitAudio:
			break loop
		case <-tick.C:
			now := time.Now()
			if !stopping && now.Sub(r.lastFrameAt) >= stillRepeat {
				r.encodeAt(time.Since(r.p.e.epoch) - r.t0)
			}
			// No video frame captured before now-videoLag can still come:
			// the audio waiting for the video may go out.
			r.mux.advance(trackVideo, (time.Since(r.p.e.epoch) - r.t0 - videoLag).Milliseconds())
			r.patchDuration()
			if now.Sub(lastProgress) >= time.Second {
				lastProgress = now
				r.publish(true)
			}
		}
	}
	r.finish(stopAt)
}

// finish writes what is pending and the last picture at stopAt, and closes
// the stream.
func (r *Recorder) finish(stopAt time.Duration) {
	if r.out.error() == nil {
		if len(r.abuf) > 0 { // the last, partial packet, padded with silence
			r.padOpus()
		}
		if end := stopAt - r.t0; end.Milliseconds() > r.lastVideo.Milliseconds() {
			r.encodeAt(end)
		}
	}
	r.mux.flush(true)
	r.mux.close() // finalises Cues and duration, closes the writer
	if err := r.enc.Close(); err != nil && r.err == nil {
		r.err = fmt.Errorf("lkbrowser: record: VP8 encoder: %w", err)
	}
	if err := r.out.error(); err != nil {
		r.err = fmt.Errorf("lkbrowser: record: %w", err)
	}
	r.publish(false)
	st := r.Stats()
	r.p.e.log.Info("recording stopped", "page", r.p.id, "duration", st.Elapsed, "frames", st.Frames,
		"audio_packets", st.AudioPackets, "bytes", st.Bytes, "err", r.err)
	if r.opts.Progress != nil {
		r.opts.Progress(st)
	}
}

// publish updates Stats and calls Progress when asked.
func (r *Recorder) publish(progress bool) {
	s := &RecordProgress{Frames: r.videoFrames, AudioPackets: r.audioPkt}
	if r.mux.closed {
		s.Elapsed = time.Duration(r.mux.written) * time.Millisecond
	} else {
		s.Elapsed = time.Since(r.start)
	}
	r.stats.Store(s)
	if progress && r.opts.Progress != nil {
		st := *s
		st.Bytes = r.out.n.Load()
		r.opts.Progress(st)
	}
}

// onFrame converts f into the picture, releases it and encodes the picture.
func (r *Recorder) onFrame(f *Frame) {
	if f.Width != r.encW || f.Height != r.encH {
		if err := r.resizeVideo(f.Width, f.Height); err != nil {
			f.Release()
			r.out.fail(err)
			return
		}
	}
	rects := f.Dirty
	if r.fullNext || len(rects) == 0 {
		rects = nil // the whole frame
	}
	err := yuv.FromBGRA(r.img, f.Pix, f.Stride, f.Width, f.Height, rects)
	pts := f.PTS
	f.Release()
	if err != nil {
		r.out.fail(fmt.Errorf("convert frame: %w", err))
		return
	}
	r.fullNext = false
	r.encodeAt(pts - r.t0)
}

// encodeAt encodes the current picture at ts (from time 0), forcing a
// keyframe when the last one is recordKeyframeInterval old.
func (r *Recorder) encodeAt(ts time.Duration) {
	if err := r.encodeVideo(ts, ts-r.lastKey >= recordKeyframeInterval); err != nil {
		r.out.fail(err)
	}
}

func (r *Recorder) encodeVideo(ts time.Duration, forceKey bool) error {
	ts = ts.Truncate(time.Millisecond)
	if r.videoFrames > 0 && ts <= r.lastVideo {
		ts = r.lastVideo + time.Millisecond // strictly increasing, in ms
	}
	forceKey = forceKey || r.videoFrames == 0 || r.keyNext
	pkt, key, err := r.enc.Encode(r.img, ts, time.Second/time.Duration(r.fps), forceKey, r.pkt[:0])
	if err != nil {
		return fmt.Errorf("VP8 encode: %w", err)
	}
	r.lastFrameAt = time.Now()
	r.pkt = pkt[:0]
	if len(pkt) == 0 { // the rate control dropped the frame
		return nil
	}
	r.lastVideo = ts
	if key {
		r.keyNext = false
		r.lastKey = ts
	}
	r.videoFrames++
	// The muxer writes the packet from its own goroutine: copy it.
	r.mux.add(packet{trackVideo, ts.Milliseconds(), key, slices.Clone(pkt)})
	return nil
}

// onAudio adds a 10 ms frame to the Opus packet being filled and encodes
// full packets. The packets follow the sample clock; a gap in the capture
// (lost frames) completes the current packet with silence and starts the
// next at the new time.
func (r *Recorder) onAudio(a *AudioFrame) {
	pcm, pts := a.PCM, a.PTS
	if end := pts + time.Duration(len(pcm)/AudioChannels)*time.Second/AudioSampleRate; end <= r.t0 {
		return // played before the recording started
	}
	if pts < r.t0 {
		skip := int((r.t0 - pts) * AudioSampleRate / time.Second)
		pcm, pts = pcm[skip*AudioChannels:], r.t0
	}
	if len(r.abuf) > 0 && pts-r.aNext > 15*time.Millisecond {
		r.padOpus()
	}
	if len(r.abuf) == 0 {
		r.aStart = pts
		if r.audioPkt > 0 && r.aStart-r.t0 < r.lastAud+opusFrame {
			r.aStart = r.t0 + r.lastAud + opusFrame
		}
	}
	r.aNext = pts + time.Duration(len(pcm)/AudioChannels)*time.Second/AudioSampleRate
	for len(pcm) > 0 {
		n := min(cap(r.abuf)-len(r.abuf), len(pcm))
		r.abuf = append(r.abuf, pcm[:n]...)
		pcm = pcm[n:]
		if len(r.abuf) == cap(r.abuf) {
			r.flushOpus()
		}
	}
}

// padOpus completes the packet in abuf with silence and encodes it.
func (r *Recorder) padOpus() {
	n := len(r.abuf)
	r.abuf = r.abuf[:cap(r.abuf)]
	clear(r.abuf[n:])
	r.flushOpus()
}

// flushOpus encodes the full packet in abuf.
func (r *Recorder) flushOpus() {
	ts := r.aStart - r.t0
	err := r.opusEnc.WriteSample(r.abuf)
	r.abuf = r.abuf[:0]
	r.aStart += opusFrame
	if err != nil {
		r.out.fail(fmt.Errorf("opus encode: %w", err))
		return
	}
	r.lastAud = ts
	r.audioPkt++
	r.mux.add(packet{trackAudio, (ts + opusDelay).Milliseconds(), true, slices.Clone(r.opusOut.pkt)})
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

// opusSink receives the packets media-sdk's Opus encoder makes.
type opusSink struct{ pkt []byte }

func (s *opusSink) String() string                  { return "lkbrowser recorder" }
func (s *opusSink) SampleRate() int                 { return AudioSampleRate }
func (s *opusSink) WriteSample(b opus.Sample) error { s.pkt = append(s.pkt[:0], b...); return nil }
func (s *opusSink) Close() error                    { return nil }

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
	tracks  []webm.BlockWriteCloser
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

// countingWriter counts what is written, keeps the first bytes (the
// header) and the first error. After an error it swallows writes, so that
// ebml-go's goroutine never stops on a write error (which would block the
// recorder); the recorder ends when it sees the error.
type countingWriter struct {
	w        io.WriteCloser
	n        atomic.Int64
	keepHead int
	head     []byte // first keepHead bytes written; only before the first block
	// cut: after a failed write, cut the output (a file written from its
	// start) back to the end of the last complete element (ends).
	cut  bool
	ends elementEnds

	mu  sync.Mutex
	err error
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if len(c.head) < c.keepHead {
		c.head = append(c.head, b[:min(len(b), c.keepHead-len(c.head))]...)
	}
	if c.error() != nil {
		return len(b), nil
	}
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	if c.cut { // only a file that can be cut needs its element ends
		c.ends.write(b[:n])
	}
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		err = fmt.Errorf("write: %w", err)
		if cerr := c.cutTorn(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cut off the torn element: %w", cerr))
		}
		c.fail(err)
	}
	return len(b), nil
}

// cutTorn cuts the output back to the end of the last complete element, so
// that a write that failed half-way (a full disk) leaves the file valid to
// its last byte.
func (c *countingWriter) cutTorn() error {
	t, ok := c.w.(interface{ Truncate(size int64) error })
	if !c.cut || !ok || c.ends.broken || c.ends.safe == c.n.Load() {
		return nil
	}
	if err := t.Truncate(c.ends.safe); err != nil {
		return err
	}
	c.n.Store(c.ends.safe)
	return nil
}

func (c *countingWriter) writeAt(b []byte, off int64) {
	wa, ok := c.w.(io.WriterAt)
	if !ok || c.error() != nil {
		return
	}
	if _, err := wa.WriteAt(b, off); err != nil {
		c.fail(fmt.Errorf("write: %w", err))
	}
}

func (c *countingWriter) Close() error {
	if err := c.w.Close(); err != nil {
		c.fail(fmt.Errorf("close: %w", err))
	}
	return nil
}

func (c *countingWriter) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

func (c *countingWriter) error() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// writer returns c as what ebml-go gets: with WriteAt when it may seek.
func (c *countingWriter) writer(seek bool) io.WriteCloser {
	if seek {
		return countingWriterAt{c}
	}
	return c
}

// countingWriterAt is a countingWriter that ebml-go may patch (Cues,
// Duration).
type countingWriterAt struct{ *countingWriter }

func (c countingWriterAt) WriteAt(b []byte, off int64) (int, error) {
	c.writeAt(b, off)
	return len(b), nil
}

// seekableAtStart reports whether w is a file (or the like) at offset 0
// that can be written at any offset, so its header can be patched.
func seekableAtStart(w io.Writer) bool {
	s, ok := w.(io.Seeker)
	if !ok {
		return false
	}
	if _, ok := w.(io.WriterAt); !ok {
		return false
	}
	off, err := s.Seek(0, io.SeekCurrent)
	return err == nil && off == 0
}

func indexBytes(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

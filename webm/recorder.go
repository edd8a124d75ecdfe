package webm

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	media "github.com/livekit/media-sdk"
	"github.com/livekit/media-sdk/opus"
	"github.com/livekit/protocol/logger"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/pagevideo"
)

// Recording parameters.
const (
	// recordKeyframeInterval is the longest time between two VP8 keyframes
	// (a WebM cluster starts at each).
	recordKeyframeInterval = 2 * time.Second
	// opusFrame is the length of one Opus packet: 960 samples a channel.
	opusFrame        = 20 * time.Millisecond
	opusFrameSamples = lkbrowser.AudioSampleRate * int(opusFrame/time.Millisecond) / 1000
	// opusPreSkip is libopus' look-ahead at 48 kHz (Fs/400 + Fs/250), the
	// samples a decoder drops at the start (OpusHead pre-skip).
	opusPreSkip = 312
	// opusDelay is the pre-skip as a time, the track's CodecDelay: a block's
	// timestamp is the time of its first sample plus this (players drop
	// the pre-skip and subtract it).
	opusDelay = opusPreSkip * time.Second / lkbrowser.AudioSampleRate
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
	p      *lkbrowser.Page
	log    *slog.Logger
	epoch  time.Time // the engine clock's zero: Frame.Timestamp - Frame.PTS
	frames *lkbrowser.FrameSubscription
	audio  *lkbrowser.AudioSubscription // nil with NoAudio
	opts   Options
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
	video       *pagevideo.Encoder
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

	stats atomic.Pointer[Progress]
}

// NewRecorder starts recording p into w at once and returns the Recorder;
// Stop ends the recording, finalises the stream and closes w. The first
// picture is the page as it is now (a Snapshot), so a page that does not
// change is recorded too.
func NewRecorder(p *lkbrowser.Page, w io.WriteCloser, opts Options) (*Recorder, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	if opts.VideoBitrate != 0 && (opts.VideoBitrate < lkbrowser.MinVideoBitrate || opts.VideoBitrate > lkbrowser.MaxVideoBitrate) {
		return nil, invalidArg(ErrInvalidBitrate, "VideoBitrate", opts.VideoBitrate, "must be 100..50000 kbit/s")
	}
	if opts.AudioBitrate != 0 && (opts.AudioBitrate < 16 || opts.AudioBitrate > 510) {
		return nil, invalidArg(ErrInvalidBitrate, "AudioBitrate", opts.AudioBitrate, "must be 16..510 kbit/s")
	}
	if opts.AudioBitrate == 0 {
		opts.AudioBitrate = 96
	}
	if !p.HasAudio() {
		opts.NoAudio = true
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Recorder{p: p, log: log, opts: opts, stopReq: make(chan time.Duration, 1), done: make(chan struct{}), fps: p.FrameRate()}
	r.out = &countingWriter{w: w}
	r.seek = seekableAtStart(w)
	r.out.cut = r.seek

	// The encoders take a while to start (about 0.1 s), so they start
	// before the first picture is taken, at the page's current size.
	w0, h0 := p.Width(), p.Height()
	if opts.VideoBitrate == 0 {
		r.opts.VideoBitrate = lkbrowser.DefaultVideoBitrate(w0, h0)
	}
	video, err := pagevideo.New(pagevideo.Config{Width: w0, Height: h0, BitrateKbps: r.opts.VideoBitrate, FrameRate: r.fps,
		KeyframeMax: int(recordKeyframeInterval/time.Second) * r.fps})
	if err != nil {
		return nil, fmt.Errorf("webm: %w", err)
	}
	r.video = video
	if !r.opts.NoAudio {
		r.opusOut = &opusSink{}
		enc, err := opus.EncodeWith(r.opusOut, lkbrowser.AudioChannels, opus.EncodeOptions{Bitrate: r.opts.AudioBitrate * 1000}, logger.GetDiscardLogger())
		if err != nil {
			_ = r.video.Close()
			return nil, fmt.Errorf("webm: opus encoder: %w", err)
		}
		r.opusEnc = enc
		r.abuf = make([]int16, 0, opusFrameSamples*lkbrowser.AudioChannels)
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
		_ = r.video.Close()
		return nil, fmt.Errorf("webm: first picture: %w", err)
	}
	r.t0 = first.PTS
	r.epoch = first.Timestamp.Add(-first.PTS)
	r.start = first.Timestamp
	if err := r.openMuxer(first.Width, first.Height); err != nil {
		first.Release()
		_ = r.video.Close()
		return nil, err
	}
	// The first picture, at time 0 (of another size than w0 x h0 if the
	// page was resized meanwhile).
	if _, err := r.video.Take(first); err != nil {
		r.abort()
		return nil, fmt.Errorf("webm: %w", err)
	}
	r.video.ConvertNextWhole() // the next frame's Dirty is relative to an older frame
	if err := r.encodeVideo(0, true); err != nil {
		r.abort()
		return nil, fmt.Errorf("webm: %w", err)
	}
	r.publish(false)
	r.log.Info("recording started", "page", p.ID(), "size", sizeString(r.video.Size()),
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
func RecordFile(p *lkbrowser.Page, path string, opts Options) (*Recorder, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("webm: %w", err)
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
		r.stopReq <- time.Since(r.epoch)
	})
	<-r.done
	return r.err
}

// Done is closed when the recording has ended: after Stop, when the page
// was closed, or when writing failed (Stop returns the error).
func (r *Recorder) Done() <-chan struct{} { return r.done }

// Stats returns how far the recording is.
func (r *Recorder) Stats() Progress {
	s := *r.stats.Load()
	s.Bytes = r.out.n.Load()
	s.FramesDropped = r.frames.Dropped()
	return s
}

// abort ends a recording that failed to start: the muxer is closed (which
// closes the writer).
func (r *Recorder) abort() {
	r.mux.close()
	_ = r.video.Close()
}

// run is the recorder's goroutine: it converts and encodes frames and sound
// until Stop or the end of the page.
func (r *Recorder) run() {
	defer close(r.done)
	defer r.closeReaders()
	frames := r.frames.C()
	var audio <-chan *lkbrowser.AudioFrame
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
					stopAt = time.Since(r.epoch)
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
			if !stopping && now.Sub(r.lastFrameAt) >= pagevideo.StillRepeat {
				r.encodeAt(time.Since(r.epoch) - r.t0)
			}
			// No video frame captured before now-videoLag can still come:
			// the audio waiting for the video may go out.
			r.mux.advance(trackVideo, (time.Since(r.epoch) - r.t0 - videoLag).Milliseconds())
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
	if err := r.video.Close(); err != nil && r.err == nil {
		r.err = fmt.Errorf("webm: VP8 encoder: %w", err)
	}
	if err := r.out.error(); err != nil {
		r.err = fmt.Errorf("webm: %w", err)
	}
	r.publish(false)
	st := r.Stats()
	r.log.Info("recording stopped", "page", r.p.ID(), "duration", st.Elapsed, "frames", st.Frames,
		"audio_packets", st.AudioPackets, "bytes", st.Bytes, "err", r.err)
	if r.opts.Progress != nil {
		r.opts.Progress(st)
	}
}

// publish updates Stats and calls Progress when asked.
func (r *Recorder) publish(progress bool) {
	s := &Progress{Frames: r.videoFrames, AudioPackets: r.audioPkt}
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

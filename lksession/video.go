package lksession

import (
	"context"
	"fmt"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// videoPublisher turns the page's frames into the VP8 track "browser-video".
// Its state belongs to its goroutine (run); requestKeyframe may be called
// from anywhere.
type videoPublisher struct {
	s      *Session
	keyReq chan struct{} // cap 1: a keyframe was asked for

	enc      *vpx.Encoder
	img      *yuv.I420 // the whole current picture
	have     bool      // img holds a picture
	pkt      []byte
	lastKey  time.Time
	lastTS   time.Time // capture time of the last frame written
	lastSent time.Time // wall time of the last frame written
	wantKey  bool      // a keyframe is due when keyframeGap allows
	base     time.Time // capture time of pts 0 for the encoder
	frameDur time.Duration
}

func newVideoPublisher(s *Session) (*videoPublisher, error) {
	w, h := s.page.Width(), s.page.Height()
	fps := max(s.page.FrameRate(), 1)
	enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: w, Height: h, BitrateKbps: s.opts.VideoBitrate, FrameRate: fps})
	if err != nil {
		return nil, fmt.Errorf("lksession: video encoder: %w", err)
	}
	return &videoPublisher{
		s:        s,
		keyReq:   make(chan struct{}, 1),
		enc:      enc,
		img:      yuv.NewI420(w, h),
		pkt:      make([]byte, 0, 256<<10),
		frameDur: time.Second / time.Duration(fps),
	}, nil
}

// publish makes a new video track and publishes it in room.
func (v *videoPublisher) publish(room *lksdk.Room) (*lksdk.LocalTrack, error) {
	track, err := lksdk.NewLocalTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		lksdk.WithRTCPHandler(v.onRTCP))
	if err != nil {
		return nil, fmt.Errorf("lksession: video track: %w", err)
	}
	cfg := v.enc.Config()
	_, err = room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{
		Name:        VideoTrackName,
		Source:      screenShare,
		VideoWidth:  cfg.Width,
		VideoHeight: cfg.Height,
	})
	if err != nil {
		_ = track.Close()
		return nil, fmt.Errorf("lksession: publish %s: %w", VideoTrackName, err)
	}
	return track, nil
}

// onRTCP answers picture loss (a new subscriber, a lost packet) with a
// keyframe.
func (v *videoPublisher) onRTCP(p rtcp.Packet) {
	switch p.(type) {
	case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
		v.s.stats.keyframeRequests.Add(1)
		v.requestKeyframe()
	}
}

// requestKeyframe asks for a keyframe as soon as keyframeGap allows.
func (v *videoPublisher) requestKeyframe() {
	select {
	case v.keyReq <- struct{}{}:
	default:
	}
}

// run encodes frames as they come, a keyframe when asked, and the last
// picture again every stillRepeat while the page is still. It stops at
// Close or when the page's frames end.
func (v *videoPublisher) run() {
	defer v.s.wg.Done()
	// The session's own reader, made before the picture of now so that no
	// change after it is lost. Start from the page as it is, so that the
	// first subscriber sees a picture even if the page never changes.
	sub := v.s.page.SubscribeFrames()
	defer sub.Close()
	frames := sub.C()
	ctx, cancel := context.WithTimeout(v.s.ctx, 10*time.Second)
	if f, err := v.s.page.Snapshot(ctx); err == nil {
		v.frame(f)
	} else if v.s.ctx.Err() == nil {
		v.s.log.Warn("no first picture", "err", err)
	}
	cancel()

	// The picture goes out again stillRepeat after the last frame sent (or
	// the last repeat tried, while nothing can be sent).
	still := time.NewTimer(stillRepeat)
	defer still.Stop()
	repeated := time.Now()
	keyTimer := time.NewTimer(time.Hour)
	defer keyTimer.Stop()
	for {
		select {
		case <-v.s.ctx.Done():
			return
		case f, ok := <-frames:
			if !ok {
				v.s.log.Info("the page's frames ended; video stops")
				return
			}
			v.s.stats.framesDropped.Store(sub.Dropped())
			v.frame(f)
		case <-v.keyReq:
			v.wantKey = true
			if wait := keyframeGap - time.Since(v.lastKey); wait > 0 {
				keyTimer.Reset(wait)
				continue
			}
			v.encode(time.Now())
		case <-keyTimer.C:
			if v.wantKey {
				v.encode(time.Now())
			}
		case now := <-still.C:
			v.encode(now)
			repeated = now
		}
		from := v.lastSent
		if repeated.After(from) {
			from = repeated
		}
		still.Reset(time.Until(from.Add(stillRepeat)))
	}
}

// frame takes a captured frame into the picture and encodes it.
func (v *videoPublisher) frame(f *lkbrowser.Frame) {
	rects := f.Dirty
	if f.Width != v.img.Width || f.Height != v.img.Height {
		if err := v.enc.Resize(f.Width, f.Height); err != nil {
			f.Release()
			v.s.log.Error("video encoder resize failed", "width", f.Width, "height", f.Height, "err", err)
			return
		}
		v.img = yuv.NewI420(f.Width, f.Height)
		v.wantKey = true
		rects = nil
	}
	if !v.have {
		rects = nil // the first picture is converted whole
	}
	err := yuv.FromBGRA(v.img, f.Pix, f.Stride, f.Width, f.Height, rects)
	ts := f.Timestamp
	f.Release()
	if err != nil {
		v.s.log.Error("frame conversion failed", "err", err)
		return
	}
	v.have = true
	v.encode(ts)
}

// encode encodes the current picture, captured at ts, and writes it to the
// current connection's track.
func (v *videoPublisher) encode(ts time.Time) {
	if !v.have {
		return
	}
	c := v.s.conn.Load()
	if c == nil || c.video == nil {
		return // rejoining: the next connection starts with a keyframe
	}
	if !ts.After(v.lastTS) {
		ts = v.lastTS.Add(time.Millisecond)
	}
	dur := v.frameDur
	if !v.lastTS.IsZero() {
		dur = ts.Sub(v.lastTS)
	}
	if v.base.IsZero() {
		v.base = ts
	}
	start := time.Now()
	forceKey := v.wantKey && time.Since(v.lastKey) >= keyframeGap
	pkt, key, err := v.enc.Encode(v.img, ts.Sub(v.base), dur, forceKey, v.pkt[:0])
	if err != nil {
		v.s.log.Error("VP8 encode failed", "err", err)
		return
	}
	v.s.stats.encodeNanos.Add(int64(time.Since(start)))
	v.pkt = pkt[:0]
	if len(pkt) == 0 {
		return // the encoder dropped the frame (rate control)
	}
	if key {
		v.lastKey = start
		v.wantKey = false
		v.s.stats.keyframes.Add(1)
	}
	if gap := start.Sub(v.lastSent); !v.lastSent.IsZero() && gap > stallWarning {
		// stillRepeat keeps frames going at least twice a second: a longer
		// gap is a stall (capture, CPU) or a lost connection, not a still
		// page.
		v.s.log.Warn("video stalled", "gap", gap.Round(time.Millisecond))
	}
	v.lastTS, v.lastSent = ts, start
	if err := c.video.WriteSample(media.Sample{Data: pkt, Duration: dur, Timestamp: ts}, nil); err != nil {
		v.s.log.Debug("video write failed", "err", err)
		return
	}
	v.s.stats.framesSent.Add(1)
	v.s.stats.videoBytes.Add(uint64(len(pkt)))
}

// closeEncoder frees the encoder; the goroutine has stopped.
func (v *videoPublisher) closeEncoder() error {
	if v.enc == nil {
		return nil
	}
	err := v.enc.Close()
	v.enc = nil
	return err
}

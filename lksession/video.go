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
	"github.com/lkbrowser/lkbrowser/internal/pagevideo"
)

// videoPublisher turns the page's frames into the VP8 track "browser-video".
// Its state belongs to its goroutine (run); requestKeyframe may be called
// from anywhere.
type videoPublisher struct {
	s      *Session
	keyReq chan struct{} // cap 1: a keyframe was asked for

	enc      *pagevideo.Encoder
	lastKey  time.Time     // wall time of the last keyframe
	lastTS   time.Duration // timestamp of the last packet written, from base
	sent     bool          // a packet was written: lastTS holds
	lastSent time.Time     // wall time of the last frame written
	wantKey  bool          // a keyframe is due when keyframeGap allows
	base     time.Time     // capture time of timestamp 0
	frameDur time.Duration
}

func newVideoPublisher(s *Session) (*videoPublisher, error) {
	w, h := s.page.Width(), s.page.Height()
	fps := max(s.page.FrameRate(), 1)
	enc, err := pagevideo.New(pagevideo.Config{Width: w, Height: h, BitrateKbps: s.opts.VideoBitrate, FrameRate: fps})
	if err != nil {
		return nil, fmt.Errorf("lksession: %w", err)
	}
	return &videoPublisher{
		s:        s,
		keyReq:   make(chan struct{}, 1),
		enc:      enc,
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
	w, h := v.enc.Size()
	_, err = room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{
		Name:        VideoTrackName,
		Source:      screenShare,
		VideoWidth:  w,
		VideoHeight: h,
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
// picture again every pagevideo.StillRepeat while the page is still. It stops at
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

	// The picture goes out again pagevideo.StillRepeat after the last frame sent (or
	// the last repeat tried, while nothing can be sent).
	still := time.NewTimer(pagevideo.StillRepeat)
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
		still.Reset(time.Until(from.Add(pagevideo.StillRepeat)))
	}
}

// frame takes a captured frame into the picture and encodes it.
func (v *videoPublisher) frame(f *lkbrowser.Frame) {
	ts := f.Timestamp
	if _, err := v.enc.Take(f); err != nil { // a resize makes its own keyframe
		v.s.log.Error("frame conversion failed", "err", err)
		return
	}
	v.encode(ts)
}

// encode encodes the current picture, captured at ts, and writes it to the
// current connection's track.
func (v *videoPublisher) encode(ts time.Time) {
	if !v.enc.HasPicture() {
		return
	}
	c := v.s.conn.Load()
	if c == nil || c.video == nil {
		return // rejoining: the next connection starts with a keyframe
	}
	if v.base.IsZero() {
		v.base = ts
	}
	at := ts.Sub(v.base)
	dur := v.frameDur
	if v.sent && at > v.lastTS {
		dur = at - v.lastTS
	}
	start := time.Now()
	forceKey := v.wantKey && time.Since(v.lastKey) >= keyframeGap
	pkt, err := v.enc.Encode(at, dur, forceKey)
	if err != nil {
		v.s.log.Error("VP8 encode failed", "err", err)
		return
	}
	v.s.stats.encodeNanos.Add(int64(time.Since(start)))
	if len(pkt.Data) == 0 {
		return // the encoder dropped the frame (rate control)
	}
	if pkt.Key {
		v.lastKey = start
		v.wantKey = false
		v.s.stats.keyframes.Add(1)
	}
	if gap := start.Sub(v.lastSent); !v.lastSent.IsZero() && gap > stallWarning {
		// StillRepeat keeps frames going at least twice a second: a longer
		// gap is a stall (capture, CPU) or a lost connection, not a still
		// page.
		v.s.log.Warn("video stalled", "gap", gap.Round(time.Millisecond))
	}
	if v.sent {
		dur = pkt.TS - v.lastTS
	}
	v.lastTS, v.sent, v.lastSent = pkt.TS, true, start
	if err := c.video.WriteSample(media.Sample{Data: pkt.Data, Duration: dur, Timestamp: v.base.Add(pkt.TS)}, nil); err != nil {
		v.s.log.Debug("video write failed", "err", err)
		return
	}
	v.s.stats.framesSent.Add(1)
	v.s.stats.videoBytes.Add(uint64(len(pkt.Data)))
}

// closeEncoder frees the encoder; the goroutine has stopped.
func (v *videoPublisher) closeEncoder() error { return v.enc.Close() }

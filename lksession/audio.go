package lksession

import (
	"fmt"
	"sync"
	"time"

	media "github.com/livekit/media-sdk"
	"github.com/livekit/media-sdk/opus"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"

	"github.com/lkbrowser/lkbrowser"
)

// audioTrack is the Opus track "browser-audio". Each 10 ms frame of the
// page's sound is encoded and sent as soon as it is captured, so the
// packets keep the capture's own timing. (The SDK's PCM track paces
// packets on a second, 10 ms ticker and pads with silence when it runs dry;
// on a busy machine its ticks slip and sound fell behind the picture by
// more and more: 200 ms after 40 s was measured, TestPublishSoak.)
type audioTrack struct {
	*webrtc.TrackLocalStaticSample
	enc media.PCM16Writer // Opus encoder writing to the track
}

func newAudioTrack(log protoLogger.Logger) (*audioTrack, error) {
	tr, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: lkbrowser.AudioSampleRate, Channels: lkbrowser.AudioChannels,
	}, AudioTrackName, "lkbrowser")
	if err != nil {
		return nil, err
	}
	enc, err := opus.Encode(media.FromSampleWriter[opus.Sample](tr, lkbrowser.AudioSampleRate, lkbrowser.AudioFrameDuration),
		lkbrowser.AudioChannels, log)
	if err != nil {
		return nil, err
	}
	return &audioTrack{TrackLocalStaticSample: tr, enc: enc}, nil
}

// write encodes and sends one frame of sound.
func (t *audioTrack) write(pcm []int16) error { return t.enc.WriteSample(media.PCM16Sample(pcm)) }

// Close releases the encoder.
func (t *audioTrack) Close() error { return t.enc.Close() }

// audioPublisher turns the page's sound into the Opus track
// "browser-audio", published on the page's first sound.
type audioPublisher struct {
	s *Session

	mu      sync.Mutex
	started bool // the page has made sound: every connection publishes audio
}

func newAudioPublisher(s *Session) *audioPublisher { return &audioPublisher{s: s} }

// run forwards the page's audio frames, each Options.AudioDelay after it
// arrived, until Close or the page's end.
func (a *audioPublisher) run() {
	defer a.s.wg.Done()
	if a.s.opts.NoAudio {
		return
	}
	sub := a.s.page.SubscribeAudio() // closed at once by a page without sound
	defer sub.Close()
	frames := sub.C()
	line := delayLine{delay: a.s.opts.AudioDelay}
	due := time.NewTimer(time.Hour)
	defer due.Stop()
	for {
		select {
		case <-a.s.ctx.Done():
			return
		case f, ok := <-frames:
			if !ok {
				return
			}
			if line.delay == 0 {
				a.frame(f)
				continue
			}
			line.push(f, time.Now())
		case <-due.C:
		}
		now := time.Now()
		for f := line.pop(now); f != nil; f = line.pop(now) {
			a.frame(f)
		}
		if at, ok := line.next(); ok {
			due.Reset(at.Sub(now))
		}
	}
}

func (a *audioPublisher) frame(f *lkbrowser.AudioFrame) {
	c := a.s.conn.Load()
	if c == nil {
		return
	}
	a.mu.Lock()
	// The track is published on the first loud frame: before it (a page
	// that never plays anything, like most) nothing is encoded or sent.
	// Measured on a silent full-page animation at 720p30: Opus encoding and
	// sending silence cost about 4 % of the CLI's CPU.
	first := !a.started && f.Loud
	if first {
		a.started = true
	}
	started := a.started
	a.mu.Unlock()
	if !started {
		return // a page that never made a sound has no audio track to feed
	}
	if first {
		if err := a.publishIfStarted(c); err != nil {
			a.s.log.Error("audio track not published", "err", err)
		}
	}
	t := c.audio.Load()
	if t == nil {
		return
	}
	if err := t.write(f.PCM); err != nil {
		a.s.stats.audioDropped.Add(1)
		a.s.log.Debug("audio write failed", "err", err)
		return
	}
	a.s.stats.audioFrames.Add(1)
}

// publishIfStarted publishes an audio track on c once the page has made
// sound.
func (a *audioPublisher) publishIfStarted(c *connection) error {
	a.mu.Lock() // held throughout: the audio goroutine and a rejoin may race
	defer a.mu.Unlock()
	if !a.started || c.audio.Load() != nil {
		return nil
	}
	t, err := newAudioTrack(sdkLogger(a.s.log))
	if err != nil {
		return fmt.Errorf("lksession: audio track: %w", err)
	}
	if _, err := c.room.LocalParticipant.PublishTrack(t, &lksdk.TrackPublicationOptions{
		Name:   AudioTrackName,
		Source: screenShareAudio,
		Stereo: lkbrowser.AudioChannels == 2,
	}); err != nil {
		_ = t.Close()
		return fmt.Errorf("lksession: publish %s: %w", AudioTrackName, err)
	}
	c.audio.Store(t)
	return nil
}

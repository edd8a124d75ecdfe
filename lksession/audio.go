package lksession

import (
	"fmt"
	"sync"
	"time"

	media "github.com/livekit/media-sdk"
	lksdk "github.com/livekit/server-sdk-go/v2"
	lkmedia "github.com/livekit/server-sdk-go/v2/pkg/media"

	"github.com/lkbrowser/lkbrowser"
)

// audioTrack is the SDK's PCM track: it encodes Opus itself and paces the
// packets on its own 20 ms clock, playing silence when it runs dry.
type audioTrack = lkmedia.PCMLocalTrack

// maxAudioQueue bounds the sound waiting in the SDK's track, as the
// reference's 100 ms AudioSource queue does: beyond it, 10 ms frames are
// dropped so that latency cannot grow without bound.
const maxAudioQueue = 100 * time.Millisecond

// audioPublisher turns the page's sound into the Opus track
// "browser-audio", published on the page's first sound.
type audioPublisher struct {
	s *Session

	mu      sync.Mutex
	started bool // the page has made sound: every connection publishes audio

	// Queue accounting of the current track, owned by run.
	track   *audioTrack
	t0      time.Time     // when the first frame was written to track
	written time.Duration // sound written to track since t0
}

func newAudioPublisher(s *Session) *audioPublisher { return &audioPublisher{s: s} }

// run forwards the page's audio frames until Close or the page's end.
func (a *audioPublisher) run() {
	defer a.s.wg.Done()
	if a.s.opts.NoAudio {
		return
	}
	frames := a.s.page.Audio()
	if frames == nil {
		return // the engine runs without sound
	}
	for {
		select {
		case <-a.s.ctx.Done():
			return
		case f, ok := <-frames:
			if !ok {
				return
			}
			a.frame(f)
		}
	}
}

func (a *audioPublisher) frame(f *lkbrowser.AudioFrame) {
	c := a.s.conn.Load()
	if c == nil {
		return
	}
	a.mu.Lock()
	first := !a.started
	a.started = true
	a.mu.Unlock()
	if first {
		if err := a.publishIfStarted(c); err != nil {
			a.s.log.Error("audio track not published", "err", err)
		}
	}
	t := c.audio.Load()
	if t == nil {
		return
	}
	now := time.Now()
	if t != a.track {
		a.track, a.t0, a.written = t, now, 0
	}
	d := time.Duration(len(f.PCM)/f.Channels) * time.Second / time.Duration(f.SampleRate)
	if a.written-now.Sub(a.t0) > maxAudioQueue {
		a.s.stats.audioDropped.Add(1)
		return
	}
	if a.written < now.Sub(a.t0) {
		a.t0 = now.Add(-a.written) // the track ran dry meanwhile (silence)
	}
	if err := t.WriteSample(media.PCM16Sample(f.PCM)); err != nil {
		a.s.log.Debug("audio write failed", "err", err)
		return
	}
	a.written += d
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
	t, err := lkmedia.NewPCMLocalTrack(lkbrowser.AudioSampleRate, lkbrowser.AudioChannels, sdkLogger(a.s.log))
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

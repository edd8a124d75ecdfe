package lkbrowser

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/pulsecap"
)

// Audio format of AudioFrame.
const (
	AudioSampleRate = 48000
	AudioChannels   = 2
	// AudioFrameDuration is the length of every AudioFrame.
	AudioFrameDuration = 10 * time.Millisecond
	// AudioFrameSamples is the number of samples per channel in a frame.
	AudioFrameSamples = AudioSampleRate / 100
)

// audioDelay is the measured time from a page's JavaScript starting a sound
// to its samples leaving PulseAudio's monitor, beyond what PulseAudio itself
// reports as latency (Chromium's WebAudio and output buffering), less the
// time from a paint to its frame. It is taken off the audio PTS so that a
// sound and the picture shown with it carry the same PTS.
// TestFlashAndBeepAlign measures the residual: with 35 ms here the beep
// came 7-9 ms (median) before the flash drawn by JavaScript, at 60 and at
// 30 fps, and 31 ms before the flash of a playing video clip (whose
// picture Chromium's player shows when its sound plays); 25 ms centres the
// two kinds of page.
const audioDelay = 25 * time.Millisecond

// AudioFrame is 10 ms of a page's sound: interleaved signed 16-bit PCM,
// 48 kHz, stereo, like CEF's audio handler but in integers. Each reader
// gets its own *AudioFrame, which nothing reuses; PCM is shared by all
// readers of the page and must not be modified.
type AudioFrame struct {
	// PCM holds AudioFrameSamples samples per channel, interleaved (L R L R...).
	PCM []int16
	// SampleRate is 48000 and Channels 2.
	SampleRate, Channels int
	// PTS is when the first sample was played by the page, on the engine's
	// clock (Engine.Epoch), the clock of Frame.PTS; Timestamp is the same
	// instant as a time.Time.
	PTS       time.Duration
	Timestamp time.Time
	// Seq numbers the frames captured, from 1; gaps are dropped frames.
	Seq uint64
	// Loud reports a sample louder than silence (beyond ±2): the frames
	// between AudioStreamStarted and AudioStreamStopped hold sound.
	Loud bool
	// Dropped counts the frames this reader lost just before this one
	// because it fell more than a second behind (the oldest are dropped).
	Dropped uint64
}

// AudioStreamStarted reports that the page began to produce sound.
type AudioStreamStarted struct{ EventTime }

// AudioStreamStopped reports that the page has been silent for half a
// second (silenceHold).
type AudioStreamStopped struct{ EventTime }

// AudioFailed reports that the page's sound capture failed, e.g. because the
// sound server died; video and control keep working. Reason says why.
type AudioFailed struct {
	EventTime
	Reason string
}

// silenceHold is how long a page must be silent before AudioStreamStopped.
const silenceHold = 500 * time.Millisecond

// pageAudio is a page's null sink and the goroutine that records it.
type pageAudio struct {
	p        *Page
	srv      *soundServer
	sink     string
	module   uint32
	rec      *pulsecap.Recorder
	quit     atomic.Bool
	done     chan struct{}
	captured atomic.Uint64
}

// startAudio gives the page a null sink on the engine's sound server and
// starts recording it. It returns the environment Chromium needs to play
// into it.
func (p *Page) startAudio(ctx context.Context) ([]string, error) {
	srv, err := p.e.sound(ctx)
	if err != nil {
		return nil, err
	}
	a := &pageAudio{p: p, srv: srv, sink: fmt.Sprintf("lkbrowser_page_%d", p.id),
		done: make(chan struct{})}
	if a.module, err = srv.ctl.LoadNullSink(a.sink, AudioSampleRate, AudioChannels); err != nil {
		return nil, fmt.Errorf("%w: sink for page %d: %v", ErrAudio, p.id, err)
	}
	a.rec, err = pulsecap.Record(srv.address, a.sink+".monitor", AudioSampleRate, AudioChannels, AudioFrameDuration, 5*time.Second)
	if err != nil {
		_ = srv.ctl.UnloadModule(a.module)
		return nil, fmt.Errorf("%w: record page %d: %v", ErrAudio, p.id, err)
	}
	p.audio = a
	go a.run()
	return []string{"PULSE_SERVER=" + srv.address, "PULSE_SINK=" + a.sink}, nil
}

// run reads 10 ms blocks until stopped or the server fails.
func (a *pageAudio) run() {
	defer close(a.done)
	buf := make([]byte, AudioFrameSamples*AudioChannels*2)
	var (
		seq       uint64
		anchor    time.Duration // PTS of frame 1, from the sample clock
		sounding  bool
		lastSound time.Time
	)
	for !a.quit.Load() {
		if err := a.rec.Read(buf); err != nil {
			if !a.quit.Load() {
				a.p.e.log.Warn("audio capture failed", "page", a.p.id, "err", err)
				a.p.events.emit(&AudioFailed{now(), err.Error()})
			}
			return
		}
		now := time.Now()
		lat, _ := a.rec.Latency()
		// The block's first sample was played a block, the server's latency
		// and Chromium's own delay ago.
		measured := now.Sub(a.p.e.epoch) - lat - AudioFrameDuration - audioDelay
		seq++
		pts := anchor + time.Duration(seq-1)*AudioFrameDuration
		// Keep the sample clock, unless it drifted from the wall clock (lost
		// blocks, a stalled server).
		if seq == 1 || absDuration(pts-measured) > 30*time.Millisecond {
			anchor = measured - time.Duration(seq-1)*AudioFrameDuration
			pts = measured
		}
		f := &AudioFrame{PCM: make([]int16, len(buf)/2), SampleRate: AudioSampleRate, Channels: AudioChannels,
			PTS: pts, Timestamp: a.p.e.epoch.Add(pts), Seq: seq}
		loud := false
		for i := range f.PCM {
			s := int16(binary.LittleEndian.Uint16(buf[2*i:]))
			f.PCM[i] = s
			if s > 2 || s < -2 {
				loud = true
			}
		}
		switch {
		case loud && !sounding:
			sounding = true
			a.p.events.emit(&AudioStreamStarted{EventTime{now}})
		case loud:
		case sounding && now.Sub(lastSound) >= silenceHold:
			sounding = false
			a.p.events.emit(&AudioStreamStopped{EventTime{now}})
		}
		if loud {
			lastSound = now
		}
		f.Loud = loud
		a.deliver(f)
	}
}

// deliver hands f to every audio reader, each its own *AudioFrame (PCM is
// shared); a reader a second behind loses its oldest frame.
func (a *pageAudio) deliver(f *AudioFrame) {
	a.captured.Add(1)
	readers := a.p.audioOut.list()
	for i, q := range readers {
		g := f
		if i < len(readers)-1 { // the last reader gets f itself
			c := *f
			g = &c
		}
		q.offer(g, dropOldestAudio)
	}
}

// stop ends recording and removes the sink (Page.teardown closes the
// readers).
func (a *pageAudio) stop() error {
	a.quit.Store(true)
	// Close interrupts a Read blocked on a stalled server; the loop ends.
	errs := []error{a.rec.Close()}
	<-a.done
	if a.srv.ctl.Alive() {
		errs = append(errs, a.srv.ctl.UnloadModule(a.module))
	}
	return errors.Join(errs...)
}

// Audio returns the page's default audio reader (an AudioSubscription
// made when the page opened): its sound as 10 ms frames. The channel holds
// about a second; when the receiver falls further behind the oldest frames
// are dropped (AudioFrame.Dropped). Frames flow while the page is silent too
// (silence), so that the timeline has no holes. It is closed by Close; with
// Options.NoAudio it delivers nothing.
func (p *Page) Audio() <-chan *AudioFrame { return p.audio0.C() }

// SetAudioMuted mutes or unmutes the page's sound, like CEF's SetAudioMuted:
// capture goes on and delivers silence while muted; video is not affected.
func (p *Page) SetAudioMuted(ctx context.Context, muted bool) error {
	if err := p.usable(); err != nil {
		return err
	}
	if p.audio == nil {
		return fmt.Errorf("%w: the engine runs with NoAudio", ErrAudio)
	}
	if err := p.audio.srv.ctl.SetSinkMute(p.audio.sink, muted); err != nil {
		return fmt.Errorf("%w: mute: %v", ErrAudio, err)
	}
	return nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

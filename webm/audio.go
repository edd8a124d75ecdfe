package webm

import (
	"fmt"
	"slices"
	"time"

	"github.com/livekit/media-sdk/opus"

	"github.com/lkbrowser/lkbrowser"
)

// onAudio adds a 10 ms frame to the Opus packet being filled and encodes
// full packets. The packets follow the sample clock; a gap in the capture
// (lost frames) completes the current packet with silence and starts the
// next at the new time.
func (r *Recorder) onAudio(a *lkbrowser.AudioFrame) {
	pcm, pts := a.PCM, a.PTS
	if end := pts + time.Duration(len(pcm)/lkbrowser.AudioChannels)*time.Second/lkbrowser.AudioSampleRate; end <= r.t0 {
		return // played before the recording started
	}
	if pts < r.t0 {
		skip := int((r.t0 - pts) * lkbrowser.AudioSampleRate / time.Second)
		pcm, pts = pcm[skip*lkbrowser.AudioChannels:], r.t0
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
	r.aNext = pts + time.Duration(len(pcm)/lkbrowser.AudioChannels)*time.Second/lkbrowser.AudioSampleRate
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

// opusSink receives the packets media-sdk's Opus encoder makes.
type opusSink struct{ pkt []byte }

func (s *opusSink) String() string { return "lkbrowser recorder" }

func (s *opusSink) SampleRate() int { return lkbrowser.AudioSampleRate }

func (s *opusSink) WriteSample(b opus.Sample) error { s.pkt = append(s.pkt[:0], b...); return nil }

func (s *opusSink) Close() error { return nil }

package webm

import (
	"fmt"
	"slices"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// onFrame converts f into the picture, releases it and encodes the picture.
// A frame of a new size restarts the video at that size with a keyframe.
func (r *Recorder) onFrame(f *lkbrowser.Frame) {
	pts := f.PTS
	from := sizeString(r.video.Size())
	resized, err := r.video.Take(f)
	if resized {
		r.log.Info("recording follows a resize", "page", r.p.ID(), "from", from, "to", sizeString(r.video.Size()))
	}
	if err != nil {
		r.out.fail(err)
		return
	}
	r.encodeAt(pts - r.t0)
}

// encodeAt encodes the current picture at ts (from time 0), forcing a
// keyframe when the last one is recordKeyframeInterval old.
func (r *Recorder) encodeAt(ts time.Duration) {
	if err := r.encodeVideo(ts, ts-r.lastKey >= recordKeyframeInterval); err != nil {
		r.out.fail(err)
	}
}

// encodeVideo encodes the current picture at ts and queues the packet.
func (r *Recorder) encodeVideo(ts time.Duration, forceKey bool) error {
	pkt, err := r.video.Encode(ts, time.Second/time.Duration(r.fps), forceKey)
	if err != nil {
		return err
	}
	r.lastFrameAt = time.Now()
	if len(pkt.Data) == 0 { // the rate control dropped the frame
		return nil
	}
	r.lastVideo = pkt.TS
	if pkt.Key {
		r.lastKey = pkt.TS
	}
	r.videoFrames++
	// The muxer writes the packet from its own goroutine: copy it.
	r.mux.add(packet{trackVideo, pkt.TS.Milliseconds(), pkt.Key, slices.Clone(pkt.Data)})
	return nil
}

func sizeString(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

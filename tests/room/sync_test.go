package room

import (
	"context"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// A page playing a video with sound, the way most pages with sound do:
// Chromium's player shows each picture when its sound plays, and the
// session must keep them together. The subscriber sees each white flash of
// the clip arrive with its beep: the beep at most 45 ms before the flash
// and at most 125 ms after it, what viewers cannot detect (ITU-R BT.1359).
func TestPublishedVideoIsInSync(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	err := testsupport.MakeFlashBeepClip(ctx, madeDir)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	var track flashBeepTrack
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	sub, err := roomtest.JoinHooks(ctx, lk.URL(), lk.APIKey(), lk.APISecret(), roomName(t), "watcher",
		roomtest.Hooks{OnFrame: track.onFrame, OnAudio: track.onAudio})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	publish(t, lk, web.URL+"/made/clip.html", lksession.Options{})
	// Two flashes of start-up, then twelve to measure.
	if !eventually(60*time.Second, func() bool {
		track.mu.Lock()
		defer track.mu.Unlock()
		return len(track.flashes) >= 14 && len(track.beeps) >= 14
	}) {
		track.mu.Lock()
		t.Fatalf("the clip did not play: %d frames, %d flashes, %d beeps", track.frames, len(track.flashes), len(track.beeps))
	}
	track.mu.Lock()
	defer track.mu.Unlock()
	offs := track.offsets()
	if len(offs) < 12 {
		t.Fatalf("only %d of %d flashes had a beep within 500 ms: %v", len(offs), len(track.flashes), offs)
	}
	offs = offs[2:]
	med := medianDur(offs)
	t.Logf("beep - flash at the subscriber: median %v; all %v", med, offs)
	if med < -45*time.Millisecond || med > 125*time.Millisecond {
		t.Errorf("beep %v after its flash (median; want -45..125 ms)", med)
	}
}

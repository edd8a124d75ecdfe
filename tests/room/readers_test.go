package room

import (
	"bytes"
	"encoding/binary"
	"math"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
	"github.com/lkbrowser/lkbrowser/lksession"
	"github.com/lkbrowser/lkbrowser/webm"
)

// TestRecordPublishAndReadAtOnce records a page to WebM and publishes it
// into a room while the program reads its frames too, slowly: the room's
// subscriber decodes the page's colours and tone, so does the file, and
// the slow reader's drops are its own (the recorder and the session keep
// their frame rate).
func TestRecordPublishAndReadAtOnce(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
	}
	page, sess := publish(t, lk, web.URL+"/moving.html", lksession.Options{})
	out := filepath.Join(t.TempDir(), "both.webm")
	rec, err := webm.RecordFile(page, out, webm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	slow := page.SubscribeFrames()
	defer slow.Close()
	sub := subscribe(t, lk, "watcher")

	// The program takes a frame every 200 ms for 5 s, while both others run.
	read := 0
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
		select {
		case f := <-slow.C():
			read++
			time.Sleep(200 * time.Millisecond)
			f.Release()
		case <-time.After(5 * time.Second):
			t.Fatal("the program's reader got no frame in 5 s")
		}
	}
	waitColour(t, sub, 100, 100, red, 10*time.Second)
	waitColour(t, sub, 500, 100, blue, 5*time.Second)
	waitColour(t, sub, 120, 280, green, 5*time.Second)
	var pcm []int16
	if !eventually(10*time.Second, func() bool { pcm = sub.Audio(); return len(pcm) >= 48000*2 }) {
		t.Fatalf("subscriber: only %d audio samples", len(pcm))
	}
	if f := roomtest.Frequency(pcm[len(pcm)-48000:], 48000); math.Abs(f-440) > 2 {
		t.Errorf("subscriber's tone %.2f Hz, want 440 ± 2", f)
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}

	rst, sst := rec.Stats(), sess.Stats()
	t.Logf("program read %d frames, dropped %d; recorder wrote %d frames, dropped %d; session sent %d, dropped %d",
		read, slow.Dropped(), rst.Frames, rst.FramesDropped, sst.FramesSent, sst.FramesDropped)
	if slow.Dropped() < 20 {
		t.Errorf("the slow reader dropped %d frames, want many (the page animates at up to 30 fps)", slow.Dropped())
	}
	if rst.Frames < 2*uint64(read) || sst.FramesSent < 2*uint64(read) {
		t.Errorf("recorder wrote %d frames, session sent %d, the slow reader read %d: it held them back", rst.Frames, sst.FramesSent, read)
	}
	if rst.FramesDropped >= slow.Dropped()/2 || sst.FramesDropped >= slow.Dropped()/2 {
		t.Errorf("drops are not per reader: slow %d, recorder %d, session %d", slow.Dropped(), rst.FramesDropped, sst.FramesDropped)
	}

	checkRecording(t, out)
}

// ffmpeg runs ffmpeg with args and returns its stdout, failing the test on
// any error it reports.
func ffmpeg(t *testing.T, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error"}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffmpeg %q: %v\n%s", args, err, stderr.String())
	}
	return out
}

// lkbrowser publish --record publishes the page and records it at once; on
// Ctrl-C the file is finalised and decodes with the page's picture and
// sound, while a room subscriber saw the same page.
func TestPublishRecordCLI(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
	}
	out := filepath.Join(t.TempDir(), "publish.webm")
	room := roomName(t)
	cli := startCLI(t, nil, "publish", "--record", out, "--viewer-addr", "off",
		"--livekit-url", lk.URL(), "--api-key", lk.APIKey(), "--api-secret", lk.APISecret(), "--room", room,
		"--width", "640", "--height", "360", web.URL+"/moving.html")
	cli.line(t, "recording to", 90*time.Second)
	sub, err := roomtest.Join(t.Context(), lk.URL(), lk.APIKey(), lk.APISecret(), room, "watcher")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitColour(t, sub, 100, 100, red, 20*time.Second)
	waitColour(t, sub, 500, 100, blue, 5*time.Second)
	time.Sleep(3 * time.Second)
	if code := cli.interrupt(20 * time.Second); code != 0 {
		t.Fatalf("lkbrowser publish --record exit %d after Ctrl-C\nstderr:\n%s", code, cli.errors())
	}
	cli.line(t, "recorded "+out, 5*time.Second)
	if line := testsupport.SDKLogLine(cli.errors()); line != "" {
		t.Errorf("publish --record printed SDK logging: %s", line)
	}
	checkRecording(t, out)
}

// checkRecording decodes a 640x360 recording of moving.html: its last
// second shows the page's colours, and its last second of sound is the
// 440 Hz tone.
func checkRecording(t *testing.T, path string) {
	t.Helper()
	pix := ffmpeg(t, "-sseof", "-1", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	if len(pix) != 640*360*3 {
		t.Fatalf("decoded frame: %d bytes, want 640x360x3", len(pix))
	}
	for _, c := range []struct {
		x, y int
		want [3]int
	}{{100, 100, red}, {500, 100, blue}, {120, 280, green}} {
		i := (c.y*640 + c.x) * 3
		if got := [3]int{int(pix[i]), int(pix[i+1]), int(pix[i+2])}; !near(got, c.want) {
			t.Errorf("file: pixel (%d,%d) is %v, want %v", c.x, c.y, got, c.want)
		}
	}
	raw := ffmpeg(t, "-i", path, "-f", "s16le", "-ac", "1", "-ar", "48000", "-")
	if n := len(raw) / 2; n < 48000*2 {
		t.Fatalf("file: %d samples of sound, want 2 s or more", n)
	}
	// One second of sound ending a quarter second before the file's end:
	// Stop pads the last 20 ms packet with silence, which a window that
	// ends with the file counts as a lower pitch.
	sound := make([]int16, 48000)
	start := len(raw) - 2*(48000+12000)
	for i := range sound {
		sound[i] = int16(binary.LittleEndian.Uint16(raw[start+2*i:]))
	}
	if f := roomtest.Frequency(sound, 48000); math.Abs(f-440) > 2 {
		t.Errorf("file's tone %.2f Hz, want 440 ± 2", f)
	}
}

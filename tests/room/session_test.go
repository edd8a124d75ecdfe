package room

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// A subscriber receives both tracks: the page's colours in the decoded
// video and its 440 Hz tone in the decoded audio.
func TestVideoAndAudioReachSubscriber(t *testing.T) {
	_, sess := publish(t, lk, web.URL+"/page.html", lksession.Options{})
	sub := subscribe(t, lk, "watcher")
	waitColour(t, sub, 100, 100, red, 15*time.Second)
	waitColour(t, sub, 500, 100, blue, 5*time.Second)
	waitColour(t, sub, 120, 280, green, 5*time.Second)
	if img := sub.Picture(); img.Width != 640 || img.Height != 360 {
		t.Errorf("video is %dx%d, want 640x360", img.Width, img.Height)
	}

	// 2.5 s of sound; the last 2 s are measured.
	var pcm []int16
	if !eventually(20*time.Second, func() bool { pcm = sub.Audio(); return len(pcm) >= 48000*5/2 }) {
		t.Fatalf("only %d audio samples received", len(pcm))
	}
	tail := pcm[len(pcm)-2*48000:]
	f, level := roomtest.Frequency(tail, 48000), roomtest.RMS(tail)
	t.Logf("decoded audio: %.2f Hz at %.1f dBFS; stats %+v", f, level, sess.Stats())
	if math.Abs(f-440) > 2 {
		t.Errorf("tone %.2f Hz, want 440 ± 2", f)
	}
	if level < -20 {
		t.Errorf("tone level %.1f dBFS: too quiet (expected about -9)", level)
	}
}

// Only the focus holder's input reaches the page: without focus a click
// is ignored; with focus it turns the button yellow in the decoded video.
func TestRemoteControlNeedsFocus(t *testing.T) {
	page, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, lk, "driver")
	waitColour(t, sub, 120, 280, green, 15*time.Second)

	sendInput(t, sub, click(120, 280))
	time.Sleep(1500 * time.Millisecond)
	if c := colourAt(t, sub, 120, 280); !near(c, green) {
		t.Fatalf("a click without focus changed the button to %v", c)
	}
	if got := evalString(t, page, "String(document.body.dataset.clicks || 0)"); got != "0" {
		t.Fatalf("clicks without focus: %s", got)
	}
	if st := sess.Stats(); st.InputRefused == 0 {
		t.Errorf("refused input not counted: %+v", st)
	}

	res, err := rpc(t, sub, lksession.MethodRequestFocus, "")
	if err != nil || res["granted"] != true {
		t.Fatalf("request-focus: %v %v", res, err)
	}
	if sess.Focus() != "driver" {
		t.Fatalf("focus holder %q", sess.Focus())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Wait(ctx, "browser-focus broadcast", func() bool {
		for _, m := range sub.MessagesLocked(lksession.TopicFocus) {
			if string(m.Payload) == `{"identity":"driver"}` {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	sendInput(t, sub, click(120, 280))
	waitColour(t, sub, 120, 280, yellow, 10*time.Second)
	if c := colourAt(t, sub, 500, 100); !near(c, blue) {
		t.Errorf("the rest of the page changed: %v", c)
	}

	// Typing into the text field through the room.
	sendInput(t, sub, click(400, 55))
	keys, _ := json.Marshal([]map[string]any{
		{"type": "keydown", "keyCode": 72}, {"type": "char", "keyCode": 72, "charCode": 'h'}, {"type": "keyup", "keyCode": 72},
		{"type": "keydown", "keyCode": 73}, {"type": "char", "keyCode": 73, "charCode": 'i'}, {"type": "keyup", "keyCode": 73},
		{"type": "char", "keyCode": '你', "charCode": '你'}, // as the viewer sends an IME character
	})
	sendInput(t, sub, string(keys))
	if !eventually(10*time.Second, func() bool { return evalString(t, page, "document.getElementById('text').value") == "hi你" }) {
		t.Fatalf("typed %q, want hi你", evalString(t, page, "document.getElementById('text').value"))
	}

	// A second participant cannot take focus from a person.
	other := subscribe(t, lk, "other")
	res, err = rpc(t, other, lksession.MethodRequestFocus, "")
	if err != nil || res["granted"] != false || res["holder"] != "driver" {
		t.Fatalf("second request-focus: %v %v", res, err)
	}
	// Releasing, then the holder's input is ignored again.
	res, err = rpc(t, sub, lksession.MethodReleaseFocus, "")
	if err != nil || res["released"] != true || sess.Focus() != "" {
		t.Fatalf("release-focus: %v %v, holder %q", res, err, sess.Focus())
	}
	before := evalString(t, page, "String(document.body.dataset.clicks)")
	sendInput(t, sub, click(120, 280))
	time.Sleep(time.Second)
	if after := evalString(t, page, "String(document.body.dataset.clicks)"); after != before {
		t.Errorf("input after release reached the page: clicks %s -> %s", before, after)
	}
}

// Malformed, oversized and ill-typed messages from the focus holder are
// refused whole and change nothing; the session keeps working.
func TestMalformedInputChangesNothing(t *testing.T) {
	page, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, lk, "fuzzer")
	waitColour(t, sub, 120, 280, green, 15*time.Second)
	if res, err := rpc(t, sub, lksession.MethodRequestFocus, ""); err != nil || res["granted"] != true {
		t.Fatalf("request-focus: %v %v", res, err)
	}
	for _, msg := range []string{
		`not json`,
		`{"type":"mousedown","x":120,"y":280}`,
		`[{"type":"mousedown","x":"120","y":280}]`,
		`[{"type":"mousemove","x":120,"y":280},{"type":"mousedown","x":120,"y":280},{"type":"explode"}]`,
		`[{"type":"mousedown","x":120,"y":280,"button":7},{"type":"mouseup","x":120,"y":280}]`,
		"[" + strings.Repeat(`{"type":"mousemove","x":1,"y":1},`, 300) + `{"type":"mousemove","x":1,"y":1}]`,
		"[" + strings.Repeat(" ", lksession.MaxInputMessage) + "]",
	} {
		sendInput(t, sub, msg)
	}
	time.Sleep(1500 * time.Millisecond)
	if got := evalString(t, page, "String(document.body.dataset.clicks || 0)"); got != "0" {
		t.Fatalf("a refused message clicked: %s", got)
	}
	// The 64 KiB message may be dropped by the server already (it limits
	// data packets); the others must reach the session and be refused.
	if st := sess.Stats(); st.InputRefused < 6 {
		t.Errorf("refused %d messages, want 6 or 7: %+v", st.InputRefused, st)
	}
	sendInput(t, sub, click(120, 280))
	waitColour(t, sub, 120, 280, yellow, 10*time.Second)
}

// browser/navigate loads http URLs and broadcasts browser-url; file: and
// the other local schemes are refused and the page stays where it was.
func TestNavigateRPC(t *testing.T) {
	page, _ := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, lk, "navigator")
	waitColour(t, sub, 100, 100, red, 15*time.Second)

	target := web.URL + "/other.html"
	res, err := rpc(t, sub, lksession.MethodNavigate, map[string]string{"url": target})
	if err != nil || res["status"] != "ok" {
		t.Fatalf("navigate: %v %v", res, err)
	}
	waitColour(t, sub, 320, 180, cyan, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Wait(ctx, "browser-url broadcast", func() bool {
		for _, m := range sub.MessagesLocked(lksession.TopicURL) {
			var v struct{ URL string }
			if json.Unmarshal(m.Payload, &v) == nil && v.URL == target {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{"file:///etc/passwd", "chrome://settings", "javascript:alert(1)", "data:text/html,<b>x</b>", "relative/path", ""} {
		_, err := rpc(t, sub, lksession.MethodNavigate, map[string]string{"url": bad})
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("navigate %q: %v, want a refusal", bad, err)
		}
	}
	if _, err := sub.RPC(lksession.DefaultIdentity, lksession.MethodNavigate, "{nonsense"); err == nil {
		t.Error("a malformed navigate payload was accepted")
	}
	if got := evalString(t, page, "location.href"); got != target || page.URL() != target {
		t.Fatalf("page at %s after refused navigations, want %s", got, target)
	}

	if res, err := rpc(t, sub, lksession.MethodGoBack, ""); err != nil || res["status"] != "ok" {
		t.Fatalf("go-back: %v %v", res, err)
	}
	waitColour(t, sub, 100, 100, red, 10*time.Second)
	if res, err := rpc(t, sub, lksession.MethodGoForward, ""); err != nil || res["status"] != "ok" {
		t.Fatalf("go-forward: %v %v", res, err)
	}
	waitColour(t, sub, 320, 180, cyan, 10*time.Second)
}

// Focus goes when its holder leaves; the agent's focus yields to a person
// and AgentInterrupted says so.
func TestFocusArbitration(t *testing.T) {
	_, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sess.SetAgentFocus(true)
	interrupted := sess.AgentInterrupted()
	if sess.Focus() != lksession.AgentIdentity {
		t.Fatalf("focus %q after SetAgentFocus", sess.Focus())
	}
	human := subscribe(t, lk, "human")
	if res, err := rpc(t, human, lksession.MethodRequestFocus, ""); err != nil || res["granted"] != true {
		t.Fatalf("request-focus over the agent: %v %v", res, err)
	}
	select {
	case <-interrupted:
	case <-time.After(5 * time.Second):
		t.Fatal("AgentInterrupted not closed")
	}
	sess.SetAgentFocus(false) // the agent no longer holds it: no change
	if sess.Focus() != "human" {
		t.Fatalf("focus %q, want human", sess.Focus())
	}
	// It leaves at once: the server may never announce it (it batches the
	// news of participants that publish nothing), so the session finds out
	// by itself within a few seconds.
	human.Close()
	if !eventually(15*time.Second, func() bool { return sess.Focus() == "" }) {
		t.Fatalf("focus %q after its holder left", sess.Focus())
	}
}

// A still page costs little (its picture again every 500 ms, tiny frames),
// yet a subscriber who joins late gets a picture at once (a keyframe on its
// PLI).
func TestStillPageAndLateJoiner(t *testing.T) {
	_, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	first := subscribe(t, lk, "early")
	waitColour(t, first, 100, 100, red, 15*time.Second)
	time.Sleep(time.Second)
	before := sess.Stats()
	time.Sleep(5 * time.Second)
	after := sess.Stats()
	frames, bytes := after.FramesSent-before.FramesSent, after.VideoBytes-before.VideoBytes
	t.Logf("still page over 5 s: %d frames, %d bytes", frames, bytes)
	if frames > 20 || bytes > 200<<10 {
		t.Errorf("a still page sent %d frames, %d bytes in 5 s", frames, bytes)
	}
	if frames < 7 { // 10 expected; 5 when repeats slip to once a second
		t.Errorf("a still page sent %d frames in 5 s, want its picture every 500 ms", frames)
	}

	start := time.Now()
	late := subscribe(t, lk, "late")
	waitColour(t, late, 500, 100, blue, 10*time.Second)
	t.Logf("late joiner: picture %v after joining", time.Since(start).Round(time.Millisecond))
}

// Close leaves the room: the others see the page's participant go.
func TestCloseLeavesRoom(t *testing.T) {
	_, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, lk, "witness")
	waitColour(t, sub, 100, 100, red, 15*time.Second)
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if err := sess.Err(); err != nil {
		t.Errorf("Err() after the caller's Close: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Wait(ctx, "the publisher to leave", func() bool { return sub.LeftLocked(lksession.DefaultIdentity) }); err != nil {
		t.Fatal(err)
	}
}

package room

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/lksession"
)

// A resized page goes on at its new size in the subscriber's video.
func TestResizeMidSession(t *testing.T) {
	page, _ := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, lk, "resizer")
	waitColour(t, sub, 100, 100, red, 15*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := page.Resize(ctx, 320, 180); err != nil {
		t.Fatal(err)
	}
	if err := sub.Wait(ctx, "a 320x180 picture", func() bool {
		return sub.PictureLocked() != nil && sub.PictureLocked().Width == 320 && sub.PictureLocked().Height == 180
	}); err != nil {
		t.Fatal(err)
	}
	// The page's layout is fixed at 640x360: the view now shows its top
	// left quarter, still red at (100, 100).
	waitColour(t, sub, 100, 100, red, 5*time.Second)
}

// A participant flooding the page with input is rate limited; the page
// stays responsive and the holder's later input still works.
func TestInputFloodIsLimited(t *testing.T) {
	page, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{InputRate: 200, InputBurst: 400})
	sub := subscribe(t, lk, "flooder")
	waitColour(t, sub, 120, 280, green, 15*time.Second)
	if res, err := rpc(t, sub, lksession.MethodRequestFocus, ""); err != nil || res["granted"] != true {
		t.Fatalf("request-focus: %v %v", res, err)
	}
	moves := make([]map[string]any, lksession.MaxInputEvents)
	for i := range moves {
		moves[i] = map[string]any{"type": "mousemove", "x": 400 + i%100, "y": 200}
	}
	msg, _ := json.Marshal(moves)
	start := time.Now()
	for i := 0; i < 40; i++ { // 10 240 events at once
		sendInput(t, sub, string(msg))
	}
	t.Logf("sent 10240 events in %v", time.Since(start).Round(time.Millisecond))
	if !eventually(10*time.Second, func() bool { return sess.Stats().InputDropped > 0 }) {
		t.Fatalf("nothing dropped: %+v", sess.Stats())
	}
	// The page still answers at once.
	evalStart := time.Now()
	if got := evalString(t, page, "String(1+1)"); got != "2" {
		t.Fatal(got)
	}
	t.Logf("Eval during the flood: %v; stats %+v", time.Since(evalStart).Round(time.Millisecond), sess.Stats())
	time.Sleep(2 * time.Second) // the bucket refills
	clickAt := time.Now()
	sendInput(t, sub, click(120, 280))
	waitColour(t, sub, 120, 280, yellow, 10*time.Second)
	t.Logf("click seen after %v; stats %+v", time.Since(clickAt).Round(time.Millisecond), sess.Stats())
}

// A view-only session publishes but takes no control from the room.
func TestViewOnly(t *testing.T) {
	_, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{ViewOnly: true})
	sub := subscribe(t, lk, "onlooker")
	waitColour(t, sub, 100, 100, red, 15*time.Second)
	_, err := rpc(t, sub, lksession.MethodRequestFocus, "")
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "not supported") {
		t.Fatalf("request-focus on a view-only session: %v", err)
	}
	if sess.Focus() != "" {
		t.Fatalf("focus %q", sess.Focus())
	}
}

// When the page's browser dies the session ends by itself, says why, and
// leaves the room.
func TestSessionEndsWhenPageCrashes(t *testing.T) {
	page, sess := publish(t, lk, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, lk, "mourner")
	waitColour(t, sub, 100, 100, red, 15*time.Second)
	if err := syscall.Kill(-page.Processes().Browser, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sess.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the session did not end after the crash")
	}
	if err := sess.Err(); err == nil || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("Err() = %v, want the crash", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Wait(ctx, "the publisher to leave", func() bool { return sub.LeftLocked(lksession.DefaultIdentity) }); err != nil {
		t.Fatal(err)
	}
}

package room

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/lkserver"
	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Colours of testdata/page.html.
var (
	red    = [3]int{0xe0, 0x10, 0x10}
	blue   = [3]int{0x10, 0x40, 0xe0}
	green  = [3]int{0x10, 0xc0, 0x10}
	yellow = [3]int{0xf0, 0xe0, 0x00}
	cyan   = [3]int{0x00, 0xb0, 0xb0}
)

// colourTol allows for VP8 and the colour conversions.
const colourTol = 28

// roomName is a room of the test's own.
func roomName(t *testing.T) string {
	return strings.NewReplacer("/", "-", "_", "-").Replace(strings.ToLower(t.Name()))
}

// publish opens a page of 640x360 at url and publishes it into the test's
// room on srv; both close at the end of the test.
func publish(t *testing.T, srv *lkserver.Server, url string, opts lksession.Options) (*lkbrowser.Page, *lksession.Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	page, err := engine.NewPage(ctx, lkbrowser.PageOptions{URL: url, Width: 640, Height: 360, FrameRate: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { page.Close() })
	opts.URL, opts.APIKey, opts.APISecret = srv.URL(), srv.APIKey(), srv.APISecret()
	if opts.Room == "" {
		opts.Room = roomName(t)
	}
	if opts.Logger == nil {
		opts.Logger = testLog
	}
	sess, err := lksession.Start(ctx, page, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sess.Close(); err != nil {
			t.Errorf("session close: %v", err)
		}
	})
	return page, sess
}

// subscribe joins the test's room on srv as identity.
func subscribe(t *testing.T, srv *lkserver.Server, identity string) *roomtest.Subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := roomtest.Join(ctx, srv.URL(), srv.APIKey(), srv.APISecret(), roomName(t), identity)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// waitColour waits up to d for colour c at (x, y) in the subscriber's video.
func waitColour(t *testing.T, sub *roomtest.Subscriber, x, y int, c [3]int, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := sub.WaitColour(ctx, x, y, c[0], c[1], c[2], colourTol); err != nil {
		t.Fatal(err)
	}
}

// colourAt returns the colour at (x, y) of the subscriber's latest picture.
func colourAt(t *testing.T, sub *roomtest.Subscriber, x, y int) [3]int {
	t.Helper()
	img := sub.Picture()
	if img == nil {
		t.Fatal("no picture yet")
	}
	r, g, b := roomtest.RGB(img, x, y)
	return [3]int{r, g, b}
}

func near(a, b [3]int) bool { return roomtest.Near(a[0], a[1], a[2], b[0], b[1], b[2], colourTol) }

// rpc calls method on the publisher and decodes its JSON answer.
func rpc(t *testing.T, sub *roomtest.Subscriber, method string, payload any) (map[string]any, error) {
	t.Helper()
	res, err := sub.RPC(lksession.DefaultIdentity, method, payload)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(res), &m); err != nil {
		t.Fatalf("%s answered %q: %v", method, res, err)
	}
	return m, nil
}

// sendInput sends a browser-input message to the publisher.
func sendInput(t *testing.T, sub *roomtest.Subscriber, msg string) {
	t.Helper()
	if err := sub.Send(lksession.DefaultIdentity, lksession.TopicInput, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// click is a browser-input message clicking at (x, y).
func click(x, y int) string {
	b, _ := json.Marshal([]map[string]any{
		{"type": "mousemove", "x": x, "y": y},
		{"type": "mousedown", "x": x, "y": y, "button": 0},
		{"type": "mouseup", "x": x, "y": y, "button": 0},
	})
	return string(b)
}

// evalString evaluates expr on the page and returns it as a string.
func evalString(t *testing.T, page *lkbrowser.Page, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := page.Eval(ctx, expr)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return string(raw)
	}
	return s
}

// eventually polls cond every 50 ms for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

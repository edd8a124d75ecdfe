package security

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// aClick is a complete click at (50, 50) in browser-input events: a
// message that carried it and were accepted would click the page.
const aClick = `{"type":"mousemove","x":50,"y":50},{"type":"mousedown","x":50,"y":50,"button":0},{"type":"mouseup","x":50,"y":50,"button":0}`

// Messages from the focus holder that are refused whole, each carrying a
// complete click next to the fault, so that a partly applied message would
// show: unknown event types, wrong field types, and a 1 MB message. The
// page is not clicked, the refusals are counted, and a good click after
// them works at once.
func TestRoomInputRefusedWhole(t *testing.T) {
	srv := liveKit(t)
	const room = "refusals"
	p := openPage(t, lkbrowser.PageOptions{URL: url("click.html"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0xff, 0, 0})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := lksession.Start(ctx, p, lksession.Options{URL: srv.URL(), APIKey: srv.APIKey(), APISecret: srv.APISecret(), Room: room, Logger: testLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	sub := subscribe(t, room, "holder")
	if err := sub.WaitColour(ctx, 10, 10, 0xff, 0, 0, 28); err != nil {
		t.Fatal(err)
	}
	if res, err := sub.RPC(lksession.DefaultIdentity, lksession.MethodRequestFocus, ""); err != nil || !strings.Contains(res, `"granted":true`) {
		t.Fatalf("request-focus: %s %v", res, err)
	}

	bad := map[string]string{
		"unknown type":        "[" + aClick + `,{"type":"keypress","keyCode":65}]`,
		"unknown type first":  `[{"type":"touchstart","x":50,"y":50},` + aClick + "]",
		"type not a string":   "[" + aClick + `,{"type":7}]`,
		"x a string":          "[" + aClick + `,{"type":"mousemove","x":"50","y":50}]`,
		"button a bool":       `[{"type":"mousemove","x":50,"y":50},{"type":"mousedown","x":50,"y":50,"button":true},{"type":"mouseup","x":50,"y":50,"button":0}]`,
		"keyCode an object":   "[" + aClick + `,{"type":"keydown","keyCode":{"v":65}}]`,
		"events not an array": `{"events":[` + aClick + "]}",
	}
	for name, msg := range bad {
		if err := sub.Send(lksession.DefaultIdentity, lksession.TopicInput, []byte(msg)); err != nil {
			t.Fatalf("%s: send: %v", name, err)
		}
	}
	refused := func(n uint64) bool {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && sess.Stats().InputRefused < n {
			time.Sleep(50 * time.Millisecond)
		}
		return sess.Stats().InputRefused >= n
	}
	if !refused(uint64(len(bad))) {
		t.Errorf("%d messages refused, want %d: %+v", sess.Stats().InputRefused, len(bad), sess.Stats())
	}
	// 1 MiB: a click padded with white space.
	huge := "[" + aClick + strings.Repeat(" ", 1<<20) + "]"
	if err := sub.Send(lksession.DefaultIdentity, lksession.TopicInput, []byte(huge)); err != nil {
		t.Logf("1 MB message: the sender's SDK refused it: %v", err)
	} else if refused(uint64(len(bad) + 1)) {
		t.Logf("1 MB message: reached the session and was refused")
	} else {
		t.Logf("1 MB message: sent, but never reached the session (the server limits data packets)")
	}
	time.Sleep(time.Second)
	st := sess.Stats()
	t.Logf("stats %+v", st)
	if n := testsupport.EvalAs[int](t, p, "window.clicks"); n != 0 {
		t.Fatalf("a refused message clicked the page %d times", n)
	}
	if st.InputEvents != 0 {
		t.Errorf("%d events of refused messages accepted", st.InputEvents)
	}

	start := time.Now()
	if err := sub.Send(lksession.DefaultIdentity, lksession.TopicInput, []byte("["+aClick+"]")); err != nil {
		t.Fatal(err)
	}
	mustColour(t, p, 10, 10, rgb{0, 0xff, 0})
	if n := testsupport.EvalAs[int](t, p, "window.clicks"); n != 1 {
		t.Errorf("clicks = %d after one good click", n)
	}
	t.Logf("good click after the refusals: page changed in %v", time.Since(start).Round(time.Millisecond))
}

package room

import (
	"context"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/lkserver"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// When the LiveKit server restarts mid-session, the publisher reconnects
// and republishes, and a subscriber receives video again within 10 s.
func TestServerRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := lkserver.Start(ctx, serverConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	page, sess := publish(t, srv, web.URL+"/page.html#silent", lksession.Options{})
	sub := subscribe(t, srv, "survivor")
	waitColour(t, sub, 100, 100, red, 15*time.Second)

	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	frames := sub.Frames()
	// Something on the page changes, so that the new picture is news.
	evalString(t, page, "document.getElementById('left').style.background = '#00b0b0'")
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	err = sub.Wait(wctx, "video after the restart", func() bool { return sub.FramesLocked() > frames })
	if err != nil {
		t.Fatalf("%v; publisher stats %+v", err, sess.Stats())
	}
	waitColour(t, sub, 100, 100, cyan, 10*time.Second-time.Since(restarted))
	t.Logf("video again %v after the server was back; publisher stats %+v", time.Since(restarted).Round(time.Millisecond), sess.Stats())
}

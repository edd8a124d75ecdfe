package lksession_test

import (
	"context"
	"log"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// Publish a page into a LiveKit room: its picture and sound become tracks,
// and the room's participants drive it with the reference plugin's
// protocol (request focus, then send input).
func ExampleStart() {
	var page *lkbrowser.Page // from Engine.NewPage
	ctx := context.Background()
	sess, err := lksession.Start(ctx, page, lksession.Options{
		URL:       "ws://127.0.0.1:7880",
		APIKey:    "devkey",
		APISecret: "secret",
		Room:      "browser",
		Identity:  "page",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	<-sess.Done() // the page closed, or the room could not be rejoined
	st := sess.Stats()
	log.Printf("sent %d frames, %d dropped; %v", st.FramesSent, st.FramesDropped, sess.Err())
}

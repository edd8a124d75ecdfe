// Command quietpublish uses the library as a program would, with every
// Logger left unset: it publishes URL into ROOM with lksession (and asks
// package dispatch about the room) until SIGINT. The library never prints,
// so it writes nothing to stderr; tests/room's TestLibraryQuiet checks that.
// Its own lines, errors among them, go to stdout.
//
// Usage: LIVEKIT_URL=... LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... quietpublish URL ROOM
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/lksession"
)

func main() {
	if err := run(); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func run() (err error) {
	if len(os.Args) != 3 {
		return errors.New("usage: quietpublish URL ROOM")
	}
	url, room := os.Args[1], os.Args[2]
	lkURL, key, secret := os.Getenv("LIVEKIT_URL"), os.Getenv("LIVEKIT_API_KEY"), os.Getenv("LIVEKIT_API_SECRET")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	eng, err := lkbrowser.NewEngine(start, lkbrowser.Options{NoAudio: true})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, eng.Close()) }()
	page, err := eng.NewPage(start, lkbrowser.PageOptions{URL: url, Width: 640, Height: 360})
	if err != nil {
		return err
	}
	sess, err := lksession.Start(start, page, lksession.Options{URL: lkURL, APIKey: key, APISecret: secret, Room: room})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sess.Close()) }()
	c, err := dispatch.New(dispatch.Config{URL: lkURL, APIKey: key, APISecret: secret})
	if err != nil {
		return err
	}
	if _, err := c.DeleteAll(start, room); err != nil {
		return err
	}
	fmt.Println("published")
	<-ctx.Done()
	return nil
}

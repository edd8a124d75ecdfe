package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lkbrowser/lkbrowser/dispatch"
)

const dispatchSynopsis = "--livekit-url URL --api-key K --room R [flags] URL"

const dispatchHelp = `Asks the LiveKit server to have one of its lkbrowser workers (see
'lkbrowser worker') publish URL into room R, and waits until the page is
published. When no worker takes it within --timeout (every worker full or
draining, or none registered), it says so and exits 1.

It then keeps the page published: if the page's worker dies or leaves, the
page is dispatched again to another worker. Ctrl-C (SIGINT) or SIGTERM
deletes the dispatch (the worker closes the page) and exits 0. With
--detach it exits once the page is published and leaves it running; the
page then ends when its room closes, or with 'lkbrowser dispatch --stop
--room R'.`

func runDispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("dispatch")
	var (
		lkURL, key, secret, agentName, room string
		page                                dispatch.Page
		timeout                             time.Duration
		detach, stop                        bool
	)
	flags.StringVar(&lkURL, "livekit-url", os.Getenv("LIVEKIT_URL"), "LiveKit server URL (env LIVEKIT_URL)")
	flags.StringVar(&key, "api-key", os.Getenv("LIVEKIT_API_KEY"), "API key (env LIVEKIT_API_KEY)")
	flags.StringVar(&secret, "api-secret", "", "API secret (env LIVEKIT_API_SECRET, preferred: flags show in ps)")
	flags.StringVar(&agentName, "agent-name", dispatch.DefaultAgentName, "agent name the workers registered under")
	flags.StringVar(&room, "room", "", "room to publish the page into")
	flags.IntVar(&page.Width, "width", 1280, "page width in pixels, 16..4096")
	flags.IntVar(&page.Height, "height", 720, "page height in pixels, 16..4096")
	flags.IntVar(&page.FrameRate, "fps", 30, "largest frame rate, 1..60")
	flags.StringVar(&page.Identity, "identity", dispatch.DefaultIdentity, "the page's participant identity")
	flags.IntVar(&page.VideoBitrate, "video-bitrate", 0, "VP8 bitrate in kbit/s (default 2500 up to 1280x720, 4500 above)")
	flags.BoolVar(&page.NoAudio, "no-audio", false, "publish the picture only")
	flags.BoolVar(&page.ViewOnly, "view-only", false, "no remote control from the room")
	flags.DurationVar(&timeout, "timeout", dispatch.DefaultAcceptTimeout, "give up when no worker publishes the page within this")
	flags.BoolVar(&detach, "detach", false, "exit once the page is published, leaving it running")
	flags.BoolVar(&stop, "stop", false, "delete the room's dispatches (closing their pages) instead; no URL")
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	want := 1
	for _, a := range args {
		if a == "--stop" || a == "-stop" || a == "--stop=true" {
			want = 0
		}
	}
	pos, err := parseCommand(flags, args, "dispatch", dispatchSynopsis, dispatchHelp, want, stdout)
	if err != nil {
		return err
	}
	if secret == "" {
		secret = os.Getenv("LIVEKIT_API_SECRET")
	}
	if lkURL == "" || key == "" || secret == "" {
		return usageErrorf("dispatch: give --livekit-url, --api-key and --api-secret (or LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET)")
	}
	if room == "" {
		return usageErrorf("dispatch: give --room")
	}
	if timeout <= 0 {
		return usageErrorf("dispatch: --timeout must be more than 0")
	}
	var out sync.Mutex
	say := func(format string, a ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(stdout, format+"\n", a...)
	}
	c, err := dispatch.New(dispatch.Config{
		URL: lkURL, APIKey: key, APISecret: secret, AgentName: agentName, AcceptTimeout: timeout,
		Logger: newLogger(*verbose, stderr),
		OnEvent: func(ev dispatch.Event) {
			switch ev.Kind {
			case dispatch.Lost:
				say("lost: %s; dispatching the page again", ev.Reason)
			case dispatch.Retrying:
				say("not placed yet: %s", ev.Reason)
			case dispatch.Published:
				say("published by worker %q (dispatch %s) in %v", ev.Worker, ev.DispatchID, ev.Took.Round(time.Millisecond))
			}
		},
	})
	if err != nil {
		return usageErrorf("dispatch: %v", err)
	}
	if stop {
		n, err := c.DeleteAll(ctx, room)
		if err != nil {
			return err
		}
		say("deleted %d dispatches in room %q", n, room)
		return nil
	}
	page.URL = pos[0]
	if err := page.Validate(); err != nil { // the flags hold every default
		return usageErrorf("%s", strings.TrimPrefix(err.Error(), "dispatch: "))
	}
	d, err := c.Start(ctx, room, page)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while waiting for a worker: %w", err)
		}
		return err
	}
	say("dispatched %s into room %q", page.URL, room)
	if detach {
		return nil
	}
	say("press Ctrl-C to stop the page")
	select {
	case <-ctx.Done():
		if err := d.Close(); err != nil {
			return err
		}
		say("stopped")
		return nil
	case <-d.Done():
		if err := d.Err(); errors.Is(err, dispatch.ErrRoomClosed) {
			say("the room closed; the page ended")
			return nil
		}
		return d.Close()
	}
}

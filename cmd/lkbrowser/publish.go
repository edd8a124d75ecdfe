package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/livekit/protocol/auth"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/lkserver"
	"github.com/lkbrowser/lkbrowser/internal/viewer"
	"github.com/lkbrowser/lkbrowser/lksession"
)

const publishSynopsis = "[flags] URL"

const publishHelp = `Loads URL in a private off-screen browser and publishes it into a LiveKit
room: its picture as the video track "browser-video", its sound as
"browser-audio". People in the room can take control and drive the page
(the protocol of LiveKit's browser plugin).

Without --livekit-url (or LIVEKIT_URL) it starts a local livekit-server on
127.0.0.1 (installed by bash scripts/setup.sh) and serves a viewer page on
--viewer-addr: open the printed URL in a browser to watch, listen, take
control, type, scroll and navigate. With a LiveKit URL, --api-key and
--api-secret (or LIVEKIT_API_KEY, LIVEKIT_API_SECRET) are required; the
viewer then joins that server.

With --record FILE.webm it also records the page (picture and sound, as
the record command does) while publishing; the file is finalised when
publish stops.

Room participants drive the page, so by default it cannot reach private
addresses (--block-private: loopback, RFC 1918, link-local and cloud
metadata, CGNAT, unique-local IPv6) except URL's own host; --allow-host
and --deny-host adjust that, --block-private=false turns it off.

Runs until Ctrl-C (SIGINT) or SIGTERM, then leaves the room and stops
everything it started.`

// pub is what the publish command was asked to do.
type pub struct {
	url                string
	width, height, fps int
	room, identity     string
	lkURL, key, secret string
	viewerAddr         string
	videoKbps          int
	noAudio            bool
	record             string        // --record: a WebM file of the session, or ""
	audioDelay         time.Duration // lksession.Options.AudioDelay: 0 auto, <0 none
	timeout            time.Duration
	egress             egressFlags // --block-private on by default: strangers drive the page
}

func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("publish")
	var p pub
	flags.IntVar(&p.width, "width", 1280, "page width in pixels, 16..4096")
	flags.IntVar(&p.height, "height", 720, "page height in pixels, 16..4096")
	flags.IntVar(&p.fps, "fps", 30, "largest frame rate, 1..60")
	flags.StringVar(&p.room, "room", lksession.DefaultRoom, "room name")
	flags.StringVar(&p.identity, "identity", lksession.DefaultIdentity, "the page's participant identity")
	flags.StringVar(&p.lkURL, "livekit-url", os.Getenv("LIVEKIT_URL"), "LiveKit server URL (env LIVEKIT_URL); empty: a local server")
	flags.StringVar(&p.key, "api-key", os.Getenv("LIVEKIT_API_KEY"), "API key (env LIVEKIT_API_KEY)")
	flags.StringVar(&p.secret, "api-secret", "", "API secret (env LIVEKIT_API_SECRET, preferred: flags show in ps)")
	flags.StringVar(&p.viewerAddr, "viewer-addr", "127.0.0.1:8080", "address of the viewer page; \"off\" for none")
	flags.IntVar(&p.videoKbps, "video-bitrate", 0, "VP8 bitrate in kbit/s (default 2500 up to 1280x720, 4500 above)")
	flags.BoolVar(&p.noAudio, "no-audio", false, "publish the picture only")
	flags.StringVar(&p.record, "record", "", "also record the page to this .webm file, finalised on Ctrl-C")
	flags.Func("audio-delay", "hold sound back so it leaves with its picture: auto (1.5 frames, the default), 0 for none, or a duration up to 1s",
		func(v string) (err error) { p.audioDelay, err = parseAudioDelay(v); return err })
	flags.DurationVar(&p.timeout, "timeout", 60*time.Second, "give up when start-up takes longer than this")
	p.egress.register(flags, true)
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	pos, err := parseCommand(flags, args, "publish", publishSynopsis, publishHelp, 1, stdout)
	if err != nil {
		return err
	}
	p.url = pos[0]
	if p.secret == "" {
		p.secret = os.Getenv("LIVEKIT_API_SECRET")
	}
	if err := p.validate(); err != nil {
		return err
	}
	return p.publish(ctx, newLogger(*verbose, stderr), stdout)
}

// validate checks the arguments before anything starts.
func (p *pub) validate() error {
	if err := checkPage("publish", p.width, p.height, p.fps, p.videoKbps); err != nil {
		return err
	}
	if p.room == "" || p.identity == "" || p.identity == lksession.AgentIdentity {
		return usageErrorf("publish: --room and --identity must be non-empty, and the identity not %s", lksession.AgentIdentity)
	}
	if p.lkURL != "" && (p.key == "" || p.secret == "") {
		return usageErrorf("publish: with --livekit-url, give --api-key and --api-secret (or LIVEKIT_API_KEY and LIVEKIT_API_SECRET)")
	}
	if p.timeout <= 0 {
		return usageErrorf("publish: --timeout must be more than 0")
	}
	if p.viewerAddr != "off" {
		if _, _, err := net.SplitHostPort(p.viewerAddr); err != nil {
			return usageErrorf("publish: --viewer-addr %q: want host:port or off", p.viewerAddr)
		}
	}
	if p.record != "" {
		if err := checkWebMOut("publish", p.record); err != nil {
			return err
		}
	}
	return (lkbrowser.URLPolicy{Schemes: lkbrowser.DefaultAllowedSchemes}).Check(p.url)
}

// publish starts the server (if embedded), the viewer, the browser and the
// session, and runs until ctx is cancelled. Everything it starts is closed,
// in reverse order, before it returns.
func (p *pub) publish(ctx context.Context, log *slog.Logger, stdout io.Writer) (err error) {
	start, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var closers []func() error
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			err = errors.Join(err, closers[i]())
		}
		if err != nil && ctx.Err() != nil && start.Err() != nil {
			err = fmt.Errorf("interrupted while starting: %w", err)
		}
	}()

	if p.lkURL == "" {
		srv, err := lkserver.Start(start, lkserver.Config{Logger: log})
		if err != nil {
			return fmt.Errorf("local LiveKit server: %w", err)
		}
		closers = append(closers, srv.Close)
		p.lkURL, p.key, p.secret = srv.URL(), srv.APIKey(), srv.APISecret()
	}

	var viewerURL string
	if p.viewerAddr != "off" {
		if !viewer.AssetsPresent() {
			return errors.New("viewer assets missing: run bash scripts/setup.sh, then rebuild (or use --viewer-addr off)")
		}
		ln, err := net.Listen("tcp", p.viewerAddr)
		if err != nil {
			return fmt.Errorf("viewer: %w (choose another address with --viewer-addr)", err)
		}
		srv := &http.Server{
			Handler: viewer.Handler(viewer.Config{
				LiveKitURL: p.lkURL, Publisher: p.identity, Room: p.room, Logger: log,
				Token: func(identity string) (string, error) { return p.viewerToken(identity) },
			}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		go srv.Serve(ln)
		closers = append(closers, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				return srv.Close()
			}
			return nil
		})
		viewerURL = "http://" + ln.Addr().String() + "/"
	}

	egress := p.egress.policy(p.url)
	eng, err := lkbrowser.NewEngine(start, lkbrowser.Options{Logger: log, NoAudio: p.noAudio, Egress: egress})
	if err != nil {
		return err
	}
	closers = append(closers, eng.Close)
	page, err := eng.NewPage(start, lkbrowser.PageOptions{URL: "about:blank", Width: p.width, Height: p.height, FrameRate: p.fps})
	if err != nil {
		return err
	}
	if err := page.Navigate(start, p.url); err != nil {
		// The page stays up: someone in the room can navigate elsewhere.
		log.Warn("first navigation failed", "url", p.url, "err", err)
		fmt.Fprintf(stdout, "warning: %s did not load: %v\n", p.url, err)
	}
	sess, err := lksession.Start(start, page, lksession.Options{
		URL: p.lkURL, APIKey: p.key, APISecret: p.secret, Room: p.room, Identity: p.identity,
		VideoBitrate: p.videoKbps, NoAudio: p.noAudio, AudioDelay: p.audioDelay, Logger: log,
	})
	if err != nil {
		return err
	}
	closers = append(closers, sess.Close)
	var recorded <-chan struct{}
	if p.record != "" {
		rec, err := lkbrowser.RecordFile(page, p.record, lkbrowser.RecordOptions{VideoBitrate: p.videoKbps, NoAudio: p.noAudio})
		if err != nil {
			return err
		}
		closers = append(closers, func() error {
			if err := rec.Stop(); err != nil {
				return fmt.Errorf("recording %s: %w", p.record, err)
			}
			st := rec.Stats()
			fmt.Fprintf(stdout, "recorded %s: %s, %d frames, %.1f MB\n", p.record, st.Elapsed.Round(100*time.Millisecond), st.Frames, float64(st.Bytes)/1e6)
			return nil
		})
		recorded = rec.Done()
	}

	fmt.Fprintf(stdout, "publishing %s into room %q at %s as %q\n", p.url, p.room, p.lkURL, p.identity)
	fmt.Fprintln(stdout, describeEgress(egress))
	if viewerURL != "" {
		fmt.Fprintf(stdout, "viewer: %s\n", viewerURL)
	}
	if p.record != "" {
		fmt.Fprintf(stdout, "recording to %s\n", p.record)
	}
	fmt.Fprintln(stdout, "press Ctrl-C to stop")
	select {
	case <-recorded:
		// The page closed or writing failed: Stop, among the closers, says why.
		log.Warn("publish: the recording ended early")
		return nil
	case <-ctx.Done():
		log.Info("publish: interrupted; leaving the room")
		return nil
	case <-sess.Done():
		return sess.Err()
	}
}

// viewerToken mints a token for a viewer: it may watch and send data
// (input, RPCs), not publish tracks.
func (p *pub) viewerToken(identity string) (string, error) {
	no := false
	return auth.NewAccessToken(p.key, p.secret).
		SetIdentity(identity).
		SetValidFor(12 * time.Hour).
		SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: p.room, CanPublish: &no, CanSubscribe: ptr(true), CanPublishData: ptr(true)}).
		ToJWT()
}

func ptr[T any](v T) *T { return &v }

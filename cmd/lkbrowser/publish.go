package main

import (
	"context"
	"errors"
	"flag"
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
	"github.com/lkbrowser/lkbrowser/webm"
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

// pub is what the publish command (or agent, which publishes the same
// way) was asked to do.
type pub struct {
	cmd                string // the command's name, for messages
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

// addFlags defines publish's flags on flags, for p.
func (p *pub) addFlags(flags *flag.FlagSet) {
	p.cmd = flags.Name()
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
}

// parsed completes p after parsing: the URL and the secret's environment
// variable, then checks it.
func (p *pub) parsed(pos []string) error {
	p.url = pos[0]
	if p.secret == "" {
		p.secret = os.Getenv("LIVEKIT_API_SECRET")
	}
	return p.validate()
}

func runPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("publish")
	var p pub
	p.addFlags(flags)
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	pos, err := parseCommand(flags, args, "publish", publishSynopsis, publishHelp, 1, stdout)
	if err != nil {
		return err
	}
	if err := p.parsed(pos); err != nil {
		return err
	}
	return p.publish(ctx, newLogger(*verbose, stderr), stdout)
}

// validate checks the arguments before anything starts.
func (p *pub) validate() error {
	if err := checkPage(p.cmd, p.width, p.height, p.fps, p.videoKbps); err != nil {
		return err
	}
	if p.room == "" || p.identity == "" || p.identity == lksession.AgentIdentity {
		return usageErrorf("%s: --room and --identity must be non-empty, and the identity not %s", p.cmd, lksession.AgentIdentity)
	}
	if p.lkURL != "" && (p.key == "" || p.secret == "") {
		return usageErrorf("%s: with --livekit-url, give --api-key and --api-secret (or LIVEKIT_API_KEY and LIVEKIT_API_SECRET)", p.cmd)
	}
	if p.timeout <= 0 {
		return usageErrorf("%s: --timeout must be more than 0", p.cmd)
	}
	if p.viewerAddr != "off" {
		if _, _, err := net.SplitHostPort(p.viewerAddr); err != nil {
			return usageErrorf("%s: --viewer-addr %q: want host:port or off", p.cmd, p.viewerAddr)
		}
	}
	if p.record != "" {
		if err := checkWebMOut(p.cmd, p.record); err != nil {
			return err
		}
	}
	return (lkbrowser.URLPolicy{Schemes: lkbrowser.DefaultAllowedSchemes}).Check(p.url)
}

// publish starts everything (see start) and runs until ctx is cancelled,
// the session ends or the recording does.
func (p *pub) publish(ctx context.Context, log *slog.Logger, stdout io.Writer) (err error) {
	up, err := p.start(ctx, log, stdout)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, up.close()) }()
	fmt.Fprintln(stdout, "press Ctrl-C to stop")
	select {
	case <-up.recorded:
		// The page closed or writing failed: Stop, among the closers, says why.
		log.Warn(p.cmd + ": the recording ended early")
		return nil
	case <-ctx.Done():
		log.Info(p.cmd + ": interrupted; leaving the room")
		return nil
	case <-up.sess.Done():
		return up.sess.Err()
	}
}

// published is what start brought up.
type published struct {
	page      *lkbrowser.Page
	sess      *lksession.Session
	viewerURL string          // "" with --viewer-addr off
	recorded  <-chan struct{} // closed when a --record recording ends; nil without
	closers   []func() error  // in the order started
}

// close closes everything start brought up, in reverse order.
func (u *published) close() error {
	var err error
	for i := len(u.closers) - 1; i >= 0; i-- {
		err = errors.Join(err, u.closers[i]())
	}
	u.closers = nil
	return err
}

// start starts the server (if embedded), the viewer, the browser, the
// session and the recording, within --timeout, and prints where they are.
// On an error it closes what it had started.
func (p *pub) start(ctx context.Context, log *slog.Logger, stdout io.Writer) (_ *published, err error) {
	start, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	up := &published{}
	defer func() {
		if err == nil {
			return
		}
		err = errors.Join(err, up.close())
		if ctx.Err() != nil && start.Err() != nil {
			err = fmt.Errorf("interrupted while starting: %w", err)
		}
	}()

	if p.lkURL == "" {
		srv, err := lkserver.Start(start, lkserver.Config{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("local LiveKit server: %w", err)
		}
		up.closers = append(up.closers, srv.Close)
		p.lkURL, p.key, p.secret = srv.URL(), srv.APIKey(), srv.APISecret()
	}

	if p.viewerAddr != "off" {
		if !viewer.AssetsPresent() {
			return nil, errors.New("viewer assets missing: run bash scripts/setup.sh, then rebuild (or use --viewer-addr off)")
		}
		ln, err := net.Listen("tcp", p.viewerAddr)
		if err != nil {
			return nil, fmt.Errorf("viewer: %w (choose another address with --viewer-addr)", err)
		}
		srv := &http.Server{
			Handler: viewer.Handler(viewer.Config{
				LiveKitURL: p.lkURL, Publisher: p.identity, Room: p.room, Logger: log,
				Token: func(identity string) (string, error) { return p.viewerToken(identity) },
			}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		go srv.Serve(ln)
		up.closers = append(up.closers, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				return srv.Close()
			}
			return nil
		})
		up.viewerURL = "http://" + ln.Addr().String() + "/"
	}

	egress := p.egress.policy(p.url)
	eng, err := lkbrowser.NewEngine(start, lkbrowser.Options{Logger: log, NoAudio: p.noAudio, Egress: egress})
	if err != nil {
		return nil, err
	}
	up.closers = append(up.closers, eng.Close)
	page, err := eng.NewPage(start, lkbrowser.PageOptions{URL: "about:blank", Width: p.width, Height: p.height, FrameRate: p.fps})
	if err != nil {
		return nil, err
	}
	up.page = page
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
		return nil, err
	}
	up.sess = sess
	up.closers = append(up.closers, sess.Close)
	if p.record != "" {
		rec, err := webm.RecordFile(page, p.record, webm.Options{VideoBitrate: p.videoKbps, NoAudio: p.noAudio})
		if err != nil {
			return nil, err
		}
		up.closers = append(up.closers, func() error {
			if err := rec.Stop(); err != nil {
				return fmt.Errorf("recording %s: %w", p.record, err)
			}
			st := rec.Stats()
			fmt.Fprintf(stdout, "recorded %s: %s, %d frames, %.1f MB\n", p.record, st.Elapsed.Round(100*time.Millisecond), st.Frames, float64(st.Bytes)/1e6)
			return nil
		})
		up.recorded = rec.Done()
	}

	fmt.Fprintf(stdout, "publishing %s into room %q at %s as %q\n", p.url, p.room, p.lkURL, p.identity)
	fmt.Fprintln(stdout, describeEgress(egress))
	if up.viewerURL != "" {
		fmt.Fprintf(stdout, "viewer: %s\n", up.viewerURL)
	}
	if p.record != "" {
		fmt.Fprintf(stdout, "recording to %s\n", p.record)
	}
	return up, nil
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

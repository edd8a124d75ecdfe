package lksession

import (
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// Defaults of Options.
const (
	DefaultRoom     = "lkbrowser"
	DefaultIdentity = "lkbrowser"
	// DefaultInputRate is how many input events a second one participant may
	// send; DefaultInputBurst how many at once.
	DefaultInputRate  = 500
	DefaultInputBurst = 1000
)

// DefaultAudioDelay is Options.AudioDelay's default in frame intervals of
// the page. Measured at the subscriber at 30 fps (docs/reliability.md),
// beep minus flash without a delay: -50 ms for a page that draws the flash
// from JavaScript while it animates all the time (Chromium showed the flash
// three display intervals after the JavaScript that drew it,
// TestPublishSoak), +25 ms for a playing video clip (its player shows a
// picture when its sound plays, TestPublishedVideoIsInSync). Viewers
// cannot tell sound that leads by less than 45 ms or trails by less than
// 125 ms (ITU-R BT.1359); 1.5 intervals (50 ms at 30 fps) puts both kinds
// of page well inside: 0 and +75 ms.
const DefaultAudioDelay = 1.5

// MaxAudioDelay bounds Options.AudioDelay.
const MaxAudioDelay = time.Second

// Track names, as in the reference.
const (
	VideoTrackName = "browser-video"
	AudioTrackName = "browser-audio"
)

// forbiddenSchemes are never loaded on a request from the room, whatever
// Options.AllowedSchemes says: they reach local files, the browser's own
// pages or run code in the page's origin.
var forbiddenSchemes = []string{"file", "chrome", "javascript", "data", "devtools", "chrome-extension", "view-source", "filesystem", "blob"}

// Options configures a Session. URL and either Token or APIKey and
// APISecret are required.
type Options struct {
	// URL is the LiveKit server, e.g. wss://example.livekit.cloud or
	// ws://127.0.0.1:7880.
	URL string
	// Token is a join token. When empty, the session mints its own tokens
	// (for every connection) from APIKey and APISecret, for Room and
	// Identity. Neither appears in logs or errors.
	Token             string
	APIKey, APISecret string
	// Room and Identity name the room and the page's participant when the
	// session mints tokens. Defaults: "lkbrowser" and "lkbrowser".
	Room, Identity string
	// Name is the participant's display name; default the identity.
	Name string

	// VideoBitrate is the VP8 target in kbit/s, 100..50000. Default
	// lkbrowser.DefaultVideoBitrate of the page's size.
	VideoBitrate int
	// AudioDelay holds the page's sound back this long before sending it,
	// so that it leaves with the picture drawn at the same instant: a
	// picture takes Chromium one to three display intervals to show, a
	// sound about 50 ms to be captured. Zero means the default,
	// DefaultAudioDelay frame intervals of the page; a negative value sends
	// sound as soon as it is captured. At most MaxAudioDelay.
	AudioDelay time.Duration
	// NoAudio publishes video only. Audio is published (track
	// "browser-audio") when the page first makes sound, as in the reference.
	NoAudio bool
	// ViewOnly ignores remote control: no focus, input or navigation RPCs.
	ViewOnly bool
	// AllowedSchemes are the URL schemes that browser/navigate may load.
	// Default http and https. file, chrome, javascript, data and the other
	// local schemes are refused whatever this says.
	AllowedSchemes []string
	// InputRate and InputBurst limit the input events a second each
	// participant may send (token bucket); events beyond are dropped.
	// Defaults DefaultInputRate and DefaultInputBurst.
	InputRate, InputBurst int

	// NoRejoin makes the session close itself (see Done), instead of
	// joining again, when its connection is lost for good: the server
	// closed or deleted the room or removed the participant, or the SDK
	// gave up. For a page run as an agent job, whose job ends with the
	// room and whose dispatcher places it again when needed: a rejoin
	// would create the closed room anew.
	NoRejoin bool

	// Logger receives the session's and the LiveKit SDK's logs; default
	// discard.
	Logger *slog.Logger
}

func (o *Options) withDefaults(pageW, pageH, fps int) error {
	bad := func(why string) error { return &OptionsError{Reason: why} }
	if o.URL == "" {
		return bad("no LiveKit URL")
	}
	if !strings.HasPrefix(o.URL, "ws://") && !strings.HasPrefix(o.URL, "wss://") &&
		!strings.HasPrefix(o.URL, "http://") && !strings.HasPrefix(o.URL, "https://") {
		return bad("LiveKit URL must start with ws://, wss://, http:// or https://")
	}
	if o.Token == "" && (o.APIKey == "" || o.APISecret == "") {
		return bad("need a token, or an API key and secret")
	}
	if o.Room == "" {
		o.Room = DefaultRoom
	}
	if o.Identity == "" {
		o.Identity = DefaultIdentity
	}
	if o.Identity == AgentIdentity {
		return bad("identity " + AgentIdentity + " is reserved for the agent's focus")
	}
	switch {
	case o.VideoBitrate == 0:
		o.VideoBitrate = lkbrowser.DefaultVideoBitrate(pageW, pageH)
	case o.VideoBitrate < lkbrowser.MinVideoBitrate || o.VideoBitrate > lkbrowser.MaxVideoBitrate:
		return bad("video bitrate must be 100..50000 kbit/s")
	}
	switch {
	case o.AudioDelay > MaxAudioDelay:
		return bad("audio delay must be at most " + MaxAudioDelay.String())
	case o.AudioDelay < 0:
		o.AudioDelay = 0
	case o.AudioDelay == 0:
		o.AudioDelay = time.Duration(DefaultAudioDelay * float64(time.Second) / float64(max(fps, 1)))
	}
	if len(o.AllowedSchemes) == 0 {
		o.AllowedSchemes = []string{"http", "https"}
	}
	// Schemes are case-insensitive (RFC 3986 §3.1); the page's URL policy
	// compares lower case, so "HTTPS" is kept as "https".
	schemes := make([]string, 0, len(o.AllowedSchemes))
	for _, s := range o.AllowedSchemes {
		s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ":"))
		if s != "" && !slices.Contains(forbiddenSchemes, s) && !slices.Contains(schemes, s) {
			schemes = append(schemes, s)
		}
	}
	o.AllowedSchemes = schemes
	if len(o.AllowedSchemes) == 0 {
		return bad("no allowed navigation scheme left (file, chrome, javascript and data are never allowed)")
	}
	if o.InputRate < 0 || o.InputBurst < 0 {
		return bad("input rate and burst must not be negative")
	}
	if o.InputRate == 0 {
		o.InputRate = DefaultInputRate
	}
	if o.InputBurst == 0 {
		o.InputBurst = DefaultInputBurst
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Timing of the session.
const (
	// stallWarning is the gap between two frames sent beyond which the
	// session logs a stall.
	stallWarning = time.Second
	// keyframeGap is the shortest time between two keyframes asked for by
	// PLI/FIR: one keyframe serves every subscriber that asked meanwhile.
	keyframeGap = 100 * time.Millisecond
	// opTimeout bounds one page operation (input, navigation) from the room.
	opTimeout = 10 * time.Second
	// reconnectMax is the longest wait between two attempts to rejoin.
	reconnectMax = 10 * time.Second
)

package dispatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/lkbrowser/lkbrowser/internal/limits"
)

// reservedIdentity is lksession.AgentIdentity, the local agent's focus
// (not imported: this package stays free of the browser's dependencies).
const reservedIdentity = "__agent__"

// DefaultAgentName is the agent name lkbrowser workers register under.
const DefaultAgentName = "lkbrowser"

// DefaultIdentity is the page participant's identity when Page.Identity is
// empty; the same as `lkbrowser publish`, so viewers work unchanged.
const DefaultIdentity = "lkbrowser"

// Participant attributes the worker sets on a page's participant.
const (
	// AttrDispatchID holds the id of the dispatch the page runs for.
	AttrDispatchID = "lkbrowser.dispatch_id"
	// AttrHeartbeat is a counter the worker bumps every HeartbeatInterval.
	AttrHeartbeat = "lkbrowser.heartbeat"
	// AttrWorker names the worker (its registration id) running the page.
	AttrWorker = "lkbrowser.worker"
)

// Limits of a Page: lkbrowser's own (internal/limits).
const (
	MinSize, MaxSize           = limits.MinPageSize, limits.MaxPageSize
	MinFrameRate, MaxFrameRate = limits.MinFrameRate, limits.MaxFrameRate
)

// ErrInvalidPage marks a Page that Start or ParsePage refuses.
var ErrInvalidPage = errors.New("dispatch: invalid page")

// Page is the page a worker opens for a dispatch: it travels as the job's
// metadata, in JSON.
type Page struct {
	// URL to load (http or https).
	URL string `json:"url"`
	// Width and Height in pixels (default 1280x720) and the largest
	// FrameRate (default 30).
	Width     int `json:"width,omitempty"`
	Height    int `json:"height,omitempty"`
	FrameRate int `json:"fps,omitempty"`
	// Identity and Name of the page's participant; default identity
	// DefaultIdentity.
	Identity string `json:"identity,omitempty"`
	Name     string `json:"name,omitempty"`
	// VideoBitrate in kbit/s, 0 for lksession's default.
	VideoBitrate int `json:"video_bitrate,omitempty"`
	// NoAudio publishes the picture only; ViewOnly ignores remote control.
	NoAudio  bool `json:"no_audio,omitempty"`
	ViewOnly bool `json:"view_only,omitempty"`
}

// WithDefaults returns p with the defaults of its empty fields filled in.
func (p Page) WithDefaults() Page {
	if p.Width == 0 {
		p.Width = 1280
	}
	if p.Height == 0 {
		p.Height = 720
	}
	if p.FrameRate == 0 {
		p.FrameRate = 30
	}
	if p.Identity == "" {
		p.Identity = DefaultIdentity
	}
	return p
}

// Validate checks p (after WithDefaults) and returns an error matching
// ErrInvalidPage that says what is wrong.
func (p Page) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidPage, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("URL %q: want an http or https URL", p.URL)
	}
	if p.Width < MinSize || p.Width > MaxSize || p.Height < MinSize || p.Height > MaxSize {
		return bad("size %dx%d: each side must be %d..%d", p.Width, p.Height, MinSize, MaxSize)
	}
	if p.FrameRate < MinFrameRate || p.FrameRate > MaxFrameRate {
		return bad("frame rate %d: must be %d..%d", p.FrameRate, MinFrameRate, MaxFrameRate)
	}
	if p.VideoBitrate != 0 && (p.VideoBitrate < limits.MinVideoBitrate || p.VideoBitrate > limits.MaxVideoBitrate) {
		return bad("video bitrate %d: must be %d..%d kbit/s", p.VideoBitrate, limits.MinVideoBitrate, limits.MaxVideoBitrate)
	}
	if p.Identity == "" || p.Identity == reservedIdentity {
		return bad("identity %q: must be non-empty and not %s", p.Identity, reservedIdentity)
	}
	return nil
}

// Metadata returns p, with defaults, as job metadata.
func (p Page) Metadata() (string, error) {
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("dispatch: encode page: %w", err)
	}
	return string(b), nil
}

// ParsePage decodes job metadata into a Page with defaults and checks it.
// Unknown fields are ignored.
func ParsePage(metadata string) (Page, error) {
	var p Page
	if err := json.Unmarshal([]byte(metadata), &p); err != nil {
		return p, fmt.Errorf("%w: metadata is not a JSON page: %v", ErrInvalidPage, err)
	}
	p = p.WithDefaults()
	return p, p.Validate()
}

package viewer

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// DefaultPublisher is the publisher identity the viewer talks to when
// Config.Publisher is empty.
const DefaultPublisher = "lkbrowser"

// Config configures the viewer.
type Config struct {
	// LiveKitURL is the ws://, wss://, http:// or https:// URL through which
	// the viewer's BROWSER reaches the LiveKit server. Its origin is the only
	// one besides the viewer's own that the page may connect to.
	LiveKitURL string
	// Publisher is the identity of the participant that publishes the page
	// (DefaultPublisher if empty).
	Publisher string
	// Room is the room's name, passed to the page for display.
	Room string
	// Token mints a join token for a viewer identity: may subscribe and
	// publish data, may not publish tracks.
	Token func(identity string) (string, error)
	// Logger receives the handler's messages (none if nil).
	Logger *slog.Logger
}

// Paths of the embedded assets.
const (
	vendorFile = "vendor/livekit-client.umd.js"
	// MissingAssetsMessage is the body of the 503 response to
	// /vendor/livekit-client.umd.js when setup has not copied it.
	MissingAssetsMessage = "viewer assets missing: run bash scripts/setup.sh"
)

//go:embed web/index.html web/app.js web/style.css web/vendor
var embedded embed.FS

// webFS is the embedded web/ directory.
var webFS = func() fs.FS {
	sub, err := fs.Sub(embedded, "web")
	if err != nil {
		panic(err)
	}
	return sub
}()

// AssetsPresent reports whether livekit-client's browser bundle was
// embedded, i.e. whether scripts/setup.sh had run before this binary was
// built. Without it the page loads but cannot join the room.
func AssetsPresent() bool {
	return vendorPresent(webFS)
}

func vendorPresent(assets fs.FS) bool {
	st, err := fs.Stat(assets, vendorFile)
	return err == nil && st.Mode().IsRegular() && st.Size() > 0
}

// asset is a file served as is.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// routes maps URL paths to asset files and their content types.
var routes = map[string]struct{ file, contentType string }{
	"/":                             {"index.html", "text/html; charset=utf-8"},
	"/app.js":                       {"app.js", "text/javascript; charset=utf-8"},
	"/style.css":                    {"style.css", "text/css; charset=utf-8"},
	"/vendor/livekit-client.umd.js": {vendorFile, "text/javascript; charset=utf-8"},
}

// handler serves the viewer.
type handler struct {
	cfg       Config
	log       *slog.Logger
	csp       string
	configErr error             // a Config that cannot work: every request fails
	assets    map[string]*asset // by URL path; nil entry = missing file
}

// Handler returns the viewer's HTTP handler: "/" (the page), "/app.js",
// "/style.css", "/vendor/livekit-client.umd.js" and "/api/join" (GET: JSON
// {url, token, identity, publisher, room} for a fresh identity). See the
// package documentation for its security rules. A Config without a usable
// LiveKitURL or Token yields a handler that answers every request with 500
// and says why.
func Handler(cfg Config) http.Handler {
	return newHandler(cfg, webFS)
}

func newHandler(cfg Config, assets fs.FS) *handler {
	h := &handler{cfg: cfg, log: cfg.Logger, assets: make(map[string]*asset)}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.cfg.Publisher == "" {
		h.cfg.Publisher = DefaultPublisher
	}
	origins, err := liveKitOrigins(cfg.LiveKitURL)
	if err == nil && cfg.Token == nil {
		err = errors.New("no Token function")
	}
	if err != nil {
		h.configErr = fmt.Errorf("viewer misconfigured: %w", err)
		h.log.Error("viewer misconfigured", "err", err)
	}
	h.csp = strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"media-src 'self' blob: mediastream:",
		"connect-src 'self' " + strings.Join(origins, " "),
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
	for path, r := range routes {
		body, err := fs.ReadFile(assets, r.file)
		if err != nil || len(body) == 0 {
			h.assets[path] = nil
			continue
		}
		sum := sha256.Sum256(body)
		h.assets[path] = &asset{body: body, contentType: r.contentType,
			etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	}
	return h
}

// liveKitOrigins returns the CSP sources that let the page reach the
// LiveKit server at raw: its origin as ws(s) (signalling) and as http(s)
// (livekit-client's connection checks).
func liveKitOrigins(raw string) ([]string, error) {
	if raw == "" {
		return nil, errors.New("no LiveKitURL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("LiveKitURL: %w", err)
	}
	var ws, web string
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		ws, web = "ws", "http"
	case "wss", "https":
		ws, web = "wss", "https"
	default:
		return nil, fmt.Errorf("LiveKitURL %q: scheme must be ws, wss, http or https", raw)
	}
	if u.Host == "" || u.User != nil || strings.ContainsAny(u.Host, " ;,'\"") {
		return nil, fmt.Errorf("LiveKitURL %q: no usable host", raw)
	}
	if strings.HasPrefix(u.Host, "[") {
		// CSP host sources cannot name an IPv6 literal: allow the schemes.
		return []string{ws + ":", web + ":"}, nil
	}
	host := strings.ToLower(u.Host)
	return []string{ws + "://" + host, web + "://" + host}, nil
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
	hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), display-capture=()")

	if !hostAllowed(r) {
		h.log.Debug("viewer: refused Host", "host", r.Host, "remote", r.RemoteAddr)
		http.Error(w, "forbidden: Host must be localhost, 127.0.0.1 or [::1] for a viewer served on a loopback address", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.configErr != nil {
		http.Error(w, h.configErr.Error(), http.StatusInternalServerError)
		return
	}
	if r.URL.Path == "/api/join" {
		h.join(w, r)
		return
	}
	a, ok := h.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if a == nil {
		hdr.Set("Cache-Control", "no-store")
		http.Error(w, MissingAssetsMessage, http.StatusServiceUnavailable)
		return
	}
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// joinResponse is the body of GET /api/join.
type joinResponse struct {
	URL       string `json:"url"`
	Token     string `json:"token"`
	Identity  string `json:"identity"`
	Publisher string `json:"publisher"`
	Room      string `json:"room"`
}

// join mints a token for a fresh viewer identity.
func (h *handler) join(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	identity, err := newIdentity()
	if err == nil {
		var token string
		token, err = h.cfg.Token(identity)
		if err == nil && token == "" {
			err = errors.New("empty token")
		}
		if err == nil {
			h.log.Info("viewer joining", "identity", identity, "room", h.cfg.Room, "remote", r.RemoteAddr)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(joinResponse{
				URL: h.cfg.LiveKitURL, Token: token, Identity: identity,
				Publisher: h.cfg.Publisher, Room: h.cfg.Room,
			})
			return
		}
	}
	h.log.Warn("viewer: cannot mint a join token", "identity", identity, "err", err)
	http.Error(w, "cannot mint a join token", http.StatusInternalServerError)
}

// newIdentity returns "viewer-" and 8 random hex digits.
func newIdentity() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "viewer-" + hex.EncodeToString(b[:]), nil
}

// hostAllowed is the DNS-rebinding guard: a request that arrived on a
// loopback address must name a loopback host.
func hostAllowed(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || !loopbackAddr(local) {
		return true
	}
	return loopbackHost(r.Host)
}

// loopbackAddr reports whether a is a loopback IP address.
func loopbackAddr(a net.Addr) bool {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.IsLoopback()
	}
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().IsLoopback()
}

// loopbackHost reports whether the Host header host (with or without a
// port) names the loopback interface.
func loopbackHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	} else if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
		name = name[1 : len(name)-1]
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(name)
	return err == nil && ip.Unmap().IsLoopback() && ip.Zone() == ""
}

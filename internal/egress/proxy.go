package egress

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Refusal describes one refused request.
type Refusal struct {
	// URL is the request's URL for plain requests (http://, ws:// sent
	// as a request); for tunnels (https://, wss://, whose requests are
	// encrypted) only the destination host:port is visible, and URL is
	// that.
	URL string
	// Host is the destination as asked, host:port.
	Host string
	// Addr is the refused address with its port; "" when the name was
	// refused before it was resolved.
	Addr string
	// Rule names what refused it.
	Rule string
}

// Config configures a Proxy.
type Config struct {
	// Rules is the policy; SetRules replaces it. nil allows everything.
	Rules *Rules
	// Resolver resolves names. Default net.DefaultResolver.
	Resolver Resolver
	// OnRefuse is called, on the request's goroutine, for every refused
	// request; it must not block.
	OnRefuse func(Refusal)
	// Logger receives debug logs. Default: discard.
	Logger *slog.Logger
	// DialTimeout bounds each resolution and each dial. Default 15 s.
	DialTimeout time.Duration
}

// Proxy is a filtering HTTP forward proxy on 127.0.0.1.
type Proxy struct {
	cfg         Config
	log         *slog.Logger
	dialTimeout time.Duration
	pol         atomic.Pointer[policy]
	refused     atomic.Uint64

	ln   net.Listener
	self netip.AddrPort
	srv  *http.Server
	tr   *http.Transport
	rp   *httputil.ReverseProxy

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // Serve, handlers, tunnels

	mu      sync.Mutex
	tunnels map[net.Conn]struct{}
	closed  bool

	closeOnce sync.Once
	closeErr  error
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func Start(cfg Config) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{cfg: cfg, log: cfg.Logger, dialTimeout: cfg.DialTimeout, ln: ln, tunnels: map[net.Conn]struct{}{}}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.dialTimeout <= 0 {
		p.dialTimeout = 15 * time.Second
	}
	p.self = ln.Addr().(*net.TCPAddr).AddrPort()
	p.SetRules(cfg.Rules, cfg.Resolver)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.tr = &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return p.connect(ctx, addr)
		},
		DisableCompression:    true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 0,
	}
	quiet := log.New(io.Discard, "", 0)
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.Header.Del("Proxy-Authorization")
		},
		Transport:     p.tr,
		FlushInterval: -1,
		ErrorLog:      quiet,
		ErrorHandler:  p.forwardError,
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, ErrorLog: quiet}
	p.wg.Go(func() { _ = p.srv.Serve(ln) })
	return p, nil
}

// Addr returns the proxy's address, 127.0.0.1:port.
func (p *Proxy) Addr() string { return p.self.String() }

// policy is what the proxy decides with.
type policy struct {
	rules *Rules
	res   Resolver
}

// SetRules replaces the rules and the resolver (nil: net.DefaultResolver)
// for the requests that follow; pooled connections made under the old
// rules are dropped.
func (p *Proxy) SetRules(r *Rules, res Resolver) {
	if r == nil {
		r = &Rules{}
	}
	if res == nil {
		res = net.DefaultResolver
	}
	p.pol.Store(&policy{r, res})
	if p.tr != nil {
		p.tr.CloseIdleConnections()
	}
}

// Refused returns how many requests the proxy refused.
func (p *Proxy) Refused() uint64 { return p.refused.Load() }

// serve handles one request from the browser.
func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if !p.enter() {
		netError(w)
		return
	}
	defer p.wg.Done()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(p.ctx, cancel)()
	r = r.WithContext(ctx)
	switch {
	case r.Method == http.MethodConnect:
		p.tunnel(w, r)
	case r.URL.IsAbs() && r.URL.Host != "" && (r.URL.Scheme == "http" || r.URL.Scheme == "ws"):
		if r.URL.Scheme == "ws" {
			r.URL.Scheme = "http"
		}
		p.rp.ServeHTTP(w, r)
	default:
		// Not a proxy request: someone connected to the proxy directly.
		p.refuse(Refusal{URL: r.URL.String(), Host: r.Host, Rule: "not a proxy request"})
		netError(w)
	}
}

// forwardError answers a plain request that could not be forwarded.
func (p *Proxy) forwardError(w http.ResponseWriter, r *http.Request, err error) {
	var re *RefusedError
	if errors.As(err, &re) {
		p.refuse(Refusal{URL: r.URL.String(), Host: re.Host, Addr: re.Addr, Rule: re.Rule})
	} else {
		p.log.Debug("egress: forward failed", "url", r.URL.String(), "err", err)
	}
	netError(w)
}

// refuse counts and reports a refusal.
func (p *Proxy) refuse(ref Refusal) {
	p.refused.Add(1)
	p.log.Debug("egress: refused", "url", ref.URL, "addr", ref.Addr, "rule", ref.Rule)
	if p.cfg.OnRefuse != nil {
		p.cfg.OnRefuse(ref)
	}
}

// netErrorResponse is what a refused or failed plain request gets. A
// proxy's own status (403, 502) would reach the page as the site's
// response; two different Content-Length headers make Chromium fail the
// request at once (net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH), as
// a network error, and never retry it, whether or not the connection was
// fresh. (Closing the connection without an answer would be retried on a
// new connection when the old one had been used before, counting twice.)
const netErrorResponse = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nContent-Length: 1\r\nConnection: close\r\n\r\n"

// netError writes netErrorResponse on w's connection and closes it.
func netError(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "egress refused", http.StatusBadGateway)
		return
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, netErrorResponse)
	_ = c.Close()
}

// tunnel serves CONNECT: it connects to the destination and then copies
// bytes both ways until either side closes.
func (p *Proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	up, err := p.connect(r.Context(), target)
	hj, ok := w.(http.Hijacker)
	if !ok {
		if up != nil {
			up.Close()
		}
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	down, buf, herr := hj.Hijack()
	if herr != nil {
		if up != nil {
			up.Close()
		}
		return
	}
	_ = down.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err != nil {
		var re *RefusedError
		status := "502 Bad Gateway"
		if errors.As(err, &re) {
			p.refuse(Refusal{URL: target, Host: re.Host, Addr: re.Addr, Rule: re.Rule})
			status = "403 Forbidden"
		} else {
			p.log.Debug("egress: tunnel failed", "host", target, "err", err)
		}
		_, _ = io.WriteString(down, "HTTP/1.1 "+status+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		_ = down.Close()
		return
	}
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		down.Close()
		up.Close()
		return
	}
	_ = down.SetWriteDeadline(time.Time{})
	if !p.track(down, up) {
		down.Close()
		up.Close()
		return
	}
	defer p.untrack(down, up)
	splice(down, buf.Reader, up)
}

// splice copies between the browser's connection (read through br, which
// may hold bytes already read) and the destination, until either side
// ends; then it closes both.
func splice(down net.Conn, br *bufio.Reader, up net.Conn) {
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(up, br)
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(down, up)
		done <- struct{}{}
	}()
	<-done
	down.Close()
	up.Close()
	<-done
}

// enter counts a handler in p.wg, unless the proxy is closed.
func (p *Proxy) enter() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	return true
}

// track registers a tunnel's connections so that Close can end them; it
// fails when the proxy is closed.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.tunnels, c)
	}
}

// Close stops the proxy: the listener, every connection and tunnel, and
// waits for its goroutines. It is idempotent.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		for c := range p.tunnels {
			c.Close()
		}
		p.mu.Unlock()
		p.cancel()
		err := p.srv.Close()
		p.tr.CloseIdleConnections()
		p.wg.Wait()
		p.tr.CloseIdleConnections()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		p.closeErr = err
	})
	return p.closeErr
}

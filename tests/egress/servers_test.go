package egress

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// target is a server on one address that records every connection and
// datagram it gets: HTTP and WebSocket on port 80, anything on 443 (https,
// wss) and on 3478 (TURN over TCP), STUN and TURN datagrams on UDP 3478.
type target struct {
	addr string // the IP address

	mu   sync.Mutex
	seen []string // what reached it

	lns  []net.Listener
	udp  net.PacketConn
	srv  *http.Server
	wg   sync.WaitGroup
	once sync.Once
}

// pixel is a 1x1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// reachedHandler answers every request as a reached server would: an
// image, a script, a WebSocket, or a page that tells its parent frame.
func reachedHandler(record func(string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if record != nil {
			record(r.Method + " " + r.Host + r.URL.RequestURI())
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		switch {
		case websocket.IsWebSocketUpgrade(r):
			if c, err := upgrader.Upgrade(w, r, nil); err == nil {
				c.Close()
			}
		case strings.HasSuffix(r.URL.Path, ".gif"):
			w.Header().Set("Content-Type", "image/gif")
			w.Write(pixel)
		case strings.HasSuffix(r.URL.Path, ".css"):
			w.Header().Set("Content-Type", "text/css")
			w.Write([]byte("/* reached */\n"))
		case strings.HasSuffix(r.URL.Path, ".js"):
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte("/* reached */\n"))
		default:
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<!doctype html><title>reached</title><script>parent.postMessage("reached", "*")</script>reached`))
		}
	})
}

// startTarget starts the servers of one address.
func startTarget(addr string) (*target, error) {
	t := &target{addr: addr}
	fail := func(err error) (*target, error) { t.close(); return nil, err }
	for _, port := range []string{"80", "443", "3478"} {
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, port))
		if err != nil {
			return fail(err)
		}
		rl := &recordingListener{Listener: ln, record: t.record, name: "tcp " + port}
		t.lns = append(t.lns, rl)
		if port == "80" {
			t.srv = &http.Server{Handler: reachedHandler(t.record), ReadHeaderTimeout: 5 * time.Second}
			t.wg.Go(func() { _ = t.srv.Serve(rl) })
			continue
		}
		t.wg.Go(func() {
			for {
				c, err := rl.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		})
	}
	udp, err := net.ListenPacket("udp", net.JoinHostPort(addr, "3478"))
	if err != nil {
		return fail(err)
	}
	t.udp = udp
	t.wg.Go(func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := udp.ReadFrom(buf)
			if err != nil {
				return
			}
			t.record(fmt.Sprintf("udp 3478: %d bytes from %v", n, from))
		}
	})
	return t, nil
}

func (t *target) record(s string) {
	t.mu.Lock()
	t.seen = append(t.seen, s)
	t.mu.Unlock()
}

// take returns what reached the target since the last take, and forgets it.
func (t *target) take() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.seen
	t.seen = nil
	return s
}

func (t *target) close() {
	t.once.Do(func() {
		if t.srv != nil {
			t.srv.Close()
		}
		for _, ln := range t.lns {
			ln.Close()
		}
		if t.udp != nil {
			t.udp.Close()
		}
		t.wg.Wait()
	})
}

// recordingListener records every accepted connection.
type recordingListener struct {
	net.Listener
	record func(string)
	name   string
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.record(l.name + ": connection from " + c.RemoteAddr().String())
	}
	return c, err
}

// pageServer serves the allowed test pages on 127.0.0.1: the probe page,
// its service worker, a redirector, and allowed versions of what the
// targets serve.
type pageServer struct {
	hostPort string // 127.0.0.1:port
	srv      *http.Server
	done     chan struct{}
	mu       sync.Mutex
	seen     []string
}

func startPageServer() (*pageServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &pageServer{hostPort: ln.Addr().String(), done: make(chan struct{})}
	mux := http.NewServeMux()
	files := http.FileServer(http.Dir("testdata"))
	mux.Handle("/probe.html", files)
	mux.Handle("/sw.js", files)
	mux.Handle("/anim.html", files)
	mux.HandleFunc("/bench50.html", bench50)
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	mux.Handle("/", reachedHandler(nil))
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Method+" "+r.URL.RequestURI())
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	if err := waitHTTP("http://"+s.hostPort+"/probe.html", 5*time.Second); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// url returns the address of path on the page server.
func (s *pageServer) url(path string) string { return "http://" + s.hostPort + path }

// served reports whether the page server got a request for uri.
func (s *pageServer) served(uri string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.seen {
		if strings.HasSuffix(r, " "+uri) {
			return true
		}
	}
	return false
}

func (s *pageServer) close() {
	if err := s.srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		_ = err
	}
	<-s.done
}

// bench50 serves a page with 50 subresources from its own host: 30
// images, 10 scripts, 10 style sheets, each with the page's query so that
// nothing comes from the cache.
func bench50(w http.ResponseWriter, r *http.Request) {
	q := r.URL.RawQuery
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>bench50</title>")
	for i := range 10 {
		fmt.Fprintf(&b, `<link rel="stylesheet" href="/b/%d.css?%s">`, i, q)
		fmt.Fprintf(&b, `<script src="/b/%d.js?%s"></script>`, i, q)
	}
	b.WriteString("</head><body>")
	for i := range 30 {
		fmt.Fprintf(&b, `<img src="/b/%d.gif?%s" width="8" height="8">`, i, q)
	}
	b.WriteString("</body></html>")
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(b.String()))
}

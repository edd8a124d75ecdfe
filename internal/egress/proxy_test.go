package egress

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

// The proxy on loopback, against a loopback server: refused requests
// never reach the server, fail as network errors for Go's client too, and
// are reported once each; allowed ones pass; Close ends everything.
func TestProxy(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	block, _ := Compile(nil, nil, true, false)
	var refusals []Refusal
	p, err := Start(Config{Rules: block, OnRefuse: func(r Refusal) { refusals = append(refusals, r) }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pu, _ := url.Parse("http://" + p.Addr())
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
	defer client.CloseIdleConnections()

	// Plain GET, refused: a transport error, not a response.
	if resp, err := client.Get(srv.URL + "/x"); err == nil {
		resp.Body.Close()
		t.Fatalf("GET through the proxy to loopback: %s, want an error", resp.Status)
	}
	// CONNECT, refused: 403.
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("CONNECT to loopback: %v, %v; want 403", resp, err)
	}
	c.Close()
	// A request for the proxy itself.
	if resp, err := client.Get("http://" + p.Addr() + "/"); err == nil {
		resp.Body.Close()
		t.Error("GET of the proxy through itself was answered")
	}
	if hits.Load() != 0 {
		t.Errorf("the server was reached %d times", hits.Load())
	}
	if p.Refused() != 3 || len(refusals) != 3 {
		t.Fatalf("Refused() = %d, %d reports; want 3: %+v", p.Refused(), len(refusals), refusals)
	}
	if r := refusals[0]; r.URL != srv.URL+"/x" || r.Addr != host || !strings.HasPrefix(r.Rule, "block-private: loopback") {
		t.Errorf("refusal %+v", r)
	}
	if r := refusals[1]; r.URL != host || r.Addr != host {
		t.Errorf("CONNECT refusal %+v", r)
	}
	if r := refusals[2]; r.Rule != "the egress proxy itself" && !strings.HasPrefix(r.Rule, "block-private") {
		t.Errorf("self refusal %+v", r)
	}

	// Allowed by an entry for the server's address and port.
	allow, _ := Compile([]string{host}, nil, true, false)
	p.SetRules(allow, nil)
	resp, err = client.Get(srv.URL + "/y")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" || hits.Load() != 1 {
		t.Errorf("allowed GET: %q, %d hits", b, hits.Load())
	}
	// An open tunnel ends at Close.
	c, err = net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	br := bufio.NewReader(c)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("allowed CONNECT: %v, %v", resp, err)
	}
	client.CloseIdleConnections()
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := br.ReadByte(); err == nil {
		t.Error("the tunnel is still open after Close")
	}
}

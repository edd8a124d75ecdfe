package security

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
)

// The DevTools endpoint is off by default; when on, it answers on
// 127.0.0.1 only: the namespace's other address (netns.Addr, where any
// listener on all addresses is reachable) refuses connections to its port.
func TestDevToolsOnlyOnLoopback(t *testing.T) {
	off := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
	if u := off.DevToolsURL(); u != "" {
		t.Errorf("DevToolsURL() = %q by default, want none", u)
	}
	off.Close()

	// The check can fail: a listener on all addresses is reachable at
	// netns.Addr.
	any, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer any.Close()
	go func() {
		for {
			c, err := any.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, anyPort, _ := net.SplitHostPort(any.Addr().String())
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(netns.Addr, anyPort), 5*time.Second); err != nil {
		t.Fatalf("a listener on 0.0.0.0 is not reachable at %s: %v; the check below would prove nothing", netns.Addr, err)
	} else {
		c.Close()
	}

	p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#00ff00"), Width: 320, Height: 240, DevTools: true})
	mustColour(t, p, 10, 10, rgb{0, 0xff, 0})
	u, err := neturl.Parse(p.DevToolsURL())
	if err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		t.Fatalf("DevToolsURL() = %q (%v), want http://127.0.0.1:PORT", p.DevToolsURL(), err)
	}
	port := u.Port()

	for _, host := range []string{netns.Addr, "::1"} {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 5*time.Second)
		if err == nil {
			c.Close()
			t.Errorf("the DevTools port %s is reachable at %s", port, host)
		} else {
			t.Logf("dial %s: %v", net.JoinHostPort(host, port), err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/json/version", nil)
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /json/version on 127.0.0.1: %v", err)
	}
	defer resp.Body.Close()
	var v struct {
		Browser string `json:"Browser"`
		WS      string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/json/version: %s, %v", resp.Status, err)
	}
	if !strings.HasPrefix(v.WS, "ws://127.0.0.1:"+port+"/") || v.Browser == "" {
		t.Errorf("/json/version: %+v", v)
	}
	t.Logf("/json/version on 127.0.0.1:%s: %s", port, v.Browser)
}

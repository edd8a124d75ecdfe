package viewer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// tokens is a Config.Token that records the identities it minted for.
type tokens struct {
	mu   sync.Mutex
	ids  []string
	fail bool
}

func (tk *tokens) mint(identity string) (string, error) {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	if tk.fail {
		return "", errors.New("no key")
	}
	tk.ids = append(tk.ids, identity)
	return "token-for-" + identity, nil
}

func testConfig(tk *tokens) Config {
	return Config{LiveKitURL: "ws://127.0.0.1:7880", Publisher: "pub", Room: "room1", Token: tk.mint}
}

func get(t *testing.T, client *http.Client, method, rawURL, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{
		"default-src 'none'", "script-src 'self'", "style-src 'self'",
		"connect-src 'self' ws://127.0.0.1:7880 http://127.0.0.1:7880",
		"media-src 'self' blob: mediastream:", "frame-ancestors 'none'",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("%s: CSP %q allows something unsafe", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q", what, got)
	}
}

func TestAssetsPresent(t *testing.T) {
	if !AssetsPresent() {
		t.Fatalf("web/%s was not embedded: run bash scripts/setup.sh before building", vendorFile)
	}
}

func TestStaticRoutes(t *testing.T) {
	srv := httptest.NewServer(Handler(testConfig(&tokens{})))
	defer srv.Close()
	for _, c := range []struct{ path, ctype, contains string }{
		{"/", "text/html; charset=utf-8", `<video id="video"`},
		{"/app.js", "text/javascript; charset=utf-8", "browser-input"},
		{"/style.css", "text/css; charset=utf-8", "object-fit: contain"},
		{"/vendor/livekit-client.umd.js", "text/javascript; charset=utf-8", "LivekitClient"},
	} {
		resp, body := get(t, srv.Client(), "GET", srv.URL+c.path, "")
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %s %s", c.path, resp.Status, body)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if !strings.Contains(body, c.contains) {
			t.Errorf("GET %s: body lacks %q", c.path, c.contains)
		}
		checkSecurityHeaders(t, c.path, resp.Header)

		// Conditional requests and HEAD work.
		etag := resp.Header.Get("ETag")
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		req.Header.Set("If-None-Match", etag)
		r2, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if etag == "" || r2.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q: %s", c.path, etag, r2.Status)
		}
		r3, body3 := get(t, srv.Client(), "HEAD", srv.URL+c.path, "")
		if r3.StatusCode != 200 || body3 != "" {
			t.Errorf("HEAD %s: %s, %d bytes", c.path, r3.Status, len(body3))
		}
	}
	for _, p := range []string{"/index.html", "/web/app.js", "/vendor/README.md", "/vendor/", "/api/joins", "/../viewer.go"} {
		resp, _ := get(t, srv.Client(), "GET", srv.URL+p, "")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", p, resp.Status)
		}
		checkSecurityHeaders(t, p, resp.Header)
	}
}

// The page carries every hook that automated tests rely on.
func TestDOMContract(t *testing.T) {
	b, err := os.ReadFile("web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, id := range []string{"video", "stage", "focus", "url", "back", "forward", "status", "sound"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("index.html has no #%s", id)
		}
	}
	if !regexp.MustCompile(`<main id="stage" tabindex="0"`).MatchString(html) {
		t.Error("#stage is not focusable (tabindex=0)")
	}
	for _, attr := range []string{`data-state="connecting"`, `data-focus="none"`, `data-holder=""`, `data-video="none"`} {
		if !strings.Contains(html, attr) {
			t.Errorf("<body> lacks initial %s", attr)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, " style=") || regexp.MustCompile(`\son[a-z]+=`).MatchString(html) {
		t.Error("index.html has inline script, style or handler attributes, which the CSP forbids")
	}
}

func TestJoin(t *testing.T) {
	tk := &tokens{}
	srv := httptest.NewServer(Handler(testConfig(tk)))
	defer srv.Close()
	re := regexp.MustCompile(`^viewer-[0-9a-f]{8}$`)
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		resp, body := get(t, srv.Client(), "GET", srv.URL+"/api/join", "")
		if resp.StatusCode != 200 {
			t.Fatalf("join: %s %s", resp.Status, body)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("join: Cache-Control %q", got)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("join: Content-Type %q", got)
		}
		checkSecurityHeaders(t, "/api/join", resp.Header)
		var j joinResponse
		if err := json.Unmarshal([]byte(body), &j); err != nil {
			t.Fatalf("join: %v: %s", err, body)
		}
		if !re.MatchString(j.Identity) {
			t.Errorf("identity %q", j.Identity)
		}
		if seen[j.Identity] {
			t.Errorf("identity %q given twice", j.Identity)
		}
		seen[j.Identity] = true
		want := joinResponse{URL: "ws://127.0.0.1:7880", Token: "token-for-" + j.Identity, Identity: j.Identity, Publisher: "pub", Room: "room1"}
		if j != want {
			t.Errorf("join: %+v, want %+v", j, want)
		}
	}
	tk.mu.Lock()
	n := len(tk.ids)
	tk.mu.Unlock()
	if n != 5 {
		t.Errorf("Token called %d times, want 5", n)
	}

	tk.mu.Lock()
	tk.fail = true
	tk.mu.Unlock()
	resp, body := get(t, srv.Client(), "GET", srv.URL+"/api/join", "")
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "no key") {
		t.Errorf("join with failing Token: %s %q", resp.Status, body)
	}
}

func TestDefaultPublisher(t *testing.T) {
	cfg := testConfig(&tokens{})
	cfg.Publisher = ""
	srv := httptest.NewServer(Handler(cfg))
	defer srv.Close()
	_, body := get(t, srv.Client(), "GET", srv.URL+"/api/join", "")
	var j joinResponse
	if err := json.Unmarshal([]byte(body), &j); err != nil || j.Publisher != DefaultPublisher {
		t.Errorf("join: %v %+v", err, j)
	}
}

func TestMethods(t *testing.T) {
	tk := &tokens{}
	srv := httptest.NewServer(Handler(testConfig(tk)))
	defer srv.Close()
	for _, c := range []struct {
		method, path, allow string
	}{
		{"POST", "/", "GET, HEAD"},
		{"PUT", "/app.js", "GET, HEAD"},
		{"DELETE", "/api/join", "GET, HEAD"},
		{"POST", "/api/join", "GET, HEAD"},
		{"OPTIONS", "/", "GET, HEAD"},
		{"HEAD", "/api/join", "GET"},
	} {
		resp, _ := get(t, srv.Client(), c.method, srv.URL+c.path, "")
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %s, want 405", c.method, c.path, resp.Status)
		}
		if got := resp.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	tk.mu.Lock()
	defer tk.mu.Unlock()
	if len(tk.ids) != 0 {
		t.Errorf("tokens minted for refused requests: %v", tk.ids)
	}
}

func TestHostGuard(t *testing.T) {
	tk := &tokens{}
	srv := httptest.NewServer(Handler(testConfig(tk))) // listens on 127.0.0.1
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	for host, ok := range map[string]bool{
		"127.0.0.1:" + port:              true,
		"localhost:" + port:              true,
		"LOCALHOST:" + port:              true,
		"localhost.:" + port:             true,
		"viewer.localhost:" + port:       true,
		"[::1]:" + port:                  true,
		"127.0.0.2:" + port:              true,
		"localhost":                      true,
		"127.0.0.1":                      true,
		"[::1]":                          true,
		"evil.example:" + port:           false,
		"evil.example":                   false,
		"127.0.0.1.evil.example":         false,
		"localhost.evil.example:" + port: false,
		"192.168.1.10:" + port:           false,
		"[::ffff:10.0.0.1]:" + port:      false,
		"[fe80::1%25lo]:" + port:         false,
	} {
		for _, p := range []string{"/", "/api/join"} {
			resp, _ := get(t, srv.Client(), "GET", srv.URL+p, host)
			if got := resp.StatusCode != http.StatusForbidden; got != ok {
				t.Errorf("GET %s with Host %q: %s", p, host, resp.Status)
			}
		}
	}

	// Served on another address, the Host header is not restricted.
	h := Handler(testConfig(tk))
	for _, local := range []net.Addr{
		&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 8080},
		&net.UnixAddr{Name: "/run/viewer.sock", Net: "unix"},
	} {
		req := httptest.NewRequest("GET", "http://evil.example/", nil)
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, local))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("Host evil.example served on %v: %d", local, rec.Code)
		}
	}
	req := httptest.NewRequest("GET", "http://evil.example/", nil)
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey,
		&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8080}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("Host evil.example served on [::1]: %d", rec.Code)
	}
}

func TestMissingVendor(t *testing.T) {
	assets := fstest.MapFS{}
	for _, f := range []string{"index.html", "app.js", "style.css"} {
		b, err := os.ReadFile(filepath.Join("web", f))
		if err != nil {
			t.Fatal(err)
		}
		assets[f] = &fstest.MapFile{Data: b}
	}
	assets["vendor/README.md"] = &fstest.MapFile{Data: []byte("x")}
	if vendorPresent(assets) {
		t.Fatal("vendorPresent without the bundle")
	}
	srv := httptest.NewServer(newHandler(testConfig(&tokens{}), assets))
	defer srv.Close()
	resp, body := get(t, srv.Client(), "GET", srv.URL+"/vendor/livekit-client.umd.js", "")
	if resp.StatusCode != http.StatusServiceUnavailable || strings.TrimSpace(body) != MissingAssetsMessage {
		t.Errorf("missing vendor: %s %q", resp.Status, body)
	}
	if resp, _ := get(t, srv.Client(), "GET", srv.URL+"/", ""); resp.StatusCode != 200 {
		t.Errorf("index without vendor: %s", resp.Status)
	}
	assets["vendor/livekit-client.umd.js"] = &fstest.MapFile{Data: []byte("window.LivekitClient={}")}
	if !vendorPresent(assets) {
		t.Error("vendorPresent with the bundle")
	}
}

func TestMisconfigured(t *testing.T) {
	for _, cfg := range []Config{
		{LiveKitURL: "", Token: (&tokens{}).mint},
		{LiveKitURL: "ftp://x", Token: (&tokens{}).mint},
		{LiveKitURL: "ws://", Token: (&tokens{}).mint},
		{LiveKitURL: "ws://127.0.0.1:7880"},
	} {
		srv := httptest.NewServer(Handler(cfg))
		for _, p := range []string{"/", "/api/join"} {
			resp, body := get(t, srv.Client(), "GET", srv.URL+p, "")
			if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "viewer misconfigured") {
				t.Errorf("%+v: GET %s: %s %q", cfg, p, resp.Status, body)
			}
		}
		srv.Close()
	}
}

func TestLiveKitOrigins(t *testing.T) {
	for raw, want := range map[string]string{
		"ws://127.0.0.1:7880":           "ws://127.0.0.1:7880 http://127.0.0.1:7880",
		"wss://LK.example.com/":         "wss://lk.example.com https://lk.example.com",
		"https://lk.example.com:8443/x": "wss://lk.example.com:8443 https://lk.example.com:8443",
		"http://localhost:7880":         "ws://localhost:7880 http://localhost:7880",
		"ws://[::1]:7880":               "ws: http:",
	} {
		got, err := liveKitOrigins(raw)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("liveKitOrigins(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"", "127.0.0.1:7880", "javascript:alert(1)", "ws://a b", "ws://user@host", "ws://h;x"} {
		if got, err := liveKitOrigins(raw); err == nil {
			t.Errorf("liveKitOrigins(%q) = %q, want an error", raw, got)
		}
	}
}

func TestLoopbackHost(t *testing.T) {
	for _, h := range []string{"localhost", "localhost:1", "a.b.localhost:8080", "127.0.0.1", "127.1.2.3:80", "[::1]", "[::1]:8080", "::1"} {
		if !loopbackHost(h) {
			t.Errorf("loopbackHost(%q) = false", h)
		}
	}
	for _, h := range []string{"", "example.com", "localhost.example.com", "10.0.0.1:80", "[::2]:80", "0.0.0.0:8080", "[::]:8080", "127.0.0.1.nip.io"} {
		if loopbackHost(h) {
			t.Errorf("loopbackHost(%q) = true", h)
		}
	}
}

// app.js is a plain script that parses (node is installed by setup.sh).
func TestAppJSSyntax(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not on PATH: run bash scripts/setup.sh")
	}
	for _, f := range []string{"web/app.js", "testdata/fake-livekit-client.js"} {
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("node --check %s: %v\n%s", f, err, out)
		}
	}
}

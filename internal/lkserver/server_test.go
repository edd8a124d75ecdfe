package lkserver

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
)

// A real server gets ready, takes a client, restarts on the same URL and
// keys, takes a client again, and leaves nothing behind on Close.
func TestStartConnectRestartClose(t *testing.T) {
	s := startServer(t, nsConfig(t))
	if !strings.HasPrefix(s.URL(), "ws://127.0.0.1:") {
		t.Errorf("URL %q, want ws://127.0.0.1:<port>", s.URL())
	}
	if s.APIKey() != DefaultAPIKey || len(s.APISecret()) != 48 {
		t.Errorf("key %q, secret of %d characters; want %q and 48", s.APIKey(), len(s.APISecret()), DefaultAPIKey)
	}
	pid := s.Pid()
	if pid == 0 {
		t.Fatal("Pid() = 0 for a running server")
	}
	connect(t, s, "room-a", "alice")

	url, key, secret, dir := s.URL(), s.APIKey(), s.APISecret(), s.Dir()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Errorf("process group %d of the first server still alive after Restart", pid)
	}
	if s.Pid() == pid || s.Pid() == 0 {
		t.Errorf("pid after Restart %d, before %d", s.Pid(), pid)
	}
	if s.URL() != url || s.APIKey() != key || s.APISecret() != secret {
		t.Error("URL or keys changed by Restart")
	}
	connect(t, s, "room-b", "bob")

	pid = s.Pid()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Errorf("process group %d still alive after Close", pid)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("directory %s left after Close: %v", dir, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Restart(ctx); err != ErrClosed {
		t.Errorf("Restart after Close: %v, want ErrClosed", err)
	}
	if s.Pid() != 0 {
		t.Errorf("Pid() after Close = %d, want 0", s.Pid())
	}
}

// A restart while a client is connected does not wait for it to leave.
func TestRestartWithClientConnected(t *testing.T) {
	s := startServer(t, nsConfig(t))
	r := join(t, s, "room", "stays")
	defer r.Disconnect()
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("restart with a participant took %v", time.Since(began).Round(time.Millisecond))
	connect(t, s, "room2", "after")
}

// Configured ports, keys and directory are used as given; the config file
// is private and says what the task needs.
func TestConfiguredPortsKeysDir(t *testing.T) {
	signal, err := freeSignalPort([]string{"127.0.0.1", netns.Addr})
	if err != nil {
		t.Fatal(err)
	}
	udp, err := freeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := nsConfig(t)
	cfg.Port, cfg.RTCPort, cfg.Dir = signal, udp, dir
	cfg.APIKey, cfg.APISecret = "testkey", strings.Repeat("s", 40)
	s := startServer(t, cfg)
	if want := "ws://127.0.0.1:" + itoa(signal); s.URL() != want {
		t.Errorf("URL %q, want %q", s.URL(), want)
	}

	path := filepath.Join(dir, configFileName)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	rtc, _ := got["rtc"].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"port", got["port"], float64(signal)},
		{"bind_addresses", got["bind_addresses"], []any{"127.0.0.1", netns.Addr}},
		{"keys", got["keys"], map[string]any{"testkey": strings.Repeat("s", 40)}},
		{"logging", got["logging"], map[string]any{"level": "info"}},
		{"rtc.udp_port", rtc["udp_port"], float64(udp)},
		{"rtc.node_ip", rtc["node_ip"], netns.Addr},
		{"rtc.use_external_ip", rtc["use_external_ip"], false},
		{"rtc.enable_loopback_candidate", rtc["enable_loopback_candidate"], true},
		{"rtc.interfaces", rtc["interfaces"], map[string]any{"includes": []any{"lo", netns.Veth}}},
		{"redis", got["redis"], nil},
		{"turn", got["turn"], nil},
	}
	for _, c := range checks {
		if !jsonEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if tcp, _ := rtc["tcp_port"].(float64); tcp == 0 || tcp == float64(udp) {
		t.Errorf("rtc.tcp_port = %v", rtc["tcp_port"])
	}
	connect(t, s, "room", "carol")

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("Close removed the caller's directory: %v", err)
	}
}

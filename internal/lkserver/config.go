package lkserver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
)

// DefaultAPIKey is the API key used when Config.APIKey is empty.
const DefaultAPIKey = "lkbrowser"

// Config describes the livekit-server to run. The zero value runs one on
// 127.0.0.1 with free ports, key DefaultAPIKey and a random secret.
type Config struct {
	// Binary is the livekit-server binary, a path or a name looked up on
	// PATH. Empty: $LKBROWSER_LIVEKIT_SERVER, else livekit-server on PATH,
	// else /usr/local/bin/livekit-server.
	Binary string
	// BindAddresses are the addresses the signal/HTTP server listens on;
	// default ["127.0.0.1"]. URL uses the first (127.0.0.1 if it is an
	// unspecified address such as 0.0.0.0).
	BindAddresses []string
	// NodeIP is the address advertised to clients (rtc.node_ip); default
	// the first bind address, unless that is unspecified (then the server
	// picks one itself).
	NodeIP string
	// Interfaces limits the network interfaces used for WebRTC
	// (rtc.interfaces.includes); empty means all.
	Interfaces []string
	// Port is the signal/HTTP port; 0 picks a free one.
	Port int
	// RTCPort is the single UDP port for WebRTC (rtc.udp_port); the ICE/TCP
	// port (rtc.tcp_port) is RTCPort+1 when that is free, else a free one.
	// 0 picks free ports for both.
	RTCPort int
	// APIKey and APISecret are the server's only key pair. Empty: key
	// DefaultAPIKey, and a random 48-character hex secret. The server wants
	// secrets of at least 32 characters.
	APIKey, APISecret string
	// Redis is the address (host:port) of a Redis server that this node
	// shares with the other nodes of a multi-node deployment: rooms, agent
	// workers and dispatches are then routed between the nodes. Empty: a
	// single node without Redis.
	Redis string
	// Dir holds the config file. Empty: a private temporary directory
	// (0700) that Close removes.
	Dir string
	// Logger receives the server's output at debug level and lifecycle
	// messages; nil discards them.
	Logger *slog.Logger
}

// withDefaults returns cfg with the defaults of the empty fields filled in
// (except the ports, Binary and Dir).
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.BindAddresses) == 0 {
		cfg.BindAddresses = []string{"127.0.0.1"}
	}
	cfg.BindAddresses = append([]string(nil), cfg.BindAddresses...)
	for _, a := range cfg.BindAddresses {
		if net.ParseIP(a) == nil {
			return cfg, fmt.Errorf("lkserver: bind address %q is not an IP address", a)
		}
	}
	if cfg.NodeIP == "" && !net.ParseIP(cfg.BindAddresses[0]).IsUnspecified() {
		cfg.NodeIP = cfg.BindAddresses[0]
	}
	if cfg.NodeIP != "" && net.ParseIP(cfg.NodeIP) == nil {
		return cfg, fmt.Errorf("lkserver: node IP %q is not an IP address", cfg.NodeIP)
	}
	cfg.Interfaces = append([]string(nil), cfg.Interfaces...)
	if cfg.Port < 0 || cfg.Port > 65535 {
		return cfg, fmt.Errorf("lkserver: port %d out of range", cfg.Port)
	}
	if cfg.RTCPort < 0 || cfg.RTCPort > 65534 {
		return cfg, fmt.Errorf("lkserver: RTC port %d out of range", cfg.RTCPort)
	}
	if cfg.Redis != "" {
		if _, _, err := net.SplitHostPort(cfg.Redis); err != nil {
			return cfg, fmt.Errorf("lkserver: Redis address %q: want host:port", cfg.Redis)
		}
	}
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.APISecret == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return cfg, fmt.Errorf("lkserver: random API secret: %w", err)
		}
		cfg.APISecret = hex.EncodeToString(b)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// urlHost returns the host clients and the health check use: the first
// bind address, or loopback when that is unspecified.
func (cfg Config) urlHost() string {
	ip := net.ParseIP(cfg.BindAddresses[0])
	if ip.IsUnspecified() {
		if ip.To4() == nil {
			return "::1"
		}
		return "127.0.0.1"
	}
	return cfg.BindAddresses[0]
}

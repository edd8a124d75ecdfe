package lkserver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// configFileName is the name of the config file in the server's directory.
const configFileName = "livekit.yaml"

// serverConfig is the subset of livekit-server v1.13.5's config
// (pkg/config/config.go) that we set. It is written as JSON, which is YAML
// too, so that no value needs YAML quoting rules.
type serverConfig struct {
	Port          int               `json:"port"`
	BindAddresses []string          `json:"bind_addresses"`
	RTC           rtcConfig         `json:"rtc"`
	Keys          map[string]string `json:"keys"`
	Logging       loggingConfig     `json:"logging"`
	Redis         *redisConfig      `json:"redis,omitempty"`
}

// redisConfig is the redis section (protocol's redis.RedisConfig).
type redisConfig struct {
	Address string `json:"address"`
}

// rtcConfig is the rtc section (mediatransportutil's rtcconfig.RTCConfig).
type rtcConfig struct {
	UDPPort                 int               `json:"udp_port"`
	TCPPort                 int               `json:"tcp_port"`
	NodeIP                  string            `json:"node_ip,omitempty"`
	UseExternalIP           bool              `json:"use_external_ip"`
	EnableLoopbackCandidate bool              `json:"enable_loopback_candidate"`
	Interfaces              *interfacesConfig `json:"interfaces,omitempty"`
	// STUNServers are handed to clients. Without any, the server hands them
	// Google's public STUN servers; ours points at its own UDP port on
	// loopback, so that clients of a local server never send a packet off
	// the machine (the server needs no STUN: node_ip is given).
	STUNServers []string `json:"stun_servers"`
}

// interfacesConfig is rtc.interfaces.
type interfacesConfig struct {
	Includes []string `json:"includes"`
}

// loggingConfig is the logging section.
type loggingConfig struct {
	Level string `json:"level"`
}

// ports are the ports a server runs on.
type ports struct {
	signal, udp, tcp int
}

// newServerConfig returns the server config for cfg on ports p.
func newServerConfig(cfg Config, p ports) serverConfig {
	sc := serverConfig{
		Port:          p.signal,
		BindAddresses: cfg.BindAddresses,
		RTC: rtcConfig{
			UDPPort:                 p.udp,
			TCPPort:                 p.tcp,
			NodeIP:                  cfg.NodeIP,
			UseExternalIP:           false,
			EnableLoopbackCandidate: true,
			STUNServers:             []string{fmt.Sprintf("127.0.0.1:%d", p.udp)},
		},
		Keys:    map[string]string{cfg.APIKey: cfg.APISecret},
		Logging: loggingConfig{Level: "info"},
	}
	if cfg.Redis != "" {
		sc.Redis = &redisConfig{Address: cfg.Redis}
	}
	if len(cfg.Interfaces) > 0 {
		sc.RTC.Interfaces = &interfacesConfig{Includes: cfg.Interfaces}
	}
	return sc
}

// writeConfig writes sc to dir/configFileName with mode 0600 and returns
// its path.
func writeConfig(dir string, sc serverConfig) (string, error) {
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return "", fmt.Errorf("lkserver: encode config: %w", err)
	}
	path := filepath.Join(dir, configFileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("lkserver: write config: %w", err)
	}
	err = f.Chmod(0o600) // also when the file existed with other modes
	if err == nil {
		_, err = f.Write(append(b, '\n'))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("lkserver: write config: %w", err)
	}
	return path, nil
}

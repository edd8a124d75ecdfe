package lkserver

import (
	"context"
	"testing"
)

// A Redis address goes into the config file's redis section; without one
// there is no redis section (single node); a malformed one is refused.
func TestRedisConfig(t *testing.T) {
	cfg, err := Config{Redis: "127.0.0.1:6390"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	sc := newServerConfig(cfg, ports{signal: 7880, udp: 7882, tcp: 7883})
	if sc.Redis == nil || sc.Redis.Address != "127.0.0.1:6390" {
		t.Errorf("redis section %+v, want address 127.0.0.1:6390", sc.Redis)
	}
	cfg, err = Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if sc := newServerConfig(cfg, ports{signal: 7880, udp: 7882, tcp: 7883}); sc.Redis != nil {
		t.Errorf("redis section %+v without Config.Redis", sc.Redis)
	}
	if s, err := Start(context.Background(), Config{Redis: "no-port"}); err == nil {
		s.Close()
		t.Error("Start accepted a Redis address without a port")
	}
}

package dispatch

import (
	"errors"
	"strings"
	"testing"
)

func TestPageMetadataRoundTrip(t *testing.T) {
	meta, err := Page{URL: "https://example.com/x", Width: 320, Height: 180, FrameRate: 10, NoAudio: true}.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(meta, `"url":"https://example.com/x"`) || !strings.Contains(meta, `"identity":"lkbrowser"`) {
		t.Errorf("metadata %s", meta)
	}
	p, err := ParsePage(meta)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 320 || p.Height != 180 || p.FrameRate != 10 || !p.NoAudio || p.Identity != DefaultIdentity {
		t.Errorf("parsed %+v", p)
	}
	p, err = ParsePage(`{"url":"http://a/","future_field":1}`)
	if err != nil || p.Width != 1280 || p.Height != 720 || p.FrameRate != 30 {
		t.Errorf("defaults: %+v %v", p, err)
	}
}

func TestPageRefused(t *testing.T) {
	for _, meta := range []string{
		``, `[]`, `{"url":"file:///etc/passwd"}`, `{"url":"javascript:alert(1)"}`, `{"url":"http://a/","width":5}`,
		`{"url":"http://a/","fps":61}`, `{"url":"http://a/","video_bitrate":10}`, `{"url":"http://a/","identity":"__agent__"}`,
	} {
		if _, err := ParsePage(meta); !errors.Is(err, ErrInvalidPage) {
			t.Errorf("ParsePage(%q) = %v, want ErrInvalidPage", meta, err)
		}
	}
}

func TestConfigRefused(t *testing.T) {
	for _, cfg := range []Config{{URL: "ftp://x", APIKey: "k", APISecret: "s"}, {URL: "ws://x"}, {URL: "", APIKey: "k", APISecret: "s"}} {
		if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	c, err := New(Config{URL: "ws://127.0.0.1:1", APIKey: "k", APISecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.AgentName != DefaultAgentName || c.cfg.AcceptTimeout != DefaultAcceptTimeout || c.cfg.LivenessTimeout != DefaultLivenessTimeout {
		t.Errorf("defaults %+v", c.cfg)
	}
}

func TestNotAcceptedError(t *testing.T) {
	err := error(&NotAcceptedError{Room: "r", AgentName: "lkbrowser", Attempts: 3})
	if !errors.Is(err, ErrNotAccepted) || !strings.Contains(err.Error(), `no "lkbrowser" worker accepted the page for room "r"`) {
		t.Errorf("%v", err)
	}
}

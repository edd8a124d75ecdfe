package lksession

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	lkbrowser "github.com/lkbrowser/lkbrowser"
)

func TestDecodeInputAccepts(t *testing.T) {
	msg := `[{"type":"mousemove","x":10.6,"y":20},
		{"type":"mousedown","x":10,"y":20,"button":2,"modifiers":16},
		{"type":"mouseup","x":10,"y":20},
		{"type":"wheel","x":1,"y":2,"deltaX":0,"deltaY":-120},
		{"type":"keydown","keyCode":65,"modifiers":2,"extra":"ignored"},
		{"type":"char","keyCode":65,"charCode":65},
		{"type":"char","charCode":20320},
		{"type":"char","keyCode":20320,"charCode":20320},
		{"type":"keyup","keyCode":65}]`
	got, err := DecodeInput([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	want := []InputEvent{
		{Type: InputMouseMove, X: 11, Y: 20},
		{Type: InputMouseDown, X: 10, Y: 20, Button: 2, Modifiers: 16},
		{Type: InputMouseUp, X: 10, Y: 20},
		{Type: InputWheel, X: 1, Y: 2, DeltaY: -120},
		{Type: InputKeyDown, KeyCode: 65, Modifiers: 2},
		{Type: InputChar, KeyCode: 65, CharCode: 'A'},
		{Type: InputChar, CharCode: '你'},
		{Type: InputChar, CharCode: '你'},
		{Type: InputKeyUp, KeyCode: 65},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, err := DecodeInput([]byte(" [] ")); err != nil || len(got) != 0 {
		t.Errorf("empty array: %v %v", got, err)
	}
}

func TestDecodeInputRefuses(t *testing.T) {
	many := "[" + strings.Repeat(`{"type":"mousemove","x":1,"y":1},`, MaxInputEvents) + `{"type":"mousemove","x":1,"y":1}]`
	for name, msg := range map[string]string{
		"empty":          ``,
		"not json":       `hello`,
		"object":         `{"type":"mousemove","x":1,"y":1}`,
		"truncated":      `[{"type":"mousemove","x":1`,
		"not object":     `[1]`,
		"null event":     `[null]`,
		"no type":        `[{"x":1,"y":1}]`,
		"type number":    `[{"type":5}]`,
		"unknown type":   `[{"type":"explode"}]`,
		"x string":       `[{"type":"mousemove","x":"1","y":1}]`,
		"no y":           `[{"type":"mousemove","x":1}]`,
		"x huge":         `[{"type":"mousemove","x":1e300,"y":1}]`,
		"button 3":       `[{"type":"mousedown","x":1,"y":1,"button":3}]`,
		"button -1":      `[{"type":"mousedown","x":1,"y":1,"button":-1}]`,
		"wheel huge":     `[{"type":"wheel","x":1,"y":1,"deltaY":1e9}]`,
		"no keyCode":     `[{"type":"keydown"}]`,
		"keyCode 256":    `[{"type":"keyup","keyCode":256}]`,
		"surrogate":      `[{"type":"char","charCode":55296}]`,
		"char zero":      `[{"type":"char","charCode":0}]`,
		"neg modifiers":  `[{"type":"keydown","keyCode":1,"modifiers":-1}]`,
		"one bad of two": `[{"type":"mousemove","x":1,"y":1},{"type":"mousemove","x":1}]`,
		"too many":       many,
		"too big":        "[" + strings.Repeat(" ", MaxInputMessage) + "]",
		"bad utf8":       "[\"\xff\"]",
	} {
		got, err := DecodeInput([]byte(msg))
		if err == nil || !errors.Is(err, ErrBadInput) || got != nil {
			t.Errorf("%s: got %v, %v; want refusal matching ErrBadInput", name, got, err)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{URL: "ws://127.0.0.1:7880", APIKey: "k", APISecret: "s", AllowedSchemes: []string{"https", "FILE", "javascript"}}
	if err := o.withDefaults(1920, 1080, 30); err != nil {
		t.Fatal(err)
	}
	if o.Room != DefaultRoom || o.Identity != DefaultIdentity || o.VideoBitrate != 4500 || len(o.AllowedSchemes) != 1 || o.AllowedSchemes[0] != "https" {
		t.Errorf("defaults: %+v", o)
	}
	if o.AudioDelay != 50*time.Millisecond {
		t.Errorf("default audio delay at 30 fps: %v, want 1.5 frames", o.AudioDelay)
	}
	// Schemes are case-insensitive: "HTTPS" allows https URLs.
	o = Options{URL: "ws://x", Token: "t", AllowedSchemes: []string{"HTTPS", " Http ", "https", "File"}}
	if err := o.withDefaults(640, 480, 30); err != nil || !slices.Equal(o.AllowedSchemes, []string{"https", "http"}) {
		t.Errorf("upper-case schemes: %q, %v; want [https http]", o.AllowedSchemes, err)
	}
	if err := (lkbrowser.URLPolicy{Schemes: o.AllowedSchemes}).Check("https://example.test/"); err != nil {
		t.Errorf("https refused after \"HTTPS\" allowed: %v", err)
	}
	o = Options{URL: "ws://x", Token: "t", AudioDelay: -time.Millisecond}
	if err := o.withDefaults(640, 480, 60); err != nil || o.AudioDelay != 0 {
		t.Errorf("negative audio delay: %v, %v; want none", o.AudioDelay, err)
	}
	for name, bad := range map[string]Options{
		"no url":    {APIKey: "k", APISecret: "s"},
		"bad url":   {URL: "127.0.0.1:7880", APIKey: "k", APISecret: "s"},
		"no creds":  {URL: "ws://x"},
		"bitrate":   {URL: "ws://x", Token: "t", VideoBitrate: 50},
		"agent id":  {URL: "ws://x", Token: "t", Identity: AgentIdentity},
		"only file": {URL: "ws://x", Token: "t", AllowedSchemes: []string{"file"}},
		"neg rate":  {URL: "ws://x", Token: "t", InputRate: -1},
		"delay":     {URL: "ws://x", Token: "t", AudioDelay: 2 * time.Second},
	} {
		if err := bad.withDefaults(640, 480, 30); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Secrets never appear in errors.
	o = Options{URL: "nope", APIKey: "key", APISecret: "s3cr3t-value"}
	if err := o.withDefaults(640, 480, 30); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %v", err)
	}
}

// FuzzDecodeInput checks that no message makes the decoder panic, and that
// whatever it accepts is within the documented ranges.
func FuzzDecodeInput(f *testing.F) {
	f.Add([]byte(`[{"type":"mousemove","x":1,"y":2}]`))
	f.Add([]byte(`[{"type":"char","keyCode":65,"charCode":65,"modifiers":2}]`))
	f.Add([]byte(`[{"type":"wheel","x":1,"y":2,"deltaX":-3.5,"deltaY":120}]`))
	f.Add([]byte(`[{"type":"keydown","keyCode":13},{"type":"keyup","keyCode":13}]`))
	f.Add([]byte(`{"type":"mousemove"}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		evs, err := DecodeInput(msg)
		if err != nil {
			if evs != nil || !errors.Is(err, ErrBadInput) {
				t.Fatalf("refusal %v with events %v", err, evs)
			}
			return
		}
		for _, ev := range evs {
			if ev.X < -maxCoord || ev.X > maxCoord || ev.Y < -maxCoord || ev.Y > maxCoord ||
				ev.Button < 0 || ev.Button > 2 || ev.KeyCode < 0 || ev.KeyCode > 255 ||
				ev.DeltaX < -maxWheel || ev.DeltaX > maxWheel || ev.DeltaY < -maxWheel || ev.DeltaY > maxWheel {
				t.Fatalf("out of range: %+v", ev)
			}
		}
	})
}

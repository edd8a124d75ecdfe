package main

import (
	"errors"
	"flag"
	"slices"
	"testing"
	"time"
)

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		pos   []string
		width int
		wait  time.Duration
		v     bool
		err   string
	}{
		{args: nil, width: 1, wait: 0},
		{args: []string{"u", "o.png"}, pos: []string{"u", "o.png"}, width: 1},
		{args: []string{"--width", "5", "u", "o.png"}, pos: []string{"u", "o.png"}, width: 5},
		{args: []string{"u", "--width=7", "o.png", "-wait", "2s", "--verbose"}, pos: []string{"u", "o.png"}, width: 7, wait: 2 * time.Second, v: true},
		{args: []string{"--verbose=false", "u"}, pos: []string{"u"}, width: 1},
		{args: []string{"--verbose", "u"}, pos: []string{"u"}, width: 1, v: true},
		{args: []string{"u", "--", "--width", "-"}, pos: []string{"u", "--width", "-"}, width: 1},
		{args: []string{"-", "u"}, pos: []string{"-", "u"}, width: 1},
		{args: []string{"u", "--width"}, err: "flag --width needs a value"},
		{args: []string{"--width", "x"}, err: `invalid value "x" for flag --width: parse error`},
		{args: []string{"--nope"}, err: "unknown flag --nope"},
		{args: []string{"---width=3"}, err: "unknown flag ---width=3"},
	} {
		fs := newFlagSet("t")
		width := fs.Int("width", 1, "")
		wait := fs.Duration("wait", 0, "")
		v := fs.Bool("verbose", false, "")
		pos, err := parseInterspersed(fs, tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(pos, tc.pos) || *width != tc.width || *wait != tc.wait || *v != tc.v {
			t.Errorf("%q: got %q width %d wait %v verbose %v err %v", tc.args, pos, *width, *wait, *v, err)
		}
	}
	for _, h := range []string{"-h", "--help"} {
		if _, err := parseInterspersed(newFlagSet("t"), []string{"a", h}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: error %v, want flag.ErrHelp", h, err)
		}
	}
}

func TestParseAudioDelay(t *testing.T) {
	for in, want := range map[string]time.Duration{"auto": 0, "0": -1, "0s": -1, "80ms": 80 * time.Millisecond, "1s": time.Second} {
		if got, err := parseAudioDelay(in); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-5ms", "2s", "fast", "50"} {
		if got, err := parseAudioDelay(in); err == nil {
			t.Errorf("%q: %v accepted", in, got)
		}
	}
}

package lkbrowser

import (
	"errors"
	"strconv"
	"testing"
)

func TestUnitPageOptionsDefaults(t *testing.T) {
	tests := []struct {
		name      string
		opts, eng PageOptions
		want      PageOptions
	}{
		{
			name: "zero everything",
			want: PageOptions{URL: "about:blank", Width: 1280, Height: 720, FrameRate: 30, MaxWidth: 1280, MaxHeight: 720},
		},
		{
			name: "explicit size sets the max size",
			opts: PageOptions{Width: 800, Height: 600},
			want: PageOptions{URL: "about:blank", Width: 800, Height: 600, FrameRate: 30, MaxWidth: 800, MaxHeight: 600},
		},
		{
			name: "engine defaults fill zero fields",
			eng:  PageOptions{URL: "https://example.com/", Width: 1920, Height: 1080, FrameRate: 60},
			want: PageOptions{URL: "https://example.com/", Width: 1920, Height: 1080, FrameRate: 60, MaxWidth: 1920, MaxHeight: 1080},
		},
		{
			name: "page fields win over engine defaults",
			opts: PageOptions{URL: "about:blank", Width: 640, Height: 480, FrameRate: 10},
			eng:  PageOptions{URL: "https://example.com/", Width: 1920, Height: 1080, FrameRate: 60},
			want: PageOptions{URL: "about:blank", Width: 640, Height: 480, FrameRate: 10, MaxWidth: 640, MaxHeight: 480},
		},
		{
			name: "engine width only",
			opts: PageOptions{Height: 500},
			eng:  PageOptions{Width: 1000},
			want: PageOptions{URL: "about:blank", Width: 1000, Height: 500, FrameRate: 30, MaxWidth: 1000, MaxHeight: 500},
		},
		{
			name: "engine max size",
			eng:  PageOptions{MaxWidth: 2560, MaxHeight: 1440},
			want: PageOptions{URL: "about:blank", Width: 1280, Height: 720, FrameRate: 30, MaxWidth: 2560, MaxHeight: 1440},
		},
		{
			name: "page max size wins",
			opts: PageOptions{MaxWidth: 3000, MaxHeight: 2000},
			eng:  PageOptions{MaxWidth: 2560, MaxHeight: 1440},
			want: PageOptions{URL: "about:blank", Width: 1280, Height: 720, FrameRate: 30, MaxWidth: 3000, MaxHeight: 2000},
		},
		{
			name: "other fields untouched",
			opts: PageOptions{DevTools: true, DevToolsPort: 9222, PopupsAsEvents: true},
			eng:  PageOptions{DevToolsPort: 1234},
			want: PageOptions{URL: "about:blank", Width: 1280, Height: 720, FrameRate: 30, MaxWidth: 1280, MaxHeight: 720,
				DevTools: true, DevToolsPort: 9222, PopupsAsEvents: true},
		},
		{
			name: "negative values are kept (and refused by validation)",
			opts: PageOptions{Width: -1, FrameRate: -5},
			// MaxWidth follows the larger of the engine default (0) and Width.
			want: PageOptions{URL: "about:blank", Width: -1, Height: 720, FrameRate: -5, MaxWidth: 0, MaxHeight: 720},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.opts.withDefaults(tt.eng); got != tt.want {
				t.Errorf("withDefaults:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestUnitPageOptionsDefaultsValid(t *testing.T) {
	o := PageOptions{}.withDefaults(PageOptions{})
	if err := validateSize(o.Width, o.Height); err != nil {
		t.Errorf("default size refused: %v", err)
	}
	if err := validateSize(o.MaxWidth, o.MaxHeight); err != nil {
		t.Errorf("default max size refused: %v", err)
	}
	if err := validateFrameRate(o.FrameRate); err != nil {
		t.Errorf("default frame rate refused: %v", err)
	}
	if err := unitDefaultPolicy.Check(o.URL); err != nil {
		t.Errorf("default URL refused: %v", err)
	}
}

func TestUnitValidateSize(t *testing.T) {
	tests := []struct {
		w, h int
		bad  string // "" when valid, else the Arg named by the error
	}{
		{16, 16, ""},
		{4096, 4096, ""},
		{1280, 720, ""},
		{16, 4096, ""},
		{15, 720, "Width"},
		{4097, 720, "Width"},
		{0, 720, "Width"},
		{-1, 720, "Width"},
		{1280, 15, "Height"},
		{1280, 4097, "Height"},
		{1280, 0, "Height"},
		{1280, -720, "Height"},
		{0, 0, "Width"},
	}
	for _, tt := range tests {
		err := validateSize(tt.w, tt.h)
		if tt.bad == "" {
			if err != nil {
				t.Errorf("validateSize(%d, %d) = %v, want nil", tt.w, tt.h, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidSize) {
			t.Errorf("validateSize(%d, %d) = %v, want ErrInvalidSize", tt.w, tt.h, err)
			continue
		}
		if errors.Is(err, ErrInvalidFrameRate) {
			t.Errorf("validateSize(%d, %d) = %v, matches ErrInvalidFrameRate", tt.w, tt.h, err)
		}
		var ia *InvalidArgumentError
		if !errors.As(err, &ia) {
			t.Fatalf("error %T is not an *InvalidArgumentError", err)
		}
		v := tt.w
		if tt.bad == "Height" {
			v = tt.h
		}
		if ia.Arg != tt.bad || ia.Value != strconv.Itoa(v) {
			t.Errorf("validateSize(%d, %d): Arg %q Value %q, want %q %d", tt.w, tt.h, ia.Arg, ia.Value, tt.bad, v)
		}
	}
}

func TestUnitValidateFrameRate(t *testing.T) {
	for fps := -2; fps <= 62; fps++ {
		err := validateFrameRate(fps)
		ok := fps >= 1 && fps <= 60
		if ok && err != nil {
			t.Errorf("validateFrameRate(%d) = %v, want nil", fps, err)
		}
		if !ok {
			if !errors.Is(err, ErrInvalidFrameRate) || errors.Is(err, ErrInvalidSize) {
				t.Errorf("validateFrameRate(%d) = %v, want ErrInvalidFrameRate only", fps, err)
			}
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) || ia.Arg != "FrameRate" || ia.Value != strconv.Itoa(fps) {
				t.Errorf("validateFrameRate(%d) = %#v", fps, err)
			}
		}
	}
	if MinFrameRate != 1 || MaxFrameRate != 60 || MinPageSize != 16 || MaxPageSize != 4096 {
		t.Errorf("documented limits changed: %d..%d fps, %d..%d px", MinFrameRate, MaxFrameRate, MinPageSize, MaxPageSize)
	}
}

func TestUnitEngineMaxSizeNeverBlocksABiggerPage(t *testing.T) {
	got := PageOptions{Width: 1280, Height: 720}.withDefaults(PageOptions{MaxWidth: 800, MaxHeight: 600})
	if got.MaxWidth != 1280 || got.MaxHeight != 720 {
		t.Errorf("MaxWidth x MaxHeight %dx%d, want 1280x720", got.MaxWidth, got.MaxHeight)
	}
	got = PageOptions{Width: 640, Height: 360}.withDefaults(PageOptions{MaxWidth: 800, MaxHeight: 600})
	if got.MaxWidth != 800 || got.MaxHeight != 600 {
		t.Errorf("MaxWidth x MaxHeight %dx%d, want the engine's 800x600", got.MaxWidth, got.MaxHeight)
	}
}

package lkbrowser

import (
	"fmt"
)

// PageOptions describes a page to open.
type PageOptions struct {
	// URL is loaded once the page is up. Default "about:blank". It must pass
	// the engine's URL policy (Options.AllowedSchemes).
	URL string
	// Width and Height are the page's size in pixels, 16..4096.
	// Default 1280x720 (or the engine's Options.DefaultPage).
	Width, Height int
	// FrameRate caps the frames delivered per second, 1..60. Default 30.
	FrameRate int
	// MaxWidth and MaxHeight bound the sizes Resize may grow the page to.
	// Default: Width and Height, so a page can shrink and grow back but not
	// beyond its first size. The display is made this large, so larger
	// values cost memory (4 bytes a pixel, twice) even when unused.
	MaxWidth, MaxHeight int
	// DevTools exposes the page's Chrome DevTools Protocol endpoint on
	// 127.0.0.1 (never another address) for chromedp, Playwright or
	// Puppeteer; see Page.DevToolsURL. Off by default: lkbrowser itself talks
	// to Chromium over a pipe and opens no port.
	DevTools bool
	// DevToolsPort is the port of the DevTools endpoint; 0 picks a free one.
	DevToolsPort int
	// PopupsAsEvents makes windows the page opens (window.open, target=_blank)
	// PopupRequested events. By default the page loads their address itself,
	// as the reference does. Either way no second window stays open.
	PopupsAsEvents bool
	// Restart makes the page load its last address again by itself when its
	// renderer crashes, with back-off and a limit; see RestartPolicy. The
	// zero value restarts nothing.
	Restart RestartPolicy
	// Egress is the page's network policy (see EgressPolicy); it replaces
	// the engine's (Options.Egress) for this page. Default: the engine's;
	// nil there too means no filtering.
	Egress *EgressPolicy
}

// withDefaults fills zero fields from d, then from the built-in defaults.
func (o PageOptions) withDefaults(d PageOptions) PageOptions {
	pick := func(v, a, b int) int {
		if v != 0 {
			return v
		}
		if a != 0 {
			return a
		}
		return b
	}
	o.Width = pick(o.Width, d.Width, defaultWidth)
	o.Height = pick(o.Height, d.Height, defaultHeight)
	o.FrameRate = pick(o.FrameRate, d.FrameRate, defaultFPS)
	// An engine-wide maximum never makes a bigger page invalid.
	if o.MaxWidth == 0 {
		o.MaxWidth = max(d.MaxWidth, o.Width)
	}
	if o.MaxHeight == 0 {
		o.MaxHeight = max(d.MaxHeight, o.Height)
	}
	if o.URL == "" {
		o.URL = d.URL
	}
	if o.Egress == nil {
		o.Egress = d.Egress
	}
	if o.URL == "" {
		o.URL = "about:blank"
	}
	return o
}

// validate checks options that withDefaults filled; the URL is the
// policy's (URLPolicy.Check).
func (o PageOptions) validate() error {
	if err := validateSize(o.Width, o.Height); err != nil {
		return err
	}
	if err := validateFrameRate(o.FrameRate); err != nil {
		return err
	}
	if err := validateSize(o.MaxWidth, o.MaxHeight); err != nil {
		return err
	}
	if o.MaxWidth < o.Width || o.MaxHeight < o.Height {
		return invalidArg(ErrInvalidSize, "MaxWidth/MaxHeight", fmt.Sprintf("%dx%d", o.MaxWidth, o.MaxHeight), "smaller than Width/Height")
	}
	if o.DevToolsPort < 0 || o.DevToolsPort > 65535 {
		return invalidArg(ErrInvalidPort, "DevToolsPort", o.DevToolsPort, "must be 0..65535")
	}
	if o.Egress != nil {
		if err := o.Egress.Validate(); err != nil {
			return err
		}
	}
	return o.Restart.validate()
}

func validateSize(w, h int) error {
	if w < MinPageSize || w > MaxPageSize {
		return invalidArg(ErrInvalidSize, "Width", w, "must be 16..4096")
	}
	if h < MinPageSize || h > MaxPageSize {
		return invalidArg(ErrInvalidSize, "Height", h, "must be 16..4096")
	}
	return nil
}

func validateFrameRate(fps int) error {
	if fps < MinFrameRate || fps > MaxFrameRate {
		return invalidArg(ErrInvalidFrameRate, "FrameRate", fps, "must be 1..60")
	}
	return nil
}

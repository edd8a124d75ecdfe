package lkbrowser

import "testing"

func TestSameStart(t *testing.T) {
	base := PageOptions{URL: "about:blank", Width: 320, Height: 240, FrameRate: 30, MaxWidth: 320, MaxHeight: 240}
	other := base
	other.URL = "https://example.org/"
	if !sameStart(base, other) {
		t.Error("pages that differ only in URL must share a warm start")
	}
	for name, change := range map[string]func(*PageOptions){
		"size":       func(o *PageOptions) { o.Width = 400 },
		"max size":   func(o *PageOptions) { o.MaxHeight = 480 },
		"frame rate": func(o *PageOptions) { o.FrameRate = 60 },
		"devtools":   func(o *PageOptions) { o.DevTools = true },
		"popups":     func(o *PageOptions) { o.PopupsAsEvents = true },
		"restart":    func(o *PageOptions) { o.Restart.MaxRestarts = 3 },
	} {
		o := base
		change(&o)
		if sameStart(base, o) {
			t.Errorf("a different %s must not take a warm page", name)
		}
	}
}

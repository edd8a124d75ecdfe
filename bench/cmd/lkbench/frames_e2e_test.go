package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// The harness's measurements on real browsers, in short windows: both
// systems deliver frames of the page's size whose stamps read, so that
// there is a latency per new frame; lkbrowser's damage tells the full-page
// animation from the small element, and the capture never copies less
// than what changed. Nothing about speed is asserted.
func TestMeasureOnRealBrowsers(t *testing.T) {
	chromium, err := lkbrowser.ResolveChromium("", "")
	if err != nil {
		t.Skip(err)
	}
	srv, err := servePages()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := &bench{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{NoAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	const w, h = 1280, 720
	full := float64(w * h * 4)
	for _, pg := range framePages {
		lk, err := measureLK(ctx, b, eng, pageURL(srv, pg.file), pg.name, w, h, time.Second, 2*time.Second)
		if err != nil {
			t.Fatalf("lkbrowser, %s: %v", pg.name, err)
		}
		t.Logf("lkbrowser %s: %.1f fps, %d stamps (%d old, %d unreadable), p50 %.1f ms; changed %.0f B, copied %.0f B per frame; CPU %v",
			pg.name, lk.fps(), len(lk.lat), lk.repeated, lk.bad, percentile(lk.lat, 0.5), lk.dirtyBytes, lk.copiedBytes, lk.cpu.trees)
		if len(lk.lat) < 5 || lk.bad > 0 {
			t.Errorf("lkbrowser, %s: %d frames with a new stamp, %d unreadable", pg.name, len(lk.lat), lk.bad)
		}
		if p := percentile(lk.lat, 0.5); !(p > 0 && p < 5000) {
			t.Errorf("lkbrowser, %s: latency p50 %v ms", pg.name, p)
		}
		if lk.cpu.trees[treeBrowser] <= 0 || lk.cpu.trees[treeGo] <= 0 {
			t.Errorf("lkbrowser, %s: CPU not counted: %v", pg.name, lk.cpu.trees)
		}
		if lk.copiedBytes < lk.dirtyBytes || lk.copiedBytes > full {
			t.Errorf("lkbrowser, %s: copied %.0f bytes per frame for %.0f changed", pg.name, lk.copiedBytes, lk.dirtyBytes)
		}
		switch pg.name {
		case "full":
			if lk.dirtyBytes < 0.9*full {
				t.Errorf("full-page animation: %.0f bytes changed per frame, want about %.0f", lk.dirtyBytes, full)
			}
		case "small":
			if lk.dirtyBytes > 0.2*full {
				t.Errorf("small element: %.0f bytes changed per frame of %.0f", lk.dirtyBytes, full)
			}
		}
		sc, err := measureSC(ctx, chromium, pageURL(srv, pg.file), pg.name, w, h, time.Second, 2*time.Second)
		if err != nil {
			t.Fatalf("screencast, %s: %v", pg.name, err)
		}
		t.Logf("screencast %s: %.1f fps (%d received), %d stamps (%d old, %d unreadable), p50 %.1f ms; JPEG %.0f B; CPU %v",
			pg.name, sc.fps(), sc.received, len(sc.lat), sc.repeated, sc.bad, percentile(sc.lat, 0.5), sc.wireBytes, sc.cpu.trees)
		if sc.note != "" {
			t.Errorf("screencast, %s: %s, want %dx%d", pg.name, sc.note, w, h)
		}
		// A slow screencast may deliver a frame painted before the
		// stamp's first draw.
		if len(sc.lat) == 0 || sc.bad > len(sc.lat) || sc.received < sc.frames {
			t.Errorf("screencast, %s: %d new stamps, %d unreadable, %d received for %d decoded", pg.name, len(sc.lat), sc.bad, sc.received, sc.frames)
		}
		if sc.cpu.trees[treeBrowser] <= 0 || sc.wireBytes <= 0 || sc.decodedBytes < float64(w*h) {
			t.Errorf("screencast, %s: CPU %v, %.0f bytes in the message, %.0f decoded", pg.name, sc.cpu.trees, sc.wireBytes, sc.decodedBytes)
		}
	}
}

package room

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// `lkbrowser publish` on its embedded default (a local livekit-server, the
// viewer page): the viewer, opened in headless Chromium, shows the page's
// video, takes control, and a click on the video reaches the page. Ctrl-C
// then leaves cleanly.
func TestPublishViewer(t *testing.T) {
	clicked.Store(0)
	cli := startCLI(t, nil, "publish", "--viewer-addr", "127.0.0.1:0", "--width", "640", "--height", "360", "--fps", "30",
		web.URL+"/page.html#silent")
	viewerURL := cli.line(t, "viewer:", 90*time.Second)
	t.Logf("viewer at %s", viewerURL)

	ctx := headlessChromium(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(viewerURL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="connected"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-video="playing"]`)),
	); err != nil {
		t.Fatalf("viewer did not play: %v\nCLI stderr:\n%s", err, cli.errors())
	}

	// Where the page's pixels are on the viewer: the video's content box
	// (object-fit: contain) in CSS pixels.
	box, err := chromedp.Run(ctx, chromedp.Evaluate[videoBox](`(() => {
		const v = document.getElementById('video'), r = v.getBoundingClientRect();
		const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
		const w = v.videoWidth * s, h = v.videoHeight * s;
		return {X: r.left + (r.width - w) / 2, Y: r.top + (r.height - h) / 2, W: w, H: h, VW: v.videoWidth, VH: v.videoHeight};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if box.VW != 640 || box.VH != 360 || box.W < 100 {
		t.Fatalf("video box %+v", box)
	}
	at := func(x, y float64) (float64, float64) { return box.X + x*box.W/640, box.Y + y*box.H/360 }

	// A screenshot of the viewer shows the page's colours in the video.
	dpr, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.devicePixelRatio`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("LKBROWSER_TEST_SHOTS"); dir != "" {
		os.WriteFile(dir+"/viewer.png", shot, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x, y float64
		want [3]int
	}{{100, 100, red}, {500, 100, blue}, {120, 280, green}} {
		px, py := at(c.x, c.y)
		got := rgbAt(img, int(px*dpr), int(py*dpr))
		if !near(got, c.want) {
			t.Errorf("viewer pixel for page (%v,%v) is %v, want %v", c.x, c.y, got, c.want)
		}
	}

	// Take control, then click the page's button through the viewer.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#focus`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-focus="me"]`)),
	); err != nil {
		t.Fatalf("taking control: %v", err)
	}
	bx, by := at(120, 280)
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(bx, by)); err != nil {
		t.Fatal(err)
	}
	if !eventually(10*time.Second, func() bool { return clicked.Load() >= 1 }) {
		t.Fatalf("the click on the viewer did not reach the page\nCLI stderr:\n%s", cli.errors())
	}

	if code := cli.interrupt(20 * time.Second); code != 0 {
		t.Fatalf("lkbrowser publish exit %d after Ctrl-C\nstderr:\n%s", code, cli.errors())
	}
	// Without --verbose the CLI prints only its own lines: none of the
	// LiveKit SDK's or its WebRTC stack's logging, although a subscriber
	// connected, played and drove the page.
	if l := testsupport.SDKLogLine(cli.errors()); l != "" {
		t.Errorf("publish without --verbose printed SDK logging: %q\nstderr:\n%s", l, cli.errors())
	}
}

// With --verbose, publish adds the SDK's logs (the WebRTC stack's
// connection states) to stderr.
func TestPublishVerboseShowsSDKLogs(t *testing.T) {
	cli := startCLI(t, nil, "publish", "--verbose", "--viewer-addr", "127.0.0.1:0", "--width", "320", "--height", "240",
		web.URL+"/page.html#silent")
	cli.line(t, "viewer:", 90*time.Second)
	if !eventually(30*time.Second, func() bool { return testsupport.SDKLogLine(cli.errors()) != "" }) {
		t.Errorf("publish --verbose printed no SDK logging in 30 s\nstderr:\n%s", cli.errors())
	}
	if code := cli.interrupt(20 * time.Second); code != 0 {
		t.Fatalf("lkbrowser publish exit %d after Ctrl-C\nstderr:\n%s", code, cli.errors())
	}
}

// headlessChromium starts a headless Chromium for the viewer, closed at the
// end of the test.
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); acancel() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("headless chromium: %v", err)
	}
	return ctx
}

// videoBox is the video's content box on the viewer, in CSS pixels, and
// the video's size.
type videoBox struct{ X, Y, W, H, VW, VH float64 }

func rgbAt(img image.Image, x, y int) [3]int {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

package viewer

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// These tests run the page in headless Chromium (installed by
// scripts/setup.sh). TestViewerPage replaces livekit-client with
// testdata/fake-livekit-client.js and plays the publisher itself, to check
// the protocol the page speaks and its DOM hooks; TestRealBundle loads the
// real bundle under the real CSP. The end-to-end test with a real LiveKit
// server and publisher lives with the CLI.

const (
	viewportW = 1000
	viewportH = 700
)

// startChromium starts a headless Chromium and returns its tab's context.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("chromium not found: run bash scripts/setup.sh")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(viewportW, viewportH),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("user-data-dir", t.TempDir()),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	// Record CSP violations from the start of every document.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation',
			(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		state := js[string](t, ctx, `JSON.stringify({...document.body.dataset, status: document.getElementById('status').textContent, message: document.getElementById('message').textContent})`)
		evs := js[string](t, ctx, `window.fakeLK ? JSON.stringify(fakeLK.events()) : ''`)
		t.Fatalf("waiting for %s (%s): %v; page: %s; events: %s", what, expr, err, state, evs)
	}
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// ev is an input event as the page sends it.
type ev struct {
	Type      string `json:"type"`
	X         int    `json:"x"`
	Y         int    `json:"y"`
	Button    int    `json:"button"`
	DeltaX    int    `json:"deltaX"`
	DeltaY    int    `json:"deltaY"`
	KeyCode   int    `json:"keyCode"`
	CharCode  int    `json:"charCode"`
	Modifiers int    `json:"modifiers"`
}

func (e ev) String() string {
	switch e.Type {
	case "keydown", "keyup", "char":
		return fmt.Sprintf("%s %d/%d m%d", e.Type, e.KeyCode, e.CharCode, e.Modifiers)
	case "wheel":
		return fmt.Sprintf("wheel %d,%d d%d,%d m%d", e.X, e.Y, e.DeltaX, e.DeltaY, e.Modifiers)
	}
	return fmt.Sprintf("%s %d,%d b%d m%d", e.Type, e.X, e.Y, e.Button, e.Modifiers)
}

type packet struct {
	Events []ev `json:"events"`
	Opts   struct {
		Reliable     bool     `json:"reliable"`
		Topic        string   `json:"topic"`
		Destinations []string `json:"destinationIdentities"`
	} `json:"opts"`
}

// takeEvents waits until n events were sent, checks the packets and
// returns the events, clearing the record.
func takeEvents(t *testing.T, ctx context.Context, n int) []ev {
	t.Helper()
	waitJS(t, ctx, fmt.Sprintf("%d input events", n), fmt.Sprintf(`fakeLK.events().length >= %d`, n))
	time.Sleep(100 * time.Millisecond) // nothing more follows
	raw := js[string](t, ctx, `(() => { const s = JSON.stringify(fakeLK.packets); fakeLK.packets.length = 0; return s; })()`)
	var packets []packet
	if err := json.Unmarshal([]byte(raw), &packets); err != nil {
		t.Fatal(err)
	}
	var evs []ev
	for _, p := range packets {
		if !p.Opts.Reliable || p.Opts.Topic != "browser-input" || len(p.Opts.Destinations) != 1 || p.Opts.Destinations[0] != "pub" {
			t.Errorf("packet options %+v", p.Opts)
		}
		if len(p.Events) == 0 || len(p.Events) > 100 {
			t.Errorf("packet of %d events", len(p.Events))
		}
		evs = append(evs, p.Events...)
	}
	if len(evs) != n {
		t.Fatalf("got %d events, want %d: %v", len(evs), n, evs)
	}
	return evs
}

func expectEvents(t *testing.T, ctx context.Context, want ...ev) {
	t.Helper()
	got := takeEvents(t, ctx, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}

// box is the displayed content box of the video, computed here from the
// element's rectangle and the video's size, independently of app.js.
type box struct {
	Left, Top, Width, Height float64 // element
	VW, VH                   float64 // video
	scale, cx, cy            float64 // content box origin
}

func videoBox(t *testing.T, ctx context.Context) box {
	t.Helper()
	raw := js[string](t, ctx, `(() => { const v = document.getElementById('video'), r = v.getBoundingClientRect();
		return JSON.stringify({Left: r.left, Top: r.top, Width: r.width, Height: r.height, VW: v.videoWidth, VH: v.videoHeight}); })()`)
	var b box
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		t.Fatal(err)
	}
	b.scale = math.Min(b.Width/b.VW, b.Height/b.VH)
	b.cx = b.Left + (b.Width-b.VW*b.scale)/2
	b.cy = b.Top + (b.Height-b.VH*b.scale)/2
	return b
}

// at is the client position of the centre of page pixel (x, y).
func (b box) at(x, y int) (float64, float64) {
	return b.cx + (float64(x)+0.5)*b.scale, b.cy + (float64(y)+0.5)*b.scale
}

func rpcCount(t *testing.T, ctx context.Context) int {
	return js[int](t, ctx, `fakeLK.rpcs.length`)
}

func lastRPC(t *testing.T, ctx context.Context) string {
	return js[string](t, ctx, `(() => { const r = fakeLK.rpcs[fakeLK.rpcs.length - 1]; return r.destinationIdentity + ' ' + r.method + ' ' + r.payload; })()`)
}

func fakeAssets(t *testing.T) fs.FS {
	t.Helper()
	assets := fstest.MapFS{}
	for _, f := range []string{"index.html", "app.js", "style.css"} {
		b, err := fs.ReadFile(webFS, f)
		if err != nil {
			t.Fatal(err)
		}
		assets[f] = &fstest.MapFile{Data: b}
	}
	b, err := os.ReadFile("testdata/fake-livekit-client.js")
	if err != nil {
		t.Fatal(err)
	}
	assets[vendorFile] = &fstest.MapFile{Data: b}
	return assets
}

const (
	modShift = 1 << 1
	modCtrl  = 1 << 2
	modLeft  = 1 << 4
	modRight = 1 << 6
)

func TestViewerPage(t *testing.T) {
	tk := &tokens{}
	srv := httptest.NewServer(newHandler(testConfig(tk), fakeAssets(t)))
	defer srv.Close()
	ctx := startChromium(t)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))

	// Joins with a token from /api/join.
	waitJS(t, ctx, "connected", `document.body.dataset.state === 'connected'`)
	identity := js[string](t, ctx, `document.body.dataset.identity`)
	if got := js[string](t, ctx, `JSON.stringify(fakeLK.joins)`); got != `[{"url":"ws://127.0.0.1:7880","token":"token-for-`+identity+`"}]` {
		t.Fatalf("joins: %s (identity %q)", got, identity)
	}
	if got := js[string](t, ctx, `document.body.dataset.publisher + ' ' + document.getElementById('focus').disabled + ' ' + document.getElementById('url').disabled`); got != "absent true true" {
		t.Errorf("before the publisher: publisher, #focus and #url disabled: %s", got)
	}

	// The publisher joins with video.
	js[any](t, ctx, `fakeLK.addPublisher('pub'); fakeLK.publishVideo(640, 360); null`)
	waitJS(t, ctx, "video playing", `document.body.dataset.video === 'playing' && document.body.dataset.videoSize === '640x360'`)
	if got := js[string](t, ctx, `document.body.dataset.publisher + ' ' + document.body.dataset.focus + ' ' + document.getElementById('status').textContent`); got != "present none Connected · Nobody has control" {
		t.Errorf("with the publisher: %q", got)
	}

	// URL broadcasts, only from the publisher.
	js[any](t, ctx, `fakeLK.broadcast('browser-url', {url: 'https://example.com/a'});
		fakeLK.broadcastFrom('mallory', 'browser-url', {url: 'https://evil.example/'});
		fakeLK.broadcastFrom('mallory', 'browser-focus', {identity: 'mallory'}); null`)
	waitJS(t, ctx, "URL shown", `document.getElementById('url').value === 'https://example.com/a'`)
	if got := js[string](t, ctx, `document.body.dataset.holder`); got != "" {
		t.Errorf("focus broadcast from a non-publisher taken: holder %q", got)
	}

	// The video is letterboxed: 640x360 in a wider-than-16:9 stage leaves
	// bars above and below. A click there does nothing.
	b := videoBox(t, ctx)
	if b.cy-b.Top < 5 {
		t.Fatalf("expected vertical letterbox bars: %+v", b)
	}
	do(t, ctx, chromedp.MouseClickXY(b.Left+b.Width/2, b.Top+(b.cy-b.Top)/2))
	time.Sleep(200 * time.Millisecond)
	if n := rpcCount(t, ctx); n != 0 {
		t.Fatalf("a click in the letterbox made %d RPCs", n)
	}

	// A click on the page takes control, then is forwarded at the right pixel.
	x, y := b.at(100, 50)
	do(t, ctx, chromedp.MouseClickXY(x, y))
	waitJS(t, ctx, "control", `document.body.dataset.focus === 'me' && document.body.dataset.holder === `+fmt.Sprintf("%q", identity))
	if got := lastRPC(t, ctx); got != "pub browser/request-focus " {
		t.Errorf("RPC %q", got)
	}
	expectEvents(t, ctx,
		ev{Type: "mousemove", X: 100, Y: 50},
		ev{Type: "mousedown", X: 100, Y: 50, Modifiers: modLeft},
		ev{Type: "mouseup", X: 100, Y: 50},
	)
	if got := js[string](t, ctx, `document.activeElement.id + ' ' + document.getElementById('focus').textContent`); got != "stage Release control" {
		t.Errorf("after the click: focused element and button: %q", got)
	}
	// The corners of the content box map to the corner pixels.
	x, y = b.at(0, 0)
	do(t, ctx, chromedp.MouseClickXY(x-0.4*b.scale, y-0.4*b.scale))
	x, y = b.at(639, 359)
	do(t, ctx, chromedp.MouseClickXY(x+0.4*b.scale, y+0.4*b.scale))
	expectEvents(t, ctx,
		ev{Type: "mousemove", X: 0, Y: 0},
		ev{Type: "mousedown", X: 0, Y: 0, Modifiers: modLeft},
		ev{Type: "mouseup", X: 0, Y: 0},
		ev{Type: "mousemove", X: 639, Y: 359},
		ev{Type: "mousedown", X: 639, Y: 359, Modifiers: modLeft},
		ev{Type: "mouseup", X: 639, Y: 359},
	)

	// Keys: keydown, char for characters (and Enter), keyup; no char under Ctrl.
	do(t, ctx, chromedp.KeyEvent("a"), chromedp.KeyEvent("A"), chromedp.KeyEvent("\r"), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		// é on a French keyboard (its "2" key).
		dispatchKey(input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "é", Code: "Digit2", WindowsVirtualKeyCode: 50, Text: "é"}),
		dispatchKey(input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "é", Code: "Digit2", WindowsVirtualKeyCode: 50}))
	got := takeEvents(t, ctx, 14)
	var keys []string
	for _, e := range got {
		keys = append(keys, e.String())
	}
	wantKeys := "keydown 65/0 m0,char 97/97 m0,keyup 65/0 m0," +
		"keydown 65/0 m2,char 65/65 m2,keyup 65/0 m2," +
		"keydown 13/0 m0,char 13/13 m0,keyup 13/0 m0," +
		"keydown 65/0 m4,keyup 65/0 m4," +
		"keydown 50/0 m0,char 233/233 m0,keyup 50/0 m0"
	if strings.Join(keys, ",") != wantKeys {
		t.Errorf("keys:\n got %s\nwant %s", strings.Join(keys, ","), wantKeys)
	}

	// Wheel: CEF's sign, pixels.
	x, y = b.at(320, 180)
	do(t, ctx, chromedp.MouseEvent(chromedp.MouseWheel, x, y, func(p *input.DispatchMouseEventParams) { p.DeltaX, p.DeltaY = 1e-6, 120 }))
	expectEvents(t, ctx, ev{Type: "wheel", X: 320, Y: 180, DeltaY: -120})

	// Right button: forwarded, context menu suppressed.
	js[any](t, ctx, `window.__ctx = []; document.addEventListener('contextmenu', (e) => window.__ctx.push(e.defaultPrevented)); null`)
	x, y = b.at(200, 100)
	do(t, ctx, chromedp.MouseClickXY(x, y, chromedp.ButtonRight))
	expectEvents(t, ctx,
		ev{Type: "mousemove", X: 200, Y: 100},
		ev{Type: "mousedown", X: 200, Y: 100, Button: 2, Modifiers: modRight},
		ev{Type: "mouseup", X: 200, Y: 100, Button: 2},
	)
	if got := js[string](t, ctx, `JSON.stringify(window.__ctx)`); got != "[true]" {
		t.Errorf("context menu events (defaultPrevented): %s", got)
	}

	// Cursor follows cursor_changed while in control; only keywords.
	js[any](t, ctx, `fakeLK.broadcast('cursor_changed', {cursor: 'pointer'}); fakeLK.broadcast('cursor_changed', {cursor: 'url(https://evil.example/c.png), auto'}); null`)
	waitJS(t, ctx, "cursor", `document.getElementById('video').style.cursor === 'pointer'`)

	// Batching: 300 moves in one task coalesce to one; 250 key presses
	// (500 events) go in packets of at most 100.
	sync := js[int](t, ctx, `(() => {
		const stage = document.getElementById('stage'), v = document.getElementById('video').getBoundingClientRect();
		for (let i = 0; i < 300; i++) {
			stage.dispatchEvent(new PointerEvent('pointermove', {bubbles: true, pointerId: 1, pointerType: 'mouse', isPrimary: true,
				button: -1, clientX: v.left + v.width / 2 + i % 50, clientY: v.top + v.height / 2}));
		}
		for (let i = 0; i < 250; i++) {
			const e = new KeyboardEvent('keydown', {bubbles: true, cancelable: true, key: 'x'});
			Object.defineProperty(e, 'keyCode', {get: () => 88});
			stage.dispatchEvent(e);
		}
		const up = new KeyboardEvent('keyup', {bubbles: true, cancelable: true, key: 'x'});
		Object.defineProperty(up, 'keyCode', {get: () => 88});
		stage.dispatchEvent(up);
		return fakeLK.packets.length; })()`)
	if sync != 0 {
		t.Errorf("%d packets sent synchronously", sync)
	}
	waitJS(t, ctx, "502 events", `fakeLK.events().length >= 502`)
	if n := js[int](t, ctx, `fakeLK.packets.length`); n != 6 {
		t.Errorf("502 events in %d packets, want 6", n)
	}
	got = takeEvents(t, ctx, 1+500+1)
	if got[0].Type != "mousemove" || got[1].Type != "keydown" || got[2] != (ev{Type: "char", KeyCode: 120, CharCode: 120}) || got[501].Type != "keyup" {
		t.Errorf("batched events start %v %v %v, end %v", got[0], got[1], got[2], got[501])
	}

	// The URL field: Enter navigates (https:// added), keys stay local.
	do(t, ctx, chromedp.Click(chromedp.CSS("#url")), chromedp.KeyEvent("example.org/x\r"))
	waitJS(t, ctx, "navigate RPC", `fakeLK.rpcs.some((r) => r.method === 'browser/navigate')`)
	if got := lastRPC(t, ctx); got != `pub browser/navigate {"url":"https://example.org/x"}` {
		t.Errorf("navigate RPC %q", got)
	}
	waitJS(t, ctx, "field follows the page again", `document.activeElement.id === 'stage' && document.getElementById('url').value === 'https://example.com/a'`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#url")), chromedp.KeyEvent("file:///etc/passwd\r"))
	waitJS(t, ctx, "refusal shown", `document.getElementById('message').textContent.includes('refused scheme')`)
	if n := js[int](t, ctx, `fakeLK.events().length`); n != 0 {
		t.Errorf("typing in the URL field sent %d input events", n)
	}
	do(t, ctx, chromedp.KeyEvent(kbEscape))
	waitJS(t, ctx, "Escape reverts", `document.getElementById('url').value === 'https://example.com/a'`)
	js[any](t, ctx, `fakeLK.broadcast('browser-url', {url: 'https://example.org/x'}); null`)
	waitJS(t, ctx, "URL updated", `document.getElementById('url').value === 'https://example.org/x'`)

	// Back and forward.
	do(t, ctx, chromedp.Click(chromedp.CSS("#back")))
	waitJS(t, ctx, "go-back", `fakeLK.rpcs[fakeLK.rpcs.length - 1].method === 'browser/go-back'`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#forward")))
	waitJS(t, ctx, "go-forward", `fakeLK.rpcs[fakeLK.rpcs.length - 1].method === 'browser/go-forward'`)

	// The page resizes to portrait: bars left and right now.
	js[any](t, ctx, `fakeLK.resizeVideo(360, 640); null`)
	waitJS(t, ctx, "resized", `document.body.dataset.videoSize === '360x640'`)
	b = videoBox(t, ctx)
	if b.cx-b.Left < 5 {
		t.Fatalf("expected horizontal letterbox bars: %+v", b)
	}
	x, y = b.at(10, 600)
	do(t, ctx, chromedp.MouseClickXY(x, y))
	expectEvents(t, ctx,
		ev{Type: "mousemove", X: 10, Y: 600},
		ev{Type: "mousedown", X: 10, Y: 600, Modifiers: modLeft},
		ev{Type: "mouseup", X: 10, Y: 600},
	)

	// A key still held when the stage loses focus is released.
	do(t, ctx, dispatchKey(input.DispatchKeyEventParams{
		Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Shift", Code: "ShiftLeft", WindowsVirtualKeyCode: 16, Modifiers: 8,
	}))
	do(t, ctx, chromedp.Click(chromedp.CSS("#url")))
	expectEvents(t, ctx, ev{Type: "keydown", KeyCode: 16, Modifiers: modShift}, ev{Type: "keyup", KeyCode: 16})
	do(t, ctx, chromedp.KeyEvent(kbEscape))

	// Sound: blocked until the person clicks.
	js[any](t, ctx, `fakeLK.publishAudio(true); null`)
	waitJS(t, ctx, "sound blocked", `document.body.dataset.audio === 'blocked' && !document.getElementById('sound').hidden && document.getElementById('sound').textContent === 'Click to enable sound'`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#sound")))
	waitJS(t, ctx, "sound on", `document.body.dataset.audio === 'on' && fakeLK.startAudioCalls > 0 && document.getElementById('audio').muted === false`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#sound")))
	waitJS(t, ctx, "muted", `document.body.dataset.audio === 'muted' && document.getElementById('audio').muted === true`)

	// Someone else takes control: clicks are not forwarded, nor is focus asked for.
	js[any](t, ctx, `fakeLK.broadcast('browser-focus', {identity: 'viewer-other'}); null`)
	waitJS(t, ctx, "other holder", `document.body.dataset.focus === 'other' && document.body.dataset.holder === 'viewer-other' && document.getElementById('video').style.cursor === ''`)
	n := rpcCount(t, ctx)
	x, y = b.at(100, 100)
	do(t, ctx, chromedp.MouseClickXY(x, y), chromedp.KeyEvent("q"))
	waitJS(t, ctx, "hint", `document.getElementById('message').textContent.includes('viewer-other has control')`)
	if m := rpcCount(t, ctx); m != n {
		t.Errorf("clicking while another viewer has control made RPCs")
	}
	// The agent can be interrupted by a click.
	js[any](t, ctx, `fakeLK.broadcast('browser-focus', {identity: '__agent__'}); null`)
	waitJS(t, ctx, "agent holder", `document.body.dataset.focus === 'other' && document.body.dataset.holder === '__agent__'`)
	do(t, ctx, chromedp.MouseClickXY(x, y))
	waitJS(t, ctx, "control from the agent", `document.body.dataset.focus === 'me'`)
	expectEvents(t, ctx,
		ev{Type: "mousemove", X: 100, Y: 100},
		ev{Type: "mousedown", X: 100, Y: 100, Modifiers: modLeft},
		ev{Type: "mouseup", X: 100, Y: 100},
	)

	// Release and take control with the button; a refusal names the holder.
	do(t, ctx, chromedp.Click(chromedp.CSS("#focus")))
	waitJS(t, ctx, "released", `document.body.dataset.focus === 'none' && fakeLK.rpcs[fakeLK.rpcs.length - 1].method === 'browser/release-focus' && document.getElementById('focus').textContent === 'Take control'`)
	js[any](t, ctx, `fakeLK.denyFocus = 'viewer-x'; null`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#focus")))
	waitJS(t, ctx, "refused", `document.body.dataset.focus === 'other' && document.body.dataset.holder === 'viewer-x'`)
	js[any](t, ctx, `fakeLK.denyFocus = ''; null`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#focus")))
	waitJS(t, ctx, "granted", `document.body.dataset.focus === 'me'`)
	js[any](t, ctx, `fakeLK.broadcast('browser-focus', {identity: null}); null`)
	waitJS(t, ctx, "nobody", `document.body.dataset.focus === 'none' && document.body.dataset.holder === ''`)

	// The track ends; then the connection drops and the page joins again
	// with a fresh identity.
	js[any](t, ctx, `fakeLK.unpublishVideo(); null`)
	waitJS(t, ctx, "video gone", `document.body.dataset.video === 'none'`)
	js[any](t, ctx, `fakeLK.drop(); null`)
	waitJS(t, ctx, "disconnected", `document.body.dataset.state === 'disconnected' && document.getElementById('status').textContent.startsWith('Disconnected, retrying in')`)
	waitJS(t, ctx, "joined again", `document.body.dataset.state === 'connected' && fakeLK.joins.length === 2`)
	if again := js[string](t, ctx, `document.body.dataset.identity`); again == identity || !strings.HasPrefix(again, "viewer-") {
		t.Errorf("identity after rejoining %q (was %q)", again, identity)
	}
	if got := js[string](t, ctx, `[document.body.dataset.focus, document.body.dataset.video, document.body.dataset.audio, document.body.dataset.publisher].join(' ')`); got != "none none none absent" {
		t.Errorf("state after rejoining: %s", got)
	}

	if got := js[string](t, ctx, `JSON.stringify(window.__csp)`); got != "[]" {
		t.Errorf("CSP violations: %s", got)
	}
}

const kbEscape = "\u001b"

// dispatchKey sends one key event as Chromium's input pipeline gets it.
func dispatchKey(p input.DispatchKeyEventParams) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, input.DispatchKeyEvent, p)
		return err
	})
}

// The real livekit-client bundle loads under the page's CSP, and a page
// that cannot reach LiveKit keeps retrying with fresh tokens.
func TestRealBundle(t *testing.T) {
	if !AssetsPresent() {
		t.Fatalf("web/%s was not embedded: run bash scripts/setup.sh before building", vendorFile)
	}
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lkURL := "ws://" + l.Addr().String()
	l.Close()

	tk := &tokens{}
	cfg := testConfig(tk)
	cfg.LiveKitURL = lkURL
	srv := httptest.NewServer(Handler(cfg))
	defer srv.Close()
	ctx := startChromium(t)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	if v := js[string](t, ctx, `window.LivekitClient ? LivekitClient.version : 'missing'`); v != "2.23.0" {
		t.Fatalf("livekit-client version %q", v)
	}
	waitJS(t, ctx, "connection failure", `document.body.dataset.state === 'disconnected'`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		tk.mu.Lock()
		n := len(tk.ids)
		tk.mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d joins in 20 s, want a retry", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := js[string](t, ctx, `JSON.stringify(window.__csp)`); got != "[]" {
		t.Errorf("CSP violations: %s", got)
	}
}

// The agent's side of the page: hidden until an agent topic is seen; then
// the status, the chat (the agent's messages, other viewers', this
// viewer's own, sent as {"text"} on browser-agent-chat) and the agent's
// cursor over the picture at x/width, y/height of the displayed video.
func TestViewerAgent(t *testing.T) {
	tk := &tokens{}
	srv := httptest.NewServer(newHandler(testConfig(tk), fakeAssets(t)))
	defer srv.Close()
	ctx := startChromium(t)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitJS(t, ctx, "connected", `document.body.dataset.state === 'connected'`)
	js[any](t, ctx, `fakeLK.addPublisher('pub'); fakeLK.publishVideo(640, 360); null`)
	waitJS(t, ctx, "video playing", `document.body.dataset.video === 'playing'`)
	if got := js[string](t, ctx, `document.body.dataset.agent + ' ' + document.getElementById('agent').hidden + ' ' + document.getElementById('agent-cursor').dataset.visible`); got != "absent true false" {
		t.Fatalf("before any agent message: agent, panel hidden, cursor visible = %q", got)
	}

	// Status and cursor from someone other than the publisher are ignored.
	js[any](t, ctx, `fakeLK.broadcastFrom('mallory', 'browser-agent-status', {status: 'acting'});
		fakeLK.broadcastFrom('mallory', 'browser-agent-cursor', {x: 1, y: 1, visible: true, width: 2, height: 2}); null`)
	time.Sleep(200 * time.Millisecond)
	if got := js[string](t, ctx, `document.body.dataset.agent + ' ' + document.body.dataset.agentStatus`); got != "absent " {
		t.Errorf("agent topics from a non-publisher taken: %q", got)
	}

	js[any](t, ctx, `fakeLK.broadcast('browser-agent-status', {status: 'thinking'});
		fakeLK.broadcast('browser-agent-chat', {text: 'Looking at the page <b>now</b>', sender: 'agent'}); null`)
	waitJS(t, ctx, "agent panel", `document.body.dataset.agent === 'present' && !document.getElementById('agent').hidden`)
	waitJS(t, ctx, "thinking", `document.body.dataset.agentStatus === 'thinking' && document.getElementById('agent-status').textContent === 'Thinking…'`)
	if got := js[string](t, ctx, `(() => { const li = document.querySelector('#chat-log li'); return li.dataset.sender + '|' + li.textContent + '|' + li.querySelectorAll('b').length; })()`); got != "agent|AgentLooking at the page <b>now</b>|0" {
		t.Errorf("agent's chat entry: %q", got)
	}

	// The cursor: page (480, 90) of 640x360 on the displayed video.
	js[any](t, ctx, `fakeLK.broadcast('browser-agent-status', {status: 'acting'});
		fakeLK.broadcast('browser-agent-cursor', {x: 480, y: 90, action: 'left_click', visible: true, width: 640, height: 360}); null`)
	waitJS(t, ctx, "cursor shown", `document.getElementById('agent-cursor').dataset.visible === 'true' && document.body.dataset.agentStatus === 'acting'`)
	b := videoBox(t, ctx)
	wantX, wantY := b.cx+480.0/640*b.VW*b.scale, b.cy+90.0/360*b.VH*b.scale
	type pt struct{ X, Y float64 }
	centre := func() pt {
		t.Helper()
		raw := js[string](t, ctx, `(() => { const r = document.getElementById('agent-cursor').getBoundingClientRect();
			return JSON.stringify({X: r.left + r.width / 2, Y: r.top + r.height / 2}); })()`)
		var p pt
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The cursor glides (a CSS transition): wait for it to arrive.
	var got pt
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got = centre()
		if math.Abs(got.X-wantX) < 1.5 && math.Abs(got.Y-wantY) < 1.5 || time.Now().After(deadline) {
			break
		}
	}
	if math.Abs(got.X-wantX) >= 1.5 || math.Abs(got.Y-wantY) >= 1.5 {
		t.Errorf("agent cursor centred at %+v, want (%.1f, %.1f) (video box %+v)", got, wantX, wantY, b)
	}
	if a := js[string](t, ctx, `document.getElementById('agent-cursor').dataset.action`); a != "left_click" {
		t.Errorf("cursor action %q", a)
	}

	// This viewer writes to the agent: {"text"} on the chat topic, reliable,
	// to everyone; shown as its own.
	do(t, ctx, chromedp.Click(chromedp.CSS("#chat-input")), chromedp.KeyEvent("  open the menu, please \r"))
	waitJS(t, ctx, "chat sent", `fakeLK.packets.some((p) => p.opts.topic === 'browser-agent-chat')`)
	raw := js[string](t, ctx, `JSON.stringify(fakeLK.packets.filter((p) => p.opts.topic === 'browser-agent-chat'))`)
	var sent []struct {
		Events map[string]any `json:"events"`
		Opts   struct {
			Reliable     bool     `json:"reliable"`
			Topic        string   `json:"topic"`
			Destinations []string `json:"destinationIdentities"`
		} `json:"opts"`
	}
	if err := json.Unmarshal([]byte(raw), &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || len(sent[0].Events) != 1 || sent[0].Events["text"] != "open the menu, please" || !sent[0].Opts.Reliable || len(sent[0].Opts.Destinations) != 0 {
		t.Errorf("chat packets: %s", raw)
	}
	if n := js[int](t, ctx, `fakeLK.packets.filter((p) => p.opts.topic === 'browser-input').length`); n != 0 {
		t.Errorf("typing in the chat sent %d input packets", n)
	}
	if got := js[string](t, ctx, `document.getElementById('chat-input').value + '|' + document.querySelector('#chat-log li:last-child').dataset.sender + '|' + document.querySelector('#chat-log li:last-child').textContent`); got != "|me|Youopen the menu, please" {
		t.Errorf("own message: %q", got)
	}

	// Another viewer's message shows under its name, even if it claims to
	// be the agent; the agent's pause; then idle hides the cursor.
	js[any](t, ctx, `fakeLK.broadcastFrom('viewer-bob', 'browser-agent-chat', {text: 'hi agent', sender: 'agent'});
		fakeLK.broadcast('browser-agent-chat', {text: '(paused — you have control)', sender: 'agent'});
		fakeLK.broadcast('browser-agent-cursor', {visible: false});
		fakeLK.broadcast('browser-agent-status', {status: 'idle'}); null`)
	waitJS(t, ctx, "idle, cursor hidden", `document.body.dataset.agentStatus === 'idle' && document.getElementById('agent-cursor').dataset.visible === 'false'`)
	log := js[string](t, ctx, `Array.from(document.querySelectorAll('#chat-log li')).map((li) => li.dataset.sender + ':' + li.textContent).join('\n')`)
	want := "agent:AgentLooking at the page <b>now</b>\nme:Youopen the menu, please\nviewer:viewer-bobhi agent\nagent:Agent(paused — you have control)"
	if log != want {
		t.Errorf("chat log:\n%s\nwant:\n%s", log, want)
	}
	if got := js[string](t, ctx, `JSON.stringify(window.__csp)`); got != "[]" {
		t.Errorf("CSP violations: %s", got)
	}
}

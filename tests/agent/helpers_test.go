package agent

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// The test pages are 1280x720 pages on a declared 640x360 display: every
// display pixel is 2x2 page pixels, so a coordinate the agent did not
// convert lands elsewhere.
const (
	pageW, pageH       = 1280, 720
	displayW, displayH = 640, 360
)

// Colours of form.html.
var (
	blue    = color.RGBA{0x20, 0x40, 0xa0, 0xff} // the background
	red     = color.RGBA{0xe0, 0x20, 0x20, 0xff} // the button
	green   = color.RGBA{0x20, 0xc0, 0x20, 0xff} // the button once clicked
	grey    = color.RGBA{0x30, 0x30, 0x30, 0xff} // the output
	magenta = color.RGBA{0xc0, 0x20, 0xc0, 0xff} // the output once the form was sent
	yellow  = color.RGBA{0xf0, 0xe0, 0x20, 0xff} // the small square
	white   = color.RGBA{0xff, 0xff, 0xff, 0xff} // the text field
	leaf    = color.RGBA{0x20, 0xa0, 0x40, 0xff} // green.html
)

// Display pixels of form.html's parts (page pixels halved).
var (
	buttonAt  = image.Point{125, 80}  // the button's centre (page 250,160)
	buttonBg  = image.Point{60, 60}   // inside the button, away from its label
	fieldAt   = image.Point{150, 165} // the text field
	outBg     = image.Point{540, 170} // inside the output, right of its text
	squareBox = []int{445, 45, 475, 75}
	bgAt      = image.Point{600, 20} // background
)

// openForm opens a 1280x720 page on name and waits for it to load.
func openForm(t *testing.T, name string) *lkbrowser.Page {
	t.Helper()
	p := testsupport.OpenPage(t, engine, lkbrowser.PageOptions{URL: pageURL(name), Width: pageW, Height: pageH})
	deadline := time.Now().Add(15 * time.Second)
	for testsupport.EvalAs[string](t, p, `document.readyState`) != "complete" || !painted(t, p) {
		if time.Now().After(deadline) {
			t.Fatal("the page did not load and paint")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

// painted reports whether the page's picture shows its background at the
// top right (a screenshot sends no input and does not wait, so the first
// one must not find an unpainted page).
func painted(t *testing.T, p *lkbrowser.Page) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f, err := p.Snapshot(ctx)
	if err != nil {
		t.Logf("Snapshot: %v", err)
		return false
	}
	defer f.Release()
	i := 40*f.Stride + 1200*4
	return near(color.RGBA{f.Pix[i+2], f.Pix[i+1], f.Pix[i], 0xff}, blue)
}

// newAgent makes an agent on page with a 640x360 computer and the
// Anthropic provider pointed at fake.
func newAgent(t *testing.T, page *lkbrowser.Page, fake *fakeanthropic.Server, popts anthropic.Options, opts agent.Options) *agent.Agent {
	t.Helper()
	comp, err := computer.New(page, computer.Options{DisplayWidth: displayW, DisplayHeight: displayH, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if w, h := comp.Display(); w != displayW || h != displayH {
		t.Fatalf("display %dx%d", w, h)
	}
	popts.RequestOptions = append(popts.RequestOptions, option.WithBaseURL(fake.URL), option.WithAPIKey("test-key"), option.WithMaxRetries(0))
	provider, err := anthropic.New(popts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = log
	a, err := agent.New(page, comp, provider, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// shot decodes an image block as a PNG of the declared display size.
func shot(t *testing.T, b fakeanthropic.Block) image.Image {
	t.Helper()
	img, format, err := b.Decode()
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return image.NewRGBA(image.Rect(0, 0, displayW, displayH))
	}
	if format != "png" {
		t.Errorf("screenshot is %s, want png", format)
	}
	if s := img.Bounds().Size(); s != (image.Point{displayW, displayH}) {
		t.Errorf("screenshot is %v, want the declared %dx%d", s, displayW, displayH)
	}
	return img
}

// resultShot is the screenshot of the request's result i.
func resultShot(t *testing.T, req *fakeanthropic.Request, i int) image.Image {
	t.Helper()
	res := req.Results()
	if i >= len(res) {
		t.Errorf("result %d of %d", i, len(res))
		return image.NewRGBA(image.Rect(0, 0, displayW, displayH))
	}
	if res[i].IsError {
		t.Errorf("result %d is an error: %s", i, res[i].Content.Text())
	}
	imgs := res[i].Content.Images()
	if len(imgs) != 1 {
		t.Errorf("result %d has %d images, want 1 (text %q)", i, len(imgs), res[i].Content.Text())
		return image.NewRGBA(image.Rect(0, 0, displayW, displayH))
	}
	return shot(t, imgs[0])
}

// near reports whether c is want within a small tolerance (scaling blends
// edges, not solid areas).
func near(c, want color.Color) bool {
	r, g, b, _ := c.RGBA()
	wr, wg, wb, _ := want.RGBA()
	d := func(x, y uint32) bool { return int(x>>8)-int(y>>8) <= 24 && int(y>>8)-int(x>>8) <= 24 }
	return d(r, wr) && d(g, wg) && d(b, wb)
}

// wantColour fails t unless img's pixel at p is want.
func wantColour(t *testing.T, what string, img image.Image, p image.Point, want color.Color) {
	t.Helper()
	if c := img.At(p.X, p.Y); !near(c, want) {
		t.Errorf("%s: pixel %v is %v, want %v", what, p, c, want)
	}
}

// observed records what an Observer is told.
type observed struct {
	mu     sync.Mutex
	events []string
}

func (o *observed) add(s string)          { o.mu.Lock(); o.events = append(o.events, s); o.mu.Unlock() }
func (o *observed) Status(s agent.Status) { o.add("status " + string(s)) }
func (o *observed) Said(text string)      { o.add("said " + text) }
func (o *observed) Acting(a computer.Action, at *image.Point, w, h int) {
	if at == nil {
		o.add(fmt.Sprintf("acting %s %dx%d", a.Kind, w, h))
		return
	}
	o.add(fmt.Sprintf("acting %s at %d,%d %dx%d", a.Kind, at.X, at.Y, w, h))
}
func (o *observed) Acted(a computer.Action, err error) {
	o.add(fmt.Sprintf("acted %s %v", a.Kind, err))
}
func (o *observed) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.events...)
}

// runAgent runs a with a deadline.
func runAgent(t *testing.T, a *agent.Agent, text string) (agent.Outcome, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return a.Run(ctx, text)
}

// noRefusals fails t if the API stand-in refused a request: the agent sent
// something the real API would refuse.
func noRefusals(t *testing.T, fake *fakeanthropic.Server) {
	t.Helper()
	if r := fake.Refused(); len(r) > 0 {
		t.Errorf("the API refused requests: %v", r)
	}
}

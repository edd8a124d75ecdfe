package computer

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// rgb is an expected colour.
type rgb struct{ r, g, b uint8 }

var (
	red     = rgb{255, 0, 0}
	green   = rgb{0, 255, 0}
	blue    = rgb{0, 0, 255}
	yellow  = rgb{255, 255, 0}
	magenta = rgb{255, 0, 255}
	white   = rgb{255, 255, 255}
)

func (c rgb) near(o rgb, tol int) bool {
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return d(c.r, o.r) <= tol && d(c.g, o.g) <= tol && d(c.b, o.b) <= tol
}

// pixel returns the colour of img at x, y.
func pixel(img image.Image, x, y int) rgb {
	r, g, b, _ := img.At(x, y).RGBA()
	return rgb{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

// framePixel returns the colour of a frame at x, y.
func framePixel(f *lkbrowser.Frame, x, y int) rgb {
	b, g, r := f.BGRA(x, y)
	return rgb{r, g, b}
}

// openPage opens a test page of w x h, waits for its load and until it
// shows colour c at x, y (Chromium ignores input until a new document has
// painted), and closes it when the test ends.
func openPage(t testing.TB, name string, w, h int, x, y int, c rgb) *lkbrowser.Page {
	t.Helper()
	p := testsupport.OpenPage(t, engine, lkbrowser.PageOptions{URL: url(name), Width: w, Height: h})
	waitShows(t, p, x, y, c)
	return p
}

// waitShows waits (10 s at most) until the page shows colour c at x, y.
func waitShows(t testing.TB, p *lkbrowser.Page, x, y int, c rgb) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f, err := p.Snapshot(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		got := framePixel(f, x, y)
		f.Release()
		if got.near(c, 2) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("page shows %v at %d,%d, want %v", got, x, y, c)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// newComputer makes a Computer for p, failing the test on error.
func newComputer(t testing.TB, p *lkbrowser.Page, opts computer.Options) *computer.Computer {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = logger
	}
	c, err := computer.New(p, opts)
	if err != nil {
		t.Fatalf("computer.New: %v", err)
	}
	return c
}

// do performs a, failing the test on error (within 30 s).
func do(t testing.TB, c *computer.Computer, a computer.Action) computer.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.Do(ctx, a)
	if err != nil {
		t.Fatalf("Do(%s): %v", a.Kind, err)
	}
	t.Logf("%s: settled %+v", a.Kind, res.Settled)
	return res
}

// pt returns a pointer to a point, for Action.Point.
func pt(x, y int) *image.Point { p := image.Pt(x, y); return &p }

// evalAs evaluates expr on p and decodes its value.
func evalAs[T any](t testing.TB, p *lkbrowser.Page, expr string) T {
	t.Helper()
	return testsupport.EvalAs[T](t, p, expr)
}

// decode decodes a screenshot, checking that its bytes are of its declared
// format and its size the declared one.
func decode(t testing.TB, img *computer.Image) image.Image {
	t.Helper()
	if img == nil {
		t.Fatal("no image in the result")
	}
	var (
		m   image.Image
		err error
	)
	switch img.Format {
	case computer.PNG:
		m, err = png.Decode(bytes.NewReader(img.Data))
	case computer.JPEG:
		m, err = jpeg.Decode(bytes.NewReader(img.Data))
	default:
		t.Fatalf("image format %q", img.Format)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", img.Format, err)
	}
	if b := m.Bounds(); b.Dx() != img.Width || b.Dy() != img.Height {
		t.Fatalf("image is %dx%d, its Width x Height say %dx%d", b.Dx(), b.Dy(), img.Width, img.Height)
	}
	return m
}

// event is one entry of a test page's event log (window.ev).
type event struct {
	T     string   `json:"t"`
	X     float64  `json:"x"`
	Y     float64  `json:"y"`
	B     int      `json:"b"`
	Bs    int      `json:"bs"`
	D     int      `json:"d"`
	Shift bool     `json:"shift"`
	Ctrl  bool     `json:"ctrl"`
	Alt   bool     `json:"alt"`
	Meta  bool     `json:"meta"`
	DX    float64  `json:"dx"`
	DY    float64  `json:"dy"`
	Key   string   `json:"key"`
	Code  string   `json:"code"`
	Rep   bool     `json:"repeat"`
	At    float64  `json:"at"`
	Pts   [][2]int `json:"pts"`
}

// events returns the page's event log of the given types (all when none).
func events(t testing.TB, p *lkbrowser.Page, types ...string) []event {
	t.Helper()
	all := evalAs[[]event](t, p, `window.ev`)
	if len(types) == 0 {
		return all
	}
	var out []event
	for _, e := range all {
		for _, ty := range types {
			if e.T == ty {
				out = append(out, e)
			}
		}
	}
	return out
}

// clearEvents empties the page's event log.
func clearEvents(t testing.TB, p *lkbrowser.Page) {
	t.Helper()
	evalAs[any](t, p, `window.ev.length = 0`)
}

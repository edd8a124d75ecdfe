package computer

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// quadrants are points of colors.html's quadrants in display pixels of a
// 640x360 display (half the page), away from the magenta square.
var quadrants = []struct {
	x, y int
	c    rgb
}{
	{160, 90, red}, {480, 90, green}, {160, 270, blue}, {480, 270, yellow},
	{2, 2, red}, {637, 2, green}, {2, 357, blue}, {637, 357, yellow},
}

// TestComputerScreenshotPNG: a PNG of exactly the declared display size
// (half the page) showing the page's colours, with its scale contract.
func TestComputerScreenshotPNG(t *testing.T) {
	p := openPage(t, "colors.html", 1280, 720, 620, 320, magenta)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	img := do(t, c, computer.Action{Kind: computer.Screenshot}).Image
	m := decode(t, img)
	if img.Width != 640 || img.Height != 360 || img.Format != computer.PNG {
		t.Fatalf("screenshot %dx%d %s, want a 640x360 PNG", img.Width, img.Height, img.Format)
	}
	if img.Origin != (image.Point{}) || img.ScaleX != 2 || img.ScaleY != 2 {
		t.Errorf("scale contract: origin %v scale %v x %v, want (0,0) and 2 x 2", img.Origin, img.ScaleX, img.ScaleY)
	}
	for _, q := range quadrants {
		if got := pixel(m, q.x, q.y); !got.near(q.c, 3) {
			t.Errorf("screenshot at %d,%d shows %v, want %v", q.x, q.y, got, q.c)
		}
	}
	// The magenta square, page 600..640 x 300..340, is display 300..320 x 150..170.
	if got := pixel(m, 310, 160); !got.near(magenta, 3) {
		t.Errorf("screenshot at 310,160 shows %v, want the magenta square", got)
	}
}

// TestComputerScreenshotJPEG: a JPEG of the declared size, at the asked
// quality (a lower quality makes a smaller file).
func TestComputerScreenshotJPEG(t *testing.T) {
	p := openPage(t, "colors.html", 1280, 720, 620, 320, magenta)
	c := newComputer(t, p, computer.Options{DisplayWidth: 800, DisplayHeight: 450})
	hi := do(t, c, computer.Action{Kind: computer.Screenshot, Format: computer.JPEG, Quality: 95}).Image
	lo := do(t, c, computer.Action{Kind: computer.Screenshot, Format: computer.JPEG, Quality: 10}).Image
	m := decode(t, hi)
	decode(t, lo)
	if hi.Width != 800 || hi.Height != 450 || hi.Format != computer.JPEG {
		t.Fatalf("screenshot %dx%d %s, want an 800x450 JPEG", hi.Width, hi.Height, hi.Format)
	}
	if hi.ScaleX != 1.6 || hi.ScaleY != 1.6 {
		t.Errorf("scale %v x %v, want 1.6", hi.ScaleX, hi.ScaleY)
	}
	for _, q := range quadrants {
		x, y := q.x*800/640, q.y*450/360
		if x > 780 {
			x = 780
		}
		if y > 430 {
			y = 430
		}
		if got := pixel(m, x, y); !got.near(q.c, 24) {
			t.Errorf("JPEG at %d,%d shows %v, want about %v", x, y, got, q.c)
		}
	}
	if len(lo.Data) >= len(hi.Data) {
		t.Errorf("quality 10 gave %d bytes, quality 95 %d", len(lo.Data), len(hi.Data))
	}
}

// TestComputerZoom zooms on a display region around the magenta square:
// the image shows that region of the page at full resolution, scaled to
// fit the display keeping its aspect, with origin and scale to match.
func TestComputerZoom(t *testing.T) {
	p := openPage(t, "colors.html", 1280, 720, 620, 320, magenta)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	// Display 290..330 x 140..180 is page 580..660 x 280..360: the square
	// (600..640 x 300..340) in the middle, red left and above, green right.
	res := do(t, c, computer.Action{Kind: computer.Zoom, Region: image.Rect(290, 140, 330, 180)})
	img := res.Image
	m := decode(t, img)
	if img.Width != 360 || img.Height != 360 {
		t.Fatalf("zoom is %dx%d, want 360x360 (an 80x80 page region fitted into 640x360)", img.Width, img.Height)
	}
	if img.Origin != image.Pt(580, 280) || !nearf(img.ScaleX, 80.0/360, 1e-9) || !nearf(img.ScaleY, 80.0/360, 1e-9) {
		t.Errorf("zoom origin %v scale %v x %v, want (580,280) and 0.222", img.Origin, img.ScaleX, img.ScaleY)
	}
	// Image pixel (x, y) shows page pixel Origin + (x, y) * Scale.
	for _, q := range []struct {
		x, y int
		c    rgb
	}{{180, 180, magenta}, {100, 100, magenta}, {250, 250, magenta}, {20, 20, red}, {20, 340, red}, {340, 20, green}, {340, 200, green}} {
		if got := pixel(m, q.x, q.y); !got.near(q.c, 3) {
			px := float64(img.Origin.X) + float64(q.x)*img.ScaleX
			py := float64(img.Origin.Y) + float64(q.y)*img.ScaleY
			t.Errorf("zoom at %d,%d (page %.0f,%.0f) shows %v, want %v", q.x, q.y, px, py, got, q.c)
		}
	}
	// A wide region is fitted by its width.
	img = do(t, c, computer.Action{Kind: computer.Zoom, Region: image.Rect(0, 0, 640, 90), Format: computer.JPEG}).Image
	decode(t, img)
	if img.Width != 640 || img.Height != 90 {
		t.Errorf("wide zoom %dx%d, want 640x90", img.Width, img.Height)
	}
}

// TestComputerDefaultDisplay: a page above DefaultMaxDisplay pixels gets a
// display scaled down uniformly to fit; a small page is its own display.
func TestComputerDefaultDisplay(t *testing.T) {
	p := testsupport.OpenPage(t, engine, lkbrowser.PageOptions{URL: url("colors.html"), Width: 1600, Height: 1000})
	c := newComputer(t, p, computer.Options{})
	w, h := c.Display()
	if w*h > computer.DefaultMaxDisplay || w < 1350 || h < 840 || w > 1568 || h > 1568 {
		t.Errorf("default display for 1600x1000: %dx%d, want the largest 16:10 within %d pixels", w, h, computer.DefaultMaxDisplay)
	}
	if r := float64(w) / float64(h); r < 1.59 || r > 1.61 {
		t.Errorf("display %dx%d does not keep the page's 1.6 aspect", w, h)
	}
	img := do(t, c, computer.Action{Kind: computer.Screenshot}).Image
	decode(t, img)
	if img.Width != w || img.Height != h {
		t.Errorf("screenshot %dx%d on a %dx%d display", img.Width, img.Height, w, h)
	}
	small := testsupport.OpenPage(t, engine, lkbrowser.PageOptions{URL: url("colors.html"), Width: 800, Height: 600})
	if w, h := newComputer(t, small, computer.Options{}).Display(); w != 800 || h != 600 {
		t.Errorf("default display for 800x600: %dx%d, want the page's own size", w, h)
	}
}

// TestComputerPageResized: after the page is resized the display stays as
// declared, and coordinates follow the page's new size.
func TestComputerPageResized(t *testing.T) {
	p := openPage(t, "pointer.html", 1280, 720, 900, 450, red)
	c := newComputer(t, p, computer.Options{DisplayWidth: 640, DisplayHeight: 360})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Resize(ctx, 960, 540); err != nil {
		t.Fatal(err)
	}
	waitShows(t, p, 900, 450, red)
	do(t, c, computer.Action{Kind: computer.Click, Point: pt(600, 300)}) // page 900,450 at 1.5 a pixel
	clicks := events(t, p, "click")
	if len(clicks) != 1 || clicks[0].X != 900 || clicks[0].Y != 450 {
		t.Errorf("clicks %+v, want one at 900,450 on the resized page", clicks)
	}
	img := do(t, c, computer.Action{Kind: computer.Screenshot}).Image
	m := decode(t, img)
	if img.Width != 640 || img.Height != 360 || img.ScaleX != 1.5 {
		t.Errorf("screenshot %dx%d scale %v after the resize, want 640x360 at 1.5", img.Width, img.Height, img.ScaleX)
	}
	if got := pixel(m, 600, 300); !got.near(green, 8) {
		t.Errorf("screenshot shows %v on the clicked button, want green", got)
	}
}

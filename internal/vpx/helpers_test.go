//go:build linux && cgo

package vpx

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// rgb is an opaque colour for the test pictures.
type rgb struct{ r, g, b float64 }

var (
	grey  = rgb{128, 128, 128}
	red   = rgb{255, 0, 0}
	green = rgb{0, 255, 0}
	blue  = rgb{0, 0, 255}
	white = rgb{255, 255, 255}
)

// block is a coloured square of a test picture.
type block struct {
	r image.Rectangle
	c rgb
}

// fourBlocks returns red, green, blue and white squares on a w x h picture,
// shifted right by dx pixels.
func fourBlocks(w, h, dx int) []block {
	s := min(w, h) / 4
	return []block{
		{image.Rect(w/8+dx, h/8, w/8+dx+s, h/8+s), red},
		{image.Rect(w/2+dx, h/8, w/2+dx+s, h/8+s), green},
		{image.Rect(w/8+dx, h/2, w/8+dx+s, h/2+s), blue},
		{image.Rect(w/2+dx, h/2, w/2+dx+s, h/2+s), white},
	}
}

// drawBGRA paints blocks on a grey background into a BGRA buffer.
func drawBGRA(w, h int, blocks []block) []byte {
	pix := make([]byte, 4*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := grey
			for _, b := range blocks {
				if image.Pt(x, y).In(b.r) {
					c = b.c
				}
			}
			i := 4 * (y*w + x)
			pix[i], pix[i+1], pix[i+2], pix[i+3] = byte(c.b), byte(c.g), byte(c.r), 0xff
		}
	}
	return pix
}

// picture returns the blocks picture as I420.
func picture(t testing.TB, w, h int, blocks []block) *yuv.I420 {
	t.Helper()
	img := yuv.NewI420(w, h)
	if err := yuv.FromBGRA(img, drawBGRA(w, h, blocks), 4*w, w, h, nil); err != nil {
		t.Fatal(err)
	}
	return img
}

// toRGB converts one I420 sample back with the BT.601 limited-range
// inverse.
func toRGB(y, u, v float64) rgb {
	y, u, v = 1.164383*(y-16), u-128, v-128
	return rgb{y + 1.596027*v, y - 0.391762*u - 0.812968*v, y + 2.017232*u}
}

// average returns the mean colour of the 32x32 square at the centre of r.
func average(img *yuv.I420, r image.Rectangle) rgb {
	c := r.Min.Add(r.Max).Div(2)
	var sum rgb
	n := 0.0
	for y := c.Y - 16; y < c.Y+16; y++ {
		for x := c.X - 16; x < c.X+16; x++ {
			p := toRGB(float64(img.Y[y*img.StrideY+x]),
				float64(img.U[(y/2)*img.StrideUV+x/2]),
				float64(img.V[(y/2)*img.StrideUV+x/2]))
			sum.r, sum.g, sum.b = sum.r+p.r, sum.g+p.g, sum.b+p.b
			n++
		}
	}
	return rgb{sum.r / n, sum.g / n, sum.b / n}
}

// checkBlocks checks that every block's centre has its colour within tol.
func checkBlocks(t *testing.T, what string, img *yuv.I420, blocks []block, tol float64) {
	t.Helper()
	for _, b := range blocks {
		got := average(img, b.r)
		if d := max(abs(got.r-b.c.r), abs(got.g-b.c.g), abs(got.b-b.c.b)); d > tol {
			t.Errorf("%s: block %v: decoded %.1f, want %v (off by %.1f)", what, b.r, got, b.c, d)
		}
	}
	bg := average(img, image.Rect(0, img.Height-40, 40, img.Height))
	if d := max(abs(bg.r-grey.r), abs(bg.g-grey.g), abs(bg.b-grey.b)); d > tol {
		t.Errorf("%s: background decoded %.1f, want grey", what, bg)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// movingCanvas makes pictures of a gradient with noise that pans by a few
// pixels per frame, the noise different from frame to frame: variants
// canvases, each (w+pad) x (h+pad), frame i a window into canvas i%variants.
type movingCanvas struct {
	w, h, pad int
	canvases  []*yuv.I420
	frame     yuv.I420 // the window handed out, reused
}

func newMovingCanvas(w, h, variants int, noise int) *movingCanvas {
	const pad = 256
	m := &movingCanvas{w: w, h: h, pad: pad}
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	cw, ch := w+pad, h+pad
	for range variants {
		c := yuv.NewI420(cw, ch)
		for y := 0; y < ch; y++ {
			for x := 0; x < cw; x++ {
				v := 16 + (x+2*y)%220 + rng.IntN(2*noise+1) - noise
				c.Y[y*c.StrideY+x] = byte(min(max(v, 0), 255))
			}
		}
		ccw, cch := c.ChromaSize()
		for y := 0; y < cch; y++ {
			for x := 0; x < ccw; x++ {
				c.U[y*c.StrideUV+x] = byte(64 + (x+y)%128)
				c.V[y*c.StrideUV+x] = byte(192 - (2*x+y)%128)
			}
		}
		m.canvases = append(m.canvases, c)
	}
	return m
}

// at returns frame i, valid until the next call.
func (m *movingCanvas) at(i int) *yuv.I420 {
	c := m.canvases[i%len(m.canvases)]
	dx, dy := (4*i)%m.pad&^1, (2*i)%m.pad&^1
	m.frame = yuv.I420{
		Y:        c.Y[dy*c.StrideY+dx:],
		U:        c.U[dy/2*c.StrideUV+dx/2:],
		V:        c.V[dy/2*c.StrideUV+dx/2:],
		StrideY:  c.StrideY,
		StrideUV: c.StrideUV,
		Width:    m.w,
		Height:   m.h,
	}
	return &m.frame
}

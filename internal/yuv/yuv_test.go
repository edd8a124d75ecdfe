package yuv

import (
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// refYUV is BT.601 limited range in floating point, computed independently
// of the integer formulas under test.
func refYUV(r, g, b float64) (y, u, v float64) {
	y = 16 + 219*(0.299*r+0.587*g+0.114*b)/255
	u = 128 + 224*(-0.168736*r-0.331264*g+0.5*b)/255
	v = 128 + 224*(0.5*r-0.418688*g-0.081312*b)/255
	return
}

// bgra is a test picture: w x h pixels with a stride wider than 4*w.
type bgra struct {
	pix    []byte
	stride int
	w, h   int
}

func newBGRA(w, h int) *bgra {
	s := 4*w + 12 // a stride with padding, like some capture buffers
	return &bgra{pix: make([]byte, s*h), stride: s, w: w, h: h}
}

func (p *bgra) set(x, y int, r, g, b byte) {
	i := y*p.stride + 4*x
	p.pix[i], p.pix[i+1], p.pix[i+2], p.pix[i+3] = b, g, r, 0x5a // X is not alpha
}

func (p *bgra) at(x, y int) (r, g, b float64) {
	i := y*p.stride + 4*x
	return float64(p.pix[i+2]), float64(p.pix[i+1]), float64(p.pix[i])
}

type converter struct {
	name string
	fn   func(*I420, []byte, int, int, int, []image.Rectangle) error
}

var converters = []converter{{"libyuv", FromBGRA}, {"go", FromBGRAGo}}

// verify compares every sample of img with the float reference computed
// from p (chroma from the average of the pixels each sample covers).
func verify(t *testing.T, name string, p *bgra, img *I420, tol float64) {
	t.Helper()
	bad := 0
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			r, g, b := p.at(x, y)
			want, _, _ := refYUV(r, g, b)
			if got := float64(img.Y[y*img.StrideY+x]); math.Abs(got-want) > tol {
				if bad++; bad < 5 {
					t.Errorf("%s: Y(%d,%d) = %v, want %.2f (rgb %v %v %v)", name, x, y, got, want, r, g, b)
				}
			}
		}
	}
	cw, ch := img.ChromaSize()
	for j := 0; j < ch; j++ {
		for i := 0; i < cw; i++ {
			var sr, sg, sb, n float64
			for y := 2 * j; y < min(2*j+2, p.h); y++ {
				for x := 2 * i; x < min(2*i+2, p.w); x++ {
					r, g, b := p.at(x, y)
					sr, sg, sb, n = sr+r, sg+g, sb+b, n+1
				}
			}
			_, wu, wv := refYUV(sr/n, sg/n, sb/n)
			gu, gv := float64(img.U[j*img.StrideUV+i]), float64(img.V[j*img.StrideUV+i])
			if math.Abs(gu-wu) > tol || math.Abs(gv-wv) > tol {
				if bad++; bad < 5 {
					t.Errorf("%s: UV(%d,%d) = %v,%v, want %.2f,%.2f", name, i, j, gu, gv, wu, wv)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d samples off by more than %v", name, bad, tol)
	}
}

// blocks draws 16x16 blocks of solid colours and one of random pixels.
func blocks(w, h int, seed uint64) *bgra {
	p := newBGRA(w, h)
	rng := rand.New(rand.NewPCG(seed, 1))
	solid := [][3]byte{
		{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}, {0, 0, 0},
		{128, 128, 128}, {255, 255, 0}, {0, 255, 255}, {255, 0, 255}, {37, 99, 201},
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			k := (x/16 + y/16*7) % (len(solid) + 1)
			if k == len(solid) {
				p.set(x, y, byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()))
				continue
			}
			c := solid[k]
			p.set(x, y, c[0], c[1], c[2])
		}
	}
	return p
}

func TestSolidColours(t *testing.T) {
	for _, c := range []struct {
		name    string
		r, g, b byte
	}{
		{"red", 255, 0, 0}, {"green", 0, 255, 0}, {"blue", 0, 0, 255},
		{"white", 255, 255, 255}, {"black", 0, 0, 0}, {"grey", 128, 128, 128},
	} {
		p := newBGRA(64, 32)
		for y := 0; y < p.h; y++ {
			for x := 0; x < p.w; x++ {
				p.set(x, y, c.r, c.g, c.b)
			}
		}
		for _, cv := range converters {
			img := NewI420(p.w, p.h)
			if err := cv.fn(img, p.pix, p.stride, p.w, p.h, nil); err != nil {
				t.Fatal(err)
			}
			verify(t, cv.name+"/"+c.name, p, img, 2)
		}
	}
}

func TestBlocksAndRandom(t *testing.T) {
	for _, size := range [][2]int{{1280, 720}, {321, 241}, {1, 1}, {3, 5}, {33, 2}, {2, 33}} {
		p := blocks(size[0], size[1], 7)
		for _, cv := range converters {
			img := NewI420(p.w, p.h)
			if err := cv.fn(img, p.pix, p.stride, p.w, p.h, nil); err != nil {
				t.Fatalf("%s %v: %v", cv.name, size, err)
			}
			verify(t, cv.name, p, img, 2)
		}
	}
}

// TestGoMatchesLibyuv: the two implementations agree within 1 on random
// pixels (different rounding in libyuv's SIMD code).
func TestGoMatchesLibyuv(t *testing.T) {
	p := newBGRA(333, 181)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range p.pix {
		p.pix[i] = byte(rng.Uint32())
	}
	a, b := NewI420(p.w, p.h), NewI420(p.w, p.h)
	if err := FromBGRA(a, p.pix, p.stride, p.w, p.h, nil); err != nil {
		t.Fatal(err)
	}
	if err := FromBGRAGo(b, p.pix, p.stride, p.w, p.h, nil); err != nil {
		t.Fatal(err)
	}
	for _, pl := range []struct {
		name string
		a, b []byte
	}{{"Y", a.Y, b.Y}, {"U", a.U, b.U}, {"V", a.V, b.V}} {
		worst := 0
		for i := range pl.a {
			worst = max(worst, abs(int(pl.a[i])-int(pl.b[i])))
		}
		if worst > 1 {
			t.Errorf("plane %s: libyuv and Go differ by up to %d", pl.name, worst)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestRects: converting only some rectangles writes exactly their
// even-expanded area, and that area matches a whole-frame conversion.
func TestRects(t *testing.T) {
	const w, h = 321, 241
	p := blocks(w, h, 11)
	rects := []image.Rectangle{
		image.Rect(5, 7, 20, 30),       // odd corners: becomes (4,6)-(20,30)
		image.Rect(100, 100, 101, 101), // one pixel: (100,100)-(102,102)
		image.Rect(300, 230, 400, 400), // crosses the odd edge: (300,230)-(321,241)
		image.Rect(-10, -10, 3, 1),     // clipped: (0,0)-(4,2)
		image.Rect(500, 500, 600, 600), // outside: nothing
		image.Rect(50, 50, 50, 80),     // empty: nothing
	}
	expanded := []image.Rectangle{
		image.Rect(4, 6, 20, 30), image.Rect(100, 100, 102, 102),
		image.Rect(300, 230, 321, 241), image.Rect(0, 0, 4, 2),
	}
	inside := func(x, y int) bool {
		for _, r := range expanded {
			if image.Pt(x, y).In(r) {
				return true
			}
		}
		return false
	}
	for _, cv := range converters {
		full := NewI420(w, h)
		if err := cv.fn(full, p.pix, p.stride, w, h, nil); err != nil {
			t.Fatal(err)
		}
		img := NewI420(w, h)
		const fill = 0xa5
		for _, pl := range [][]byte{img.Y, img.U, img.V} {
			for i := range pl {
				pl[i] = fill
			}
		}
		if err := cv.fn(img, p.pix, p.stride, w, h, rects); err != nil {
			t.Fatal(err)
		}
		bad := 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				got, want := img.Y[y*img.StrideY+x], byte(fill)
				if inside(x, y) {
					want = full.Y[y*full.StrideY+x]
				}
				if got != want && full.Y[y*full.StrideY+x] != fill {
					if bad++; bad < 5 {
						t.Errorf("%s: Y(%d,%d) = %#x, want %#x (inside %v)", cv.name, x, y, got, want, inside(x, y))
					}
				}
			}
		}
		cw, ch := img.ChromaSize()
		for j := 0; j < ch; j++ {
			for i := 0; i < cw; i++ {
				in := inside(2*i, 2*j)
				for k, pl := range [][2][]byte{{img.U, full.U}, {img.V, full.V}} {
					got, want := pl[0][j*img.StrideUV+i], byte(fill)
					if in {
						want = pl[1][j*full.StrideUV+i]
					}
					if got != want && pl[1][j*full.StrideUV+i] != fill {
						if bad++; bad < 5 {
							t.Errorf("%s: chroma %d (%d,%d) = %#x, want %#x (inside %v)", cv.name, k, i, j, got, want, in)
						}
					}
				}
			}
		}
		// Converting all rectangles of a split picture gives the whole.
		img2 := NewI420(w, h)
		split := []image.Rectangle{image.Rect(0, 0, 161, 120), image.Rect(161, 0, w, 121), image.Rect(0, 120, w, h)}
		if err := cv.fn(img2, p.pix, p.stride, w, h, split); err != nil {
			t.Fatal(err)
		}
		for _, pl := range [][2][]byte{{img2.Y, full.Y}, {img2.U, full.U}, {img2.V, full.V}} {
			for i := range pl[0] {
				if pl[0][i] != pl[1][i] {
					t.Fatalf("%s: split conversion differs from whole at %d", cv.name, i)
				}
			}
		}
	}
}

func TestSizeErrors(t *testing.T) {
	p := newBGRA(64, 32)
	for _, cv := range converters {
		for _, c := range []struct {
			name   string
			dst    *I420
			src    []byte
			stride int
			w, h   int
		}{
			{"nil dst", nil, p.pix, p.stride, 64, 32},
			{"dst size", NewI420(64, 30), p.pix, p.stride, 64, 32},
			{"zero", NewI420(0, 0), p.pix, p.stride, 0, 0},
			{"stride", NewI420(64, 32), p.pix, 4*64 - 4, 64, 32},
			{"short src", NewI420(64, 32), p.pix[:len(p.pix)-20], p.stride, 64, 32},
			{"short Y", &I420{Y: make([]byte, 10), U: make([]byte, 512), V: make([]byte, 512), StrideY: 64, StrideUV: 32, Width: 64, Height: 32}, p.pix, p.stride, 64, 32},
		} {
			if err := cv.fn(c.dst, c.src, c.stride, c.w, c.h, nil); !errors.Is(err, ErrSize) {
				t.Errorf("%s %s: err = %v, want ErrSize", cv.name, c.name, err)
			}
		}
	}
}

func TestNewI420(t *testing.T) {
	img := NewI420(321, 241)
	if img.StrideY != 321 || img.StrideUV != 161 || len(img.Y) != 321*241 ||
		len(img.U) != 161*121 || len(img.V) != 161*121 || cap(img.Y) != len(img.Y) || cap(img.U) != len(img.U) {
		t.Fatalf("bad layout: strides %d %d, lens %d %d %d", img.StrideY, img.StrideUV, len(img.Y), len(img.U), len(img.V))
	}
	if err := img.Check(); err != nil {
		t.Fatal(err)
	}
}

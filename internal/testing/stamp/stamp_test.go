package stamp

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
	"time"
)

// picture returns a w x h RGBA picture with a busy background (phase t) and
// the stamp of ms drawn at the top-left corner, as the pages draw it.
func picture(w, h int, ms int64, t int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{byte(x + t), byte(y * 3), byte(x ^ y), 255})
		}
	}
	for i, white := range Pattern(ms) {
		c := color.RGBA{0, 0, 0, 255}
		if white {
			c = color.RGBA{255, 255, 255, 255}
		}
		for y := range Cell {
			for x := i * Cell; x < (i+1)*Cell; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	return img
}

// bgra converts img to lkbrowser's frame layout (B, G, R, X) with pad
// bytes at the end of every row.
func bgra(img *image.RGBA, pad int) (pix []byte, stride int) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	stride = 4*w + pad
	pix = make([]byte, stride*h)
	for y := range h {
		for x := range w {
			c := img.RGBAAt(x, y)
			copy(pix[y*stride+4*x:], []byte{c.B, c.G, c.R, 0})
		}
	}
	return pix, stride
}

func TestDecodeBGRA(t *testing.T) {
	now := time.Now().UnixMilli()
	for _, ms := range []int64{0, 1, now, 1<<Bits - 1, 0x5555555555, 0xaaaaaaaaaaa} {
		pix, stride := bgra(picture(1280, 80, ms, int(ms%97)), 64)
		if got, ok := DecodeBGRA(pix, stride, 1280, 80); !ok || got != ms {
			t.Errorf("stamp %d: decoded %d, %v", ms, got, ok)
		}
	}
	// The smallest picture that holds the strip.
	pix, stride := bgra(picture(Width, Height, now, 0), 0)
	if got, ok := DecodeBGRA(pix, stride, Width, Height); !ok || got != now {
		t.Errorf("smallest picture: decoded %d, %v", got, ok)
	}
	if _, ok := DecodeBGRA(pix[:len(pix)-1], stride, Width, Height); ok {
		t.Error("a truncated picture decoded")
	}
	if _, ok := DecodeBGRA(pix, stride, Width-1, Height); ok {
		t.Error("a picture narrower than the strip decoded")
	}
}

// Through JPEG at quality 80 (Chromium's screencast), decoded by
// image/jpeg into Y'CbCr, the stamp reads from the luma plane.
func TestDecodeLumaThroughJPEG(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		ms := time.Now().UnixMilli() + int64(rng.IntN(1<<30))
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, picture(1280, 120, ms, i), &jpeg.Options{Quality: 80}); err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		yc, ok := img.(*image.YCbCr)
		if !ok {
			t.Fatalf("jpeg decoded to %T", img)
		}
		if got, ok := DecodeLuma(yc.Y, yc.YStride, 1280, 120); !ok || got != ms {
			t.Fatalf("stamp %d: decoded %d, %v", ms, got, ok)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	ms := time.Now().UnixMilli()
	flip := func(pix []byte, stride, cell int) {
		for y := range Cell {
			for x := cell * Cell; x < (cell+1)*Cell; x++ {
				for c := range 3 {
					pix[y*stride+4*x+c] ^= 0xff
				}
			}
		}
	}
	for name, cells := range map[string][]int{
		"start guard": {1}, "stop guard": {Cells - 2}, "data bit": {20},
		"check bit": {2 + Bits + 1}, "two data bits": {5, 30},
	} {
		pix, stride := bgra(picture(1280, 40, ms, 0), 0)
		for _, c := range cells {
			flip(pix, stride, c)
		}
		if got, ok := DecodeBGRA(pix, stride, 1280, 40); ok {
			t.Errorf("%s: decoded %d, want no stamp", name, got)
		}
	}
	blank := make([]byte, 1280*40*4)
	if _, ok := DecodeBGRA(blank, 1280*4, 1280, 40); ok {
		t.Error("a black picture decoded")
	}
	for i := range blank {
		blank[i] = 0xff
	}
	if _, ok := DecodeLuma(blank, 1280, 1280, 40); ok {
		t.Error("a white plane decoded")
	}
}

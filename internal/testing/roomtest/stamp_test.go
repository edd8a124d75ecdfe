package roomtest

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// stampPicture returns a w x h picture with Y stride w+pad: a busy
// background (a gradient with a moving bright box, phase t) and the stamp
// of ms drawn as stamp.html draws it (black Y 16, white Y 235).
func stampPicture(w, h, pad int, ms int64, t int) *yuv.I420 {
	img := yuv.NewI420(w+pad, h)
	img.Width = w
	for y := range h {
		for x := range w {
			v := 16 + (x+y+3*t)%220
			if bx, by := (t*7)%w, (t*3)%h; x >= bx && x < bx+200 && y >= by && y < by+120 {
				v = 235 - (x-bx)/4
			}
			img.Y[y*img.StrideY+x] = byte(v)
		}
	}
	cw, ch := img.ChromaSize()
	for y := range ch {
		for x := range cw {
			img.U[y*img.StrideUV+x] = byte(64 + (x+t)%128)
			img.V[y*img.StrideUV+x] = byte(192 - (y+t)%128)
		}
	}
	drawStamp(img, ms)
	return img
}

// drawStamp draws the cells of ms into img's luma, with neutral chroma.
func drawStamp(img *yuv.I420, ms int64) {
	for i, b := range stamp.Pattern(ms) {
		lum := byte(16)
		if b {
			lum = 235
		}
		for y := range stamp.Cell {
			for x := i * stamp.Cell; x < (i+1)*stamp.Cell; x++ {
				img.Y[y*img.StrideY+x] = lum
				img.U[(y/2)*img.StrideUV+x/2], img.V[(y/2)*img.StrideUV+x/2] = 128, 128
			}
		}
	}
}

func TestDecodeStamp(t *testing.T) {
	now := time.Now().UnixMilli()
	for _, ms := range []int64{0, 1, now, now + 1, 1<<stamp.Bits - 1, 0x5555555555, 0xaaaaaaaaaaa} {
		img := stampPicture(1280, 720, 32, ms, int(ms%97))
		got, ok := DecodeStamp(img)
		if !ok || got != ms {
			t.Errorf("stamp %d: decoded %d, %v", ms, got, ok)
		}
	}
	// The smallest picture that holds the strip, odd sizes.
	img := stampPicture(stamp.Cells*stamp.Cell+1, stamp.Cell+1, 0, now, 0)
	if got, ok := DecodeStamp(img); !ok || got != now {
		t.Errorf("smallest picture: decoded %d, %v", got, ok)
	}
}

// Heavy per-pixel noise (uniform ±70) does not change the decoded value.
func TestDecodeStampNoisy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		ms := time.Now().UnixMilli() + int64(rng.IntN(1<<30))
		img := stampPicture(stamp.Cells*stamp.Cell+100, 3*stamp.Cell, 0, ms, i)
		for j := range img.Y {
			img.Y[j] = byte(min(max(int(img.Y[j])+rng.IntN(141)-70, 0), 255))
		}
		if got, ok := DecodeStamp(img); !ok || got != ms {
			t.Fatalf("noisy stamp %d: decoded %d, %v", ms, got, ok)
		}
	}
}

func TestDecodeStampRejects(t *testing.T) {
	ms := time.Now().UnixMilli()
	cell := func(img *yuv.I420, i int, lum byte) {
		for y := range stamp.Cell {
			for x := i * stamp.Cell; x < (i+1)*stamp.Cell; x++ {
				img.Y[y*img.StrideY+x] = lum
			}
		}
	}
	flip := func(i int) func(*yuv.I420) {
		return func(img *yuv.I420) {
			x := (i*stamp.Cell + stamp.Cell/2)
			cell(img, i, 251-img.Y[stamp.Cell/2*img.StrideY+x])
		}
	}
	for name, spoil := range map[string]func(*yuv.I420){
		"no stamp":      func(img *yuv.I420) { clear(img.Y) },
		"all white":     func(img *yuv.I420) { fill(img.Y, 235) },
		"mid grey":      func(img *yuv.I420) { fill(img.Y, 128) },
		"start guard":   flip(1),
		"stop guard":    flip(stamp.Cells - 2),
		"data bit":      flip(20),
		"check bit":     flip(2 + stamp.Bits + 1),
		"two data bits": func(img *yuv.I420) { flip(5)(img); flip(30)(img) },
	} {
		img := stampPicture(1280, 720, 0, ms, 0)
		spoil(img)
		if got, ok := DecodeStamp(img); ok {
			t.Errorf("%s: decoded %d, want no stamp", name, got)
		}
	}
	if _, ok := DecodeStamp(nil); ok {
		t.Error("nil picture decoded")
	}
	if _, ok := DecodeStamp(stampPicture(stamp.Cells*stamp.Cell, stamp.Cell, 0, ms, 0)); !ok {
		t.Error("exact-size picture not decoded")
	}
	small := yuv.NewI420(stamp.Cells*stamp.Cell-1, 720)
	if _, ok := DecodeStamp(small); ok {
		t.Error("a picture narrower than the strip decoded")
	}
	short := stampPicture(1280, 720, 0, ms, 0)
	short.Y = short.Y[:stamp.Cell/2*short.StrideY]
	if _, ok := DecodeStamp(short); ok {
		t.Error("a truncated Y plane decoded")
	}
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// Through VP8 at the publisher's default bitrates (2500 kbit/s at 720p,
// 4500 at 1080p), every frame's stamp decodes, including the first.
func TestDecodeStampThroughVP8(t *testing.T) {
	for _, c := range []struct{ w, h, kbps int }{{1280, 720, 2500}, {1920, 1080, 4500}} {
		enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: c.w, Height: c.h, BitrateKbps: c.kbps, FrameRate: 30})
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		dec, err := vpx.NewDecoder()
		if err != nil {
			enc.Close()
			t.Fatal(err)
		}
		start := time.Now().UnixMilli()
		var buf []byte
		for i := range 30 {
			ms := start + int64(i*33)
			pts := time.Duration(i) * time.Second / 30
			frame, _, err := enc.Encode(stampPicture(c.w, c.h, 0, ms, i), pts, time.Second/30, i == 0, buf[:0])
			if err != nil {
				t.Fatal(err)
			}
			buf = frame
			if len(frame) == 0 {
				continue
			}
			img, err := dec.Decode(frame)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := DecodeStamp(img); !ok || got != ms {
				t.Errorf("%dx%d frame %d: decoded %d, %v, want %d", c.w, c.h, i, got, ok, ms)
			}
		}
		enc.Close()
		dec.Close()
	}
}

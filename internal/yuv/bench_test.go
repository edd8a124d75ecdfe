package yuv

import (
	"image"
	"math/rand/v2"
	"testing"
)

func benchConvert(b *testing.B, fn func(*I420, []byte, int, int, int, []image.Rectangle) error, w, h int, rects []image.Rectangle) {
	stride := 4 * w
	src := make([]byte, stride*h)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	dst := NewI420(w, h)
	px := w * h
	if len(rects) > 0 {
		px = 0
		for _, r := range rects {
			px += r.Dx() * r.Dy()
		}
	}
	b.SetBytes(int64(4 * px))
	b.ReportAllocs()
	for b.Loop() {
		if err := fn(dst, src, stride, w, h, rects); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromBGRA720p(b *testing.B)    { benchConvert(b, FromBGRA, 1280, 720, nil) }
func BenchmarkFromBGRA1080p(b *testing.B)   { benchConvert(b, FromBGRA, 1920, 1080, nil) }
func BenchmarkFromBGRAGo720p(b *testing.B)  { benchConvert(b, FromBGRAGo, 1280, 720, nil) }
func BenchmarkFromBGRAGo1080p(b *testing.B) { benchConvert(b, FromBGRAGo, 1920, 1080, nil) }

// BenchmarkFromBGRASmallRect converts a 64x64 dirty rectangle of a 720p frame.
func BenchmarkFromBGRASmallRect(b *testing.B) {
	benchConvert(b, FromBGRA, 1280, 720, []image.Rectangle{image.Rect(600, 300, 664, 364)})
}

func BenchmarkFromBGRAGoSmallRect(b *testing.B) {
	benchConvert(b, FromBGRAGo, 1280, 720, []image.Rectangle{image.Rect(600, 300, 664, 364)})
}

//go:build linux && cgo

package vpx

import (
	"fmt"
	"image"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// threadCPU returns the CPU time the calling OS thread has used. The
// machine running the benchmarks may be busy, so besides wall time the
// benchmarks report CPU time per frame, which is what the encoder costs.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchEncode encodes a panning gradient with fresh noise every frame, with
// the default cpu-used for the size, reporting ms and bytes per frame.
func benchEncode(b *testing.B, w, h, kbps int) {
	e := newEncoderT(b, EncoderConfig{Width: w, Height: h, BitrateKbps: kbps, FrameRate: 30})
	m := newMovingCanvas(w, h, 4, 6)
	buf := make([]byte, 0, 1<<20)
	// Warm up past the first keyframe.
	for i := range 5 {
		frame, _, err := e.Encode(m.at(i), time.Duration(i)*frameDur, frameDur, false, buf)
		if err != nil {
			b.Fatal(err)
		}
		buf = frame
	}
	i, total := 5, 0
	b.ReportAllocs()
	b.SetBytes(int64(w * h * 3 / 2))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, cpu := time.Now(), threadCPU(b)
	for b.Loop() {
		frame, _, err := e.Encode(m.at(i), time.Duration(i)*frameDur, frameDur, false, buf)
		if err != nil {
			b.Fatal(err)
		}
		buf = frame
		total += len(frame)
		i++
	}
	n := float64(i - 5)
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/n, "ms/frame")
	b.ReportMetric(float64((threadCPU(b)-cpu).Microseconds())/1000/n, "cpu-ms/frame")
	b.ReportMetric(float64(total)/n, "B/frame")
}

func BenchmarkEncode720p(b *testing.B)  { benchEncode(b, 1280, 720, 2500) }
func BenchmarkEncode1080p(b *testing.B) { benchEncode(b, 1920, 1080, 4000) }

// BenchmarkEncodeStatic720p is a page that hardly changes: a 1280x720
// picture where only a 16x16 square (a blinking caret, a spinner) changes
// each frame, for several VP8E_SET_STATIC_THRESHOLD values.
func BenchmarkEncodeStatic720p(b *testing.B) {
	for _, thresh := range []int{0, 1, 100, 1000} {
		b.Run(fmt.Sprintf("thresh=%d", thresh), func(b *testing.B) {
			old := staticThreshold
			staticThreshold = thresh
			defer func() { staticThreshold = old }()
			const w, h = 1280, 720
			e := newEncoderT(b, EncoderConfig{Width: w, Height: h, BitrateKbps: 2500, FrameRate: 30})
			img := picture(b, w, h, fourBlocks(w, h, 0))
			sq := image.Rect(600, 300, 616, 316)
			buf := make([]byte, 0, 1<<20)
			i, total := 0, 0
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu := threadCPU(b)
			for b.Loop() {
				v := byte(16 + 200*(i%2))
				for y := sq.Min.Y; y < sq.Max.Y; y++ {
					row := img.Y[y*img.StrideY:]
					for x := sq.Min.X; x < sq.Max.X; x++ {
						row[x] = v
					}
				}
				frame, _, err := e.Encode(img, time.Duration(i)*frameDur, frameDur, false, buf)
				if err != nil {
					b.Fatal(err)
				}
				buf = frame
				if i > 0 {
					total += len(frame)
				}
				i++
			}
			b.ReportMetric(float64(total)/float64(max(i-1, 1)), "B/frame")
			b.ReportMetric(float64((threadCPU(b)-cpu).Microseconds())/1000/float64(i), "cpu-ms/frame")
		})
	}
}

// BenchmarkDecode720p decodes the moving picture (for reference).
func BenchmarkDecode720p(b *testing.B) {
	const w, h = 1280, 720
	e := newEncoderT(b, EncoderConfig{Width: w, Height: h, BitrateKbps: 2500})
	m := newMovingCanvas(w, h, 4, 6)
	var frames [][]byte
	for i := range 60 {
		frame, _, err := e.Encode(m.at(i), time.Duration(i)*frameDur, frameDur, i%30 == 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		frames = append(frames, frame)
	}
	d := newDecoderT(b)
	var img *yuv.I420
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if img, err = d.Decode(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	_ = img
}

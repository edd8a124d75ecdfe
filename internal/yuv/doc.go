// Package yuv converts captured BGRA frames to I420, the planar 4:2:0
// picture VP8 encoders take.
//
// FromBGRA goes through libyuv's SIMD ARGBToI420 (Debian libyuv-dev, linked
// with -lyuv); FromBGRAGo is the same conversion in plain Go, the baseline
// for benchmarks and the reference in tests. Both use the BT.601
// limited-range integer formulas that libyuv and libvpx use:
//
//	Y = ((66R + 129G + 25B + 128) >> 8) + 16
//	U = ((-38R - 74G + 112B + 128) >> 8) + 128
//	V = ((112R - 94G - 18B + 128) >> 8) + 128
//
// with U and V computed from the average of each 2x2 block. libyuv's SIMD
// code rounds a little differently (it averages pairs of pairs and
// truncates), so the two may differ by 1 here and there.
//
// Both convert only the given dirty rectangles when there are some, so a
// caller that keeps one I420 across frames pays only for what changed:
//
//	img := yuv.NewI420(f.Width, f.Height)
//	for f := range frames {
//		err := yuv.FromBGRA(img, f.Pix, f.Stride, f.Width, f.Height, f.Dirty)
//		f.Release()
//		// img holds the whole current picture
//	}
//
// On platforms without Linux and cgo, FromBGRA falls back to FromBGRAGo.
package yuv

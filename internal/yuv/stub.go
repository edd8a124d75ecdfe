//go:build !linux || !cgo

package yuv

import "image"

// FromBGRA converts src (B,G,R,X bytes, stride bytes per row, w x h pixels)
// into dst. Without Linux and cgo there is no libyuv: this is FromBGRAGo.
func FromBGRA(dst *I420, src []byte, stride, w, h int, rects []image.Rectangle) error {
	return FromBGRAGo(dst, src, stride, w, h, rects)
}

package yuv

import (
	"errors"
	"fmt"
	"image"
)

// I420 is a planar 4:2:0 image (BT.601 limited range, like libvpx expects)
// with even-aligned chroma: U and V have (Width+1)/2 x (Height+1)/2 samples,
// sample (i, j) covering luma pixels (2i..2i+1, 2j..2j+1).
type I420 struct {
	Y, U, V       []byte
	StrideY       int // bytes from one Y row to the next (>= Width)
	StrideUV      int // bytes from one U or V row to the next (>= (Width+1)/2)
	Width, Height int
}

// NewI420 returns a w x h picture with tightly packed planes (StrideY = w,
// StrideUV = (w+1)/2) carved out of one Go allocation, all zero.
func NewI420(w, h int) *I420 {
	w, h = max(w, 0), max(h, 0)
	cw, ch := (w+1)/2, (h+1)/2
	ny, nc := w*h, cw*ch
	buf := make([]byte, ny+2*nc)
	return &I420{
		Y:        buf[:ny:ny],
		U:        buf[ny : ny+nc : ny+nc],
		V:        buf[ny+nc:],
		StrideY:  w,
		StrideUV: cw,
		Width:    w,
		Height:   h,
	}
}

// ChromaSize returns the size of the U and V planes, (Width+1)/2 x
// (Height+1)/2.
func (p *I420) ChromaSize() (w, h int) { return (p.Width + 1) / 2, (p.Height + 1) / 2 }

// Check reports whether the planes and strides can hold a Width x Height
// picture.
func (p *I420) Check() error {
	if p == nil {
		return fmt.Errorf("%w: nil I420", ErrSize)
	}
	w, h := p.Width, p.Height
	cw, ch := p.ChromaSize()
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("%w: I420 is %dx%d", ErrSize, w, h)
	case w > maxDim || h > maxDim || p.StrideY > maxDim || p.StrideUV > maxDim:
		return fmt.Errorf("%w: I420 dimensions too large", ErrSize)
	case p.StrideY < w || p.StrideUV < cw:
		return fmt.Errorf("%w: I420 strides %d/%d too small for width %d", ErrSize, p.StrideY, p.StrideUV, w)
	case int64(len(p.Y)) < need(h, p.StrideY, w):
		return fmt.Errorf("%w: Y plane has %d bytes, %dx%d stride %d needs %d", ErrSize, len(p.Y), w, h, p.StrideY, need(h, p.StrideY, w))
	case int64(len(p.U)) < need(ch, p.StrideUV, cw) || int64(len(p.V)) < need(ch, p.StrideUV, cw):
		return fmt.Errorf("%w: U/V planes have %d/%d bytes, need %d", ErrSize, len(p.U), len(p.V), need(ch, p.StrideUV, cw))
	}
	return nil
}

// maxDim bounds sizes and strides so that they fit a C int and no product
// overflows.
const maxDim = 1 << 30

// need returns the bytes a plane of rows rows, stride stride and rowBytes
// bytes per row needs.
func need(rows, stride, rowBytes int) int64 {
	return int64(rows-1)*int64(stride) + int64(rowBytes)
}

// ErrSize is wrapped by the errors about sizes that do not match.
var ErrSize = errors.New("yuv: size mismatch")

// check validates the arguments shared by FromBGRA and FromBGRAGo. It
// allocates only when it fails.
func check(dst *I420, src []byte, stride, w, h int) error {
	if err := dst.Check(); err != nil {
		return err
	}
	switch {
	case dst.Width != w || dst.Height != h:
		return fmt.Errorf("%w: source %dx%d, destination %dx%d", ErrSize, w, h, dst.Width, dst.Height)
	case stride > maxDim:
		return fmt.Errorf("%w: stride %d too large", ErrSize, stride)
	case stride < 4*w:
		return fmt.Errorf("%w: stride %d < 4*width %d", ErrSize, stride, 4*w)
	case int64(len(src)) < need(h, stride, 4*w):
		return fmt.Errorf("%w: source has %d bytes, %dx%d stride %d needs %d", ErrSize, len(src), w, h, stride, need(h, stride, 4*w))
	}
	return nil
}

// evenRect clips r to w x h and then rounds it outwards to even
// coordinates (except an odd right or bottom edge of the picture itself),
// so that every chroma sample it touches is covered entirely. ok is false
// when nothing is left.
func evenRect(r image.Rectangle, w, h int) (image.Rectangle, bool) {
	r = r.Intersect(image.Rect(0, 0, w, h))
	if r.Empty() {
		return r, false
	}
	r.Min.X &^= 1
	r.Min.Y &^= 1
	r.Max.X = min(r.Max.X+r.Max.X&1, w)
	r.Max.Y = min(r.Max.Y+r.Max.Y&1, h)
	return r, true
}

// FromBGRAGo is FromBGRA in plain Go: same arguments, same area written,
// results within 1 of libyuv's.
func FromBGRAGo(dst *I420, src []byte, stride, w, h int, rects []image.Rectangle) error {
	if err := check(dst, src, stride, w, h); err != nil {
		return err
	}
	if len(rects) == 0 {
		convertGo(dst, src, stride, image.Rect(0, 0, w, h))
		return nil
	}
	for _, r := range rects {
		if r, ok := evenRect(r, w, h); ok {
			convertGo(dst, src, stride, r)
		}
	}
	return nil
}

func lumaOf(b, g, r int32) byte { return byte((66*r+129*g+25*b+128)>>8 + 16) }

// chromaOf returns U and V of one (average) colour.
func chromaOf(b, g, r int32) (u, v byte) {
	return byte((112*b-74*g-38*r+128)>>8 + 128), byte((112*r-94*g-18*b+128)>>8 + 128)
}

// convertGo converts r, whose Min is even and whose Max is even or the
// picture's edge.
func convertGo(dst *I420, src []byte, stride int, r image.Rectangle) {
	n := r.Dx()
	cn := (n + 1) / 2
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		s0 := src[y*stride+4*r.Min.X:][:4*n]
		y0 := dst.Y[y*dst.StrideY+r.Min.X:][:n]
		cu := dst.U[(y/2)*dst.StrideUV+r.Min.X/2:][:cn]
		cv := dst.V[(y/2)*dst.StrideUV+r.Min.X/2:][:cn]
		if y+1 < r.Max.Y {
			s1 := src[(y+1)*stride+4*r.Min.X:][:4*n]
			y1 := dst.Y[(y+1)*dst.StrideY+r.Min.X:][:n]
			rowPair(s0, s1, y0, y1, cu, cv)
		} else {
			rowSingle(s0, y0, cu, cv)
		}
	}
}

// rowPair converts two rows: s0, s1 hold len(y0) pixels each; cu, cv get
// (len(y0)+1)/2 samples.
func rowPair(s0, s1, y0, y1, cu, cv []byte) {
	for len(y0) >= 2 && len(y1) >= 2 && len(s0) >= 8 && len(s1) >= 8 && len(cu) >= 1 && len(cv) >= 1 {
		b0, g0, r0 := int32(s0[0]), int32(s0[1]), int32(s0[2])
		b1, g1, r1 := int32(s0[4]), int32(s0[5]), int32(s0[6])
		b2, g2, r2 := int32(s1[0]), int32(s1[1]), int32(s1[2])
		b3, g3, r3 := int32(s1[4]), int32(s1[5]), int32(s1[6])
		y0[0], y0[1] = lumaOf(b0, g0, r0), lumaOf(b1, g1, r1)
		y1[0], y1[1] = lumaOf(b2, g2, r2), lumaOf(b3, g3, r3)
		cu[0], cv[0] = chromaOf((b0+b1+b2+b3+2)>>2, (g0+g1+g2+g3+2)>>2, (r0+r1+r2+r3+2)>>2)
		s0, s1, y0, y1, cu, cv = s0[8:], s1[8:], y0[2:], y1[2:], cu[1:], cv[1:]
	}
	if len(y0) == 1 { // odd right edge of the picture: one column
		b0, g0, r0 := int32(s0[0]), int32(s0[1]), int32(s0[2])
		b2, g2, r2 := int32(s1[0]), int32(s1[1]), int32(s1[2])
		y0[0], y1[0] = lumaOf(b0, g0, r0), lumaOf(b2, g2, r2)
		cu[0], cv[0] = chromaOf((b0+b2+1)>>1, (g0+g2+1)>>1, (r0+r2+1)>>1)
	}
}

// rowSingle converts the odd bottom row of the picture.
func rowSingle(s0, y0, cu, cv []byte) {
	for len(y0) >= 2 && len(s0) >= 8 && len(cu) >= 1 && len(cv) >= 1 {
		b0, g0, r0 := int32(s0[0]), int32(s0[1]), int32(s0[2])
		b1, g1, r1 := int32(s0[4]), int32(s0[5]), int32(s0[6])
		y0[0], y0[1] = lumaOf(b0, g0, r0), lumaOf(b1, g1, r1)
		cu[0], cv[0] = chromaOf((b0+b1+1)>>1, (g0+g1+1)>>1, (r0+r1+1)>>1)
		s0, y0, cu, cv = s0[8:], y0[2:], cu[1:], cv[1:]
	}
	if len(y0) == 1 {
		b0, g0, r0 := int32(s0[0]), int32(s0[1]), int32(s0[2])
		y0[0] = lumaOf(b0, g0, r0)
		cu[0], cv[0] = chromaOf(b0, g0, r0)
	}
}

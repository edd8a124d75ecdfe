//go:build linux && cgo

package yuv

/*
#cgo CFLAGS: -O2 -Wall
#cgo LDFLAGS: -lyuv
#cgo noescape lky_bgra_to_i420
#cgo nocallback lky_bgra_to_i420
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// Compile-time checks that image.Rectangle and lky_rect agree.
var (
	_ [unsafe.Sizeof(image.Rectangle{}) - C.sizeof_lky_rect]byte
	_ [C.sizeof_lky_rect - unsafe.Sizeof(image.Rectangle{})]byte
	_ [unsafe.Offsetof(image.Rectangle{}.Max) - unsafe.Offsetof(C.lky_rect{}.x1)]byte
	_ [unsafe.Offsetof(C.lky_rect{}.x1) - unsafe.Offsetof(image.Rectangle{}.Max)]byte
)

// FromBGRA converts src (B,G,R,X bytes, stride bytes per row, w x h pixels)
// into dst, which must be w x h too. When rects is non-empty only those
// rectangles are converted, each clipped to the picture and expanded to
// even coordinates; the rest of dst keeps what it held, so a caller that
// keeps dst across frames always has the whole picture. An empty rects
// converts the whole frame. It uses libyuv's ARGBToI420 on each rectangle
// in place (pointer offsets, no copies) and does not allocate unless it
// fails.
//
// src may be Go memory or shared memory (a Frame's Pix); nothing is kept
// after the call.
func FromBGRA(dst *I420, src []byte, stride, w, h int, rects []image.Rectangle) error {
	if err := check(dst, src, stride, w, h); err != nil {
		return err
	}
	if len(rects) > 1<<30 {
		return fmt.Errorf("%w: %d rectangles", ErrSize, len(rects))
	}
	var rp *C.lky_rect
	if len(rects) > 0 {
		rp = (*C.lky_rect)(unsafe.Pointer(&rects[0]))
	}
	var detail C.int
	st := C.lky_bgra_to_i420((*C.uint8_t)(&src[0]), C.int(stride), C.int(w), C.int(h),
		(*C.uint8_t)(&dst.Y[0]), C.int(dst.StrideY),
		(*C.uint8_t)(&dst.U[0]), (*C.uint8_t)(&dst.V[0]), C.int(dst.StrideUV),
		rp, C.int(len(rects)), &detail)
	if st != C.LKY_OK {
		return fmt.Errorf("yuv: libyuv ARGBToI420 failed (status %d)", int(detail))
	}
	return nil
}

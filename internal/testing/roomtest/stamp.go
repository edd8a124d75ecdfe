package roomtest

import (
	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// DecodeStamp reads the time stamp that tests/room/testdata/stamp.html draws
// on every animation frame (layout: package internal/testing/stamp) from img's luma
// plane (stamp.DecodeLuma) and returns it in ms since the Unix epoch; ok is false
// when img holds no valid stamp (too small, guards or check wrong).
func DecodeStamp(img *yuv.I420) (ms int64, ok bool) {
	if img == nil {
		return 0, false
	}
	return stamp.DecodeLuma(img.Y, img.StrideY, img.Width, img.Height)
}

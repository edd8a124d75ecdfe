package roomtest

import (
	"github.com/lkbrowser/lkbrowser/internal/stamp"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// The time stamp that tests/room/testdata/stamp.html draws on every
// animation frame, for measuring glass-to-subscriber latency: see package
// internal/stamp for the strip's layout.
const (
	StampCell  = stamp.Cell
	StampBits  = stamp.Bits
	StampCells = stamp.Cells
)

// DecodeStamp reads the time stamp of stamp.html from img's luma plane
// (stamp.DecodeLuma) and returns it in ms since the Unix epoch; ok is false
// when img holds no valid stamp (too small, guards or check wrong).
func DecodeStamp(img *yuv.I420) (ms int64, ok bool) {
	if img == nil {
		return 0, false
	}
	return stamp.DecodeLuma(img.Y, img.StrideY, img.Width, img.Height)
}

// StampCheck is the check of a stamp: the XOR of the eleven nibbles of its
// 44 bits.
func StampCheck(v uint64) uint64 { return stamp.Check(v) }

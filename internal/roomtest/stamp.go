package roomtest

import "github.com/lkbrowser/lkbrowser/internal/yuv"

// The time stamp that tests/room/testdata/stamp.html draws on every
// animation frame, for measuring glass-to-subscriber latency: a strip of
// StampCells square cells of StampCell pixels at the top-left corner of the
// page (device pixels, (0,0) to (StampCells*StampCell, StampCell)), each
// black (0) or white (1):
//
//	cell  0, 1      start guard: 1, 0
//	cell  2..45     Date.now() in ms, 44 bits, most significant first
//	cell 46..49     check: the XOR of the 11 nibbles of those 44 bits
//	cell 50, 51     stop guard: 0, 1
//
// Cells this big and this contrasted survive VP8 at its default bitrate and
// 4:2:0 chroma; the check (with the guards) rejects a strip that was torn
// or smeared.
const (
	StampCell  = 24
	StampBits  = 44
	StampCells = 2 + StampBits + 4 + 2
)

// stampSample is the side of the square at each cell's centre whose mean
// luma decides the cell.
const stampSample = 8

// DecodeStamp reads the time stamp of stamp.html from img's luma plane
// (threshold 128 on the mean of each cell's central 8x8 pixels) and
// returns it in ms since the Unix epoch; ok is false when img holds no
// valid stamp (too small, guards or check wrong).
func DecodeStamp(img *yuv.I420) (ms int64, ok bool) {
	if img == nil || img.Width < StampCells*StampCell || img.Height < StampCell ||
		len(img.Y) < (StampCell-1)*img.StrideY+StampCells*StampCell {
		return 0, false
	}
	var cells [StampCells]bool
	y0 := (StampCell - stampSample) / 2
	for i := range cells {
		x0 := i*StampCell + (StampCell-stampSample)/2
		sum := 0
		for y := y0; y < y0+stampSample; y++ {
			row := img.Y[y*img.StrideY+x0 : y*img.StrideY+x0+stampSample]
			for _, v := range row {
				sum += int(v)
			}
		}
		cells[i] = sum >= 128*stampSample*stampSample
	}
	if !cells[0] || cells[1] || cells[StampCells-2] || !cells[StampCells-1] {
		return 0, false
	}
	var v, check uint64
	for _, c := range cells[2 : 2+StampBits] {
		v <<= 1
		if c {
			v |= 1
		}
	}
	for _, c := range cells[2+StampBits : StampCells-2] {
		check <<= 1
		if c {
			check |= 1
		}
	}
	if StampCheck(v) != check {
		return 0, false
	}
	return int64(v), true
}

// StampCheck is the check of a stamp: the XOR of the eleven nibbles of its
// 44 bits.
func StampCheck(v uint64) uint64 {
	var x uint64
	for i := 0; i < StampBits/4; i++ {
		x ^= v >> (4 * i) & 0xf
	}
	return x
}

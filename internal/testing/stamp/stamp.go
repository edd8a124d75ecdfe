// Package stamp reads the time stamp that the benchmark pages draw on every
// animation frame (tests/room/testdata/stamp.html, bench/cmd/lkbench's pages), to
// measure the latency from the page's paint to a frame: a strip of Cells
// square cells of Cell pixels at the top-left corner of the page (device
// pixels, (0,0) to (Cells*Cell, Cell)), each black (0) or white (1):
//
//	cell  0, 1      start guard: 1, 0
//	cell  2..45     Date.now() in ms, 44 bits, most significant first
//	cell 46..49     check: the XOR of the 11 nibbles of those 44 bits
//	cell 50, 51     stop guard: 0, 1
//
// Cells this big and this contrasted survive VP8 and JPEG and 4:2:0
// chroma; the check (with the guards) rejects a strip that was torn or
// smeared.
package stamp

// Geometry of the strip.
const (
	Cell  = 24               // side of a cell in pixels
	Bits  = 44               // bits of the time stamp
	Cells = 2 + Bits + 4 + 2 // guards, stamp, check, guards
	// Width and Height are the strip's size in pixels.
	Width, Height = Cells * Cell, Cell
)

// sample is the side of the square at each cell's centre whose mean
// brightness decides the cell.
const sample = 8

// Check is the check of a stamp: the XOR of the eleven nibbles of its 44
// bits.
func Check(v uint64) uint64 {
	var x uint64
	for i := 0; i < Bits/4; i++ {
		x ^= v >> (4 * i) & 0xf
	}
	return x
}

// DecodeLuma reads the stamp from a w x h plane of 8-bit luma with the
// given stride (threshold 128 on the mean of each cell's central 8x8
// pixels) and returns it in ms since the Unix epoch; ok is false when the
// plane holds no valid stamp (too small, guards or check wrong).
func DecodeLuma(y []byte, stride, w, h int) (ms int64, ok bool) {
	if w < Width || h < Height || stride < Width || len(y) < (Height-1)*stride+Width {
		return 0, false
	}
	return decode(func(x0, y0 int) int {
		sum := 0
		for r := y0; r < y0+sample; r++ {
			for _, v := range y[r*stride+x0 : r*stride+x0+sample] {
				sum += int(v)
			}
		}
		return sum
	})
}

// DecodeBGRA reads the stamp from a w x h picture of 4-byte B, G, R, X
// pixels with the given stride in bytes (lkbrowser's frames), on the luma
// of each pixel (BT.601 weights), like DecodeLuma.
func DecodeBGRA(pix []byte, stride, w, h int) (ms int64, ok bool) {
	if w < Width || h < Height || stride < 4*Width || len(pix) < (Height-1)*stride+4*Width {
		return 0, false
	}
	return decode(func(x0, y0 int) int {
		sum := 0
		for r := y0; r < y0+sample; r++ {
			row := pix[r*stride+4*x0 : r*stride+4*(x0+sample)]
			for i := 0; i < len(row); i += 4 {
				// 0.114 B + 0.587 G + 0.299 R, in 1/256.
				sum += (29*int(row[i]) + 150*int(row[i+1]) + 77*int(row[i+2])) >> 8
			}
		}
		return sum
	})
}

// decode reads the cells through cellSum, the summed brightness of the
// sample x sample square whose top-left corner is at (x0, y0).
func decode(cellSum func(x0, y0 int) int) (int64, bool) {
	var cells [Cells]bool
	y0 := (Cell - sample) / 2
	for i := range cells {
		cells[i] = cellSum(i*Cell+(Cell-sample)/2, y0) >= 128*sample*sample
	}
	if !cells[0] || cells[1] || cells[Cells-2] || !cells[Cells-1] {
		return 0, false
	}
	var v, check uint64
	for _, c := range cells[2 : 2+Bits] {
		v <<= 1
		if c {
			v |= 1
		}
	}
	for _, c := range cells[2+Bits : Cells-2] {
		check <<= 1
		if c {
			check |= 1
		}
	}
	if Check(v) != check {
		return 0, false
	}
	return int64(v), true
}

// Pattern returns the cells of ms as a page draws them (true is white):
// guards, stamp, check, guards. Tests and synthetic sources draw a stamp
// with it.
func Pattern(ms int64) [Cells]bool {
	var p [Cells]bool
	p[0], p[Cells-1] = true, true
	v := uint64(ms)
	for i := 0; i < Bits; i++ {
		p[2+i] = v>>(Bits-1-i)&1 == 1
	}
	c := Check(v)
	for i := 0; i < 4; i++ {
		p[2+Bits+i] = c>>(3-i)&1 == 1
	}
	return p
}

package tests

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// WebM element ids the check below looks at.
const (
	idSegment     = 0x18538067
	idCluster     = 0x1F43B675
	idTimecode    = 0xE7
	idSimpleBlock = 0xA3

	trackVideoNumber = 1
)

// webmStats is what checkWebM found.
type webmStats struct {
	size                    int
	video, keyframes, audio int
	lastVideoMs             int64
	lastColour              rgb // mean colour of the right half of the last frame
}

// checkWebM walks every element of the WebM file at path and fails the
// test unless the file ends exactly at the end of an element, the block
// times increase, and every VP8 frame of track video decodes.
func checkWebM(t *testing.T, path string, video uint64) webmStats {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st := webmStats{size: len(b)}
	dec, err := vpx.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	var last *yuv.I420
	clusterTC := int64(-1)
	lastTS := int64(-1)
	for pos := 0; pos < len(b); {
		id, n := vint(b[pos:], false)
		if n == 0 {
			t.Fatalf("truncated element id at offset %d of %d", pos, len(b))
		}
		size, m := vint(b[pos+n:], true)
		if m == 0 {
			t.Fatalf("truncated size of element %x at offset %d of %d", id, pos, len(b))
		}
		data := pos + n + m
		if id == idSegment || id == idCluster { // masters: their children follow
			pos = data
			continue
		}
		if size == unknownSize || uint64(len(b)-data) < size {
			t.Fatalf("element %x at offset %d: %d bytes of data, only %d left in the file", id, pos, size, len(b)-data)
		}
		body := b[data : data+int(size)]
		switch id {
		case idTimecode:
			var v int64
			for _, c := range body {
				v = v<<8 | int64(c)
			}
			clusterTC = v
		case idSimpleBlock:
			track, k := vint(body, true)
			if k == 0 || len(body) < k+3 || clusterTC < 0 {
				t.Fatalf("malformed SimpleBlock at offset %d", pos)
			}
			ts := clusterTC + int64(int16(binary.BigEndian.Uint16(body[k:])))
			key := body[k+2]&0x80 != 0
			frame := body[k+3:]
			if track != video {
				st.audio++
				break
			}
			if ts <= lastTS {
				t.Errorf("video frame %d at %d ms after one at %d ms", st.video, ts, lastTS)
			}
			lastTS = ts
			img, err := dec.Decode(frame)
			if err != nil {
				t.Fatalf("video frame %d (at %d ms, offset %d): %v", st.video, ts, pos, err)
			}
			last = img
			st.video++
			if key {
				st.keyframes++
			}
			st.lastVideoMs = ts
		}
		pos = data + int(size)
	}
	if last != nil {
		st.lastColour = meanColour(last, last.Width*3/4-20, last.Height/2-20, 40, 40)
	}
	return st
}

const unknownSize = ^uint64(0)

// vint reads an EBML variable-length integer: an element id (marker bit
// kept) or a size (marker removed; all ones means unknown). It returns
// its length, 0 when b is too short or the first byte is invalid.
func vint(b []byte, isSize bool) (uint64, int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n := 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n || (!isSize && n > 4) {
		return 0, 0
	}
	v := uint64(b[0])
	if isSize {
		v &= uint64(0xff >> n)
	}
	allOnes := v == uint64(0xff>>n)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
		allOnes = allOnes && c == 0xff
	}
	if isSize && allOnes {
		return unknownSize, n
	}
	return v, n
}

// meanColour is the mean RGB of a w x h region at x, y of a BT.601
// limited-range picture.
func meanColour(img *yuv.I420, x, y, w, h int) rgb {
	var sy, su, sv float64
	for j := y; j < y+h; j++ {
		for i := x; i < x+w; i++ {
			sy += float64(img.Y[j*img.StrideY+i])
			su += float64(img.U[j/2*img.StrideUV+i/2])
			sv += float64(img.V[j/2*img.StrideUV+i/2])
		}
	}
	n := float64(w * h)
	Y, U, V := 1.164*(sy/n-16), su/n-128, sv/n-128
	clamp := func(f float64) uint8 { return uint8(max(0, min(255, f+0.5))) }
	return rgb{clamp(Y + 1.596*V), clamp(Y - 0.813*V - 0.391*U), clamp(Y + 2.018*U)}
}

func absDiff(a, b uint8) int { return max(int(a), int(b)) - min(int(a), int(b)) }

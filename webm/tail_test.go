package webm

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"syscall"
	"testing"
)

// ebmlElement encodes an element with a 1-byte size (data < 127 bytes).
func ebmlElement(id []byte, data []byte) []byte {
	return append(append(append([]byte{}, id...), byte(0x80|len(data))), data...)
}

// sampleStream is a WebM-like stream and the offsets where its complete
// non-master elements end.
func sampleStream() ([]byte, []int) {
	var s []byte
	var ends []int
	add := func(b []byte, complete bool) {
		s = append(s, b...)
		if complete {
			ends = append(ends, len(s))
		}
	}
	add(ebmlElement([]byte{0x1A, 0x45, 0xDF, 0xA3}, []byte{0x42, 0x86, 0x81, 0x01}), true)     // EBML header
	add([]byte{0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, false) // Segment, unknown size
	add(ebmlElement([]byte{0x15, 0x49, 0xA9, 0x66}, bytes.Repeat([]byte{7}, 40)), true)        // Info
	add([]byte{0xEC, 0x40, 0x00}, true)                                                        // empty Void, 2-byte size
	for c := 0; c < 3; c++ {
		add([]byte{0x1F, 0x43, 0xB6, 0x75, 0xFF}, false) // Cluster, unknown size (1 byte)
		add(ebmlElement([]byte{0xE7}, []byte{byte(c)}), true)
		for b := 0; b < 4; b++ {
			add(ebmlElement([]byte{0xA3}, bytes.Repeat([]byte{byte(b)}, 10+30*b)), true)
		}
	}
	return s, ends
}

func TestUnitElementEnds(t *testing.T) {
	s, ends := sampleStream()
	for trial := 0; trial < 200; trial++ {
		var e elementEnds
		fed := 0
		for fed < len(s) {
			n := min(1+rand.IntN(50), len(s)-fed)
			e.write(s[fed : fed+n])
			fed += n
			want := 0
			for _, end := range ends {
				if end <= fed {
					want = end
				}
			}
			if e.broken || e.safe != int64(want) {
				t.Fatalf("after %d bytes: safe %d (broken %v), want %d", fed, e.safe, e.broken, want)
			}
		}
	}
	var e elementEnds
	e.write([]byte{0x00, 0x01})
	if !e.broken {
		t.Error("a zero byte where an id starts is not noticed")
	}
}

// fullFile takes limit bytes, then writes what fits and fails like a full
// disk; it can be truncated.
type fullFile struct {
	bytes.Buffer
	limit int
}

func (f *fullFile) Write(b []byte) (int, error) {
	room := f.limit - f.Len()
	if room >= len(b) {
		return f.Buffer.Write(b)
	}
	f.Buffer.Write(b[:room])
	return room, syscall.ENOSPC
}

func (f *fullFile) Truncate(n int64) error { f.Buffer.Truncate(int(n)); return nil }
func (f *fullFile) Close() error           { return nil }

func TestUnitCountingWriterCutsTornElement(t *testing.T) {
	s, ends := sampleStream()
	for limit := 0; limit < len(s); limit++ {
		f := &fullFile{limit: limit}
		c := &countingWriter{w: f, cut: true}
		for fed := 0; fed < len(s); fed += 7 {
			c.Write(s[fed:min(fed+7, len(s))])
		}
		want := 0
		for _, end := range ends {
			if end <= limit {
				want = end
			}
		}
		if err := c.error(); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("limit %d: error %v, want ENOSPC", limit, err)
		}
		if f.Len() != want || c.n.Load() != int64(want) || !bytes.Equal(f.Bytes(), s[:want]) {
			t.Fatalf("limit %d: file of %d bytes (count %d), want the %d bytes of the complete elements", limit, f.Len(), c.n.Load(), want)
		}
	}
	// An output that is not cut (a pipe) keeps what was written.
	f := &fullFile{limit: 30}
	c := &countingWriter{w: f}
	c.Write(s)
	if f.Len() != 30 {
		t.Errorf("uncut output: %d bytes, want 30", f.Len())
	}
	var _ io.WriteCloser = f
}

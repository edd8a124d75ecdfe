package webm

// WebM ids of the master elements whose children follow them in the
// stream the recorder writes (both are written with unknown size).
const (
	ebmlSegment = 0x18538067
	ebmlCluster = 0x1F43B675
)

// elementEnds follows the EBML elements of the stream the recorder writes,
// to know where the last complete element ends. A write that fails half-way
// (a full disk) leaves a torn element at the end of the file; cutting the
// file back to that point keeps it valid to its last byte.
type elementEnds struct {
	off    int64    // bytes seen
	safe   int64    // end of the last complete element
	hdr    [12]byte // the element header being read: id (<= 4) and size (<= 8)
	nhdr   int
	skip   uint64 // data bytes of the current element still to come
	broken bool   // the stream is not EBML as expected; safe is meaningless
}

// write follows b, the next bytes of the stream.
func (e *elementEnds) write(b []byte) {
	for len(b) > 0 && !e.broken {
		if e.skip > 0 {
			n := min(uint64(len(b)), e.skip)
			e.skip -= n
			e.off += int64(n)
			b = b[n:]
			if e.skip == 0 {
				e.safe = e.off
			}
			continue
		}
		e.hdr[e.nhdr] = b[0]
		e.nhdr++
		e.off++
		b = b[1:]
		id, n, ok := ebmlVint(e.hdr[:e.nhdr], false)
		if !ok {
			e.broken = n < 0
			continue
		}
		size, m, ok := ebmlVint(e.hdr[n:e.nhdr], true)
		if !ok {
			e.broken = m < 0
			continue
		}
		e.nhdr = 0
		switch {
		case id == ebmlSegment || id == ebmlCluster:
			// Children follow; the master is complete with its first child.
		case size == 1<<(7*m)-1: // unknown size: only the masters above have it
			e.broken = true
		case size == 0:
			e.safe = e.off
		default:
			e.skip = size
		}
	}
}

// ebmlVint reads an EBML variable-length integer at the start of b: an
// element id (marker bit kept, at most 4 bytes) or a size (marker bit
// removed). It returns the value, its length and true; or false with
// length 0 when b is too short, or -1 when b cannot start one.
func ebmlVint(b []byte, size bool) (uint64, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] == 0 {
		return 0, -1, false
	}
	n := 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if !size && n > 4 {
		return 0, -1, false
	}
	if len(b) < n {
		return 0, 0, false
	}
	v := uint64(b[0])
	if size {
		v &= 0xff >> n
	}
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n, true
}

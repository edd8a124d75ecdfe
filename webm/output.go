package webm

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// countingWriter counts what is written, keeps the first bytes (the
// header) and the first error. After an error it swallows writes, so that
// ebml-go's goroutine never stops on a write error (which would block the
// recorder); the recorder ends when it sees the error.
type countingWriter struct {
	w        io.WriteCloser
	n        atomic.Int64
	keepHead int
	head     []byte // first keepHead bytes written; only before the first block
	// cut: after a failed write, cut the output (a file written from its
	// start) back to the end of the last complete element (ends).
	cut  bool
	ends elementEnds

	mu  sync.Mutex
	err error
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if len(c.head) < c.keepHead {
		c.head = append(c.head, b[:min(len(b), c.keepHead-len(c.head))]...)
	}
	if c.error() != nil {
		return len(b), nil
	}
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	if c.cut { // only a file that can be cut needs its element ends
		c.ends.write(b[:n])
	}
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		err = fmt.Errorf("write: %w", err)
		if cerr := c.cutTorn(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cut off the torn element: %w", cerr))
		}
		c.fail(err)
	}
	return len(b), nil
}

// cutTorn cuts the output back to the end of the last complete element, so
// that a write that failed half-way (a full disk) leaves the file valid to
// its last byte.
func (c *countingWriter) cutTorn() error {
	t, ok := c.w.(interface{ Truncate(size int64) error })
	if !c.cut || !ok || c.ends.broken || c.ends.safe == c.n.Load() {
		return nil
	}
	if err := t.Truncate(c.ends.safe); err != nil {
		return err
	}
	c.n.Store(c.ends.safe)
	return nil
}

func (c *countingWriter) writeAt(b []byte, off int64) {
	wa, ok := c.w.(io.WriterAt)
	if !ok || c.error() != nil {
		return
	}
	if _, err := wa.WriteAt(b, off); err != nil {
		c.fail(fmt.Errorf("write: %w", err))
	}
}

func (c *countingWriter) Close() error {
	if err := c.w.Close(); err != nil {
		c.fail(fmt.Errorf("close: %w", err))
	}
	return nil
}

func (c *countingWriter) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

func (c *countingWriter) error() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// writer returns c as what ebml-go gets: with WriteAt when it may seek.
func (c *countingWriter) writer(seek bool) io.WriteCloser {
	if seek {
		return countingWriterAt{c}
	}
	return c
}

// countingWriterAt is a countingWriter that ebml-go may patch (Cues,
// Duration).
type countingWriterAt struct{ *countingWriter }

func (c countingWriterAt) WriteAt(b []byte, off int64) (int, error) {
	c.writeAt(b, off)
	return len(b), nil
}

// seekableAtStart reports whether w is a file (or the like) at offset 0
// that can be written at any offset, so its header can be patched.
func seekableAtStart(w io.Writer) bool {
	s, ok := w.(io.Seeker)
	if !ok {
		return false
	}
	if _, ok := w.(io.WriterAt); !ok {
		return false
	}
	off, err := s.Seek(0, io.SeekCurrent)
	return err == nil && off == 0
}

func indexBytes(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

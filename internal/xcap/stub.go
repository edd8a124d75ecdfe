//go:build !linux || !cgo

package xcap

import (
	"errors"
	"fmt"
	"time"
)

var errUnsupported = fmt.Errorf("xcap: needs linux and cgo: %w", errors.ErrUnsupported)

// Conn is unavailable without Linux and cgo.
type Conn struct{}

// Buffer is unavailable without Linux and cgo.
type Buffer struct{}

// Window is an X window ID; 0 means the root window.
type Window uint32

// Open always fails with an error wrapping errors.ErrUnsupported.
func Open(display string, cookie []byte) (*Conn, error) { return nil, errUnsupported }

func (c *Conn) Size() (w, h int)                           { return 0, 0 }
func (c *Conn) RefreshSize() (w, h int, err error)         { return 0, 0, errUnsupported }
func (c *Conn) Fd() int                                    { return -1 }
func (c *Conn) Wait(timeout time.Duration) (Events, error) { return 0, errUnsupported }
func (c *Conn) Wake()                                      {}
func (c *Conn) TakeDamage(dst []Rect) ([]Rect, error)      { return dst[:0], errUnsupported }
func (c *Conn) NewBuffer() (*Buffer, error)                { return nil, errUnsupported }
func (c *Conn) Grab(b *Buffer, y0, y1 int) error           { return errUnsupported }
func (c *Conn) Close() error                               { return nil }
func (c *Conn) FillRect(x, y, w, h int, rgb uint32) error  { return errUnsupported }
func (c *Conn) DestroyWindow(win Window) error             { return errUnsupported }
func (b *Buffer) Pix() []byte                              { return nil }
func (b *Buffer) Width() int                               { return 0 }
func (b *Buffer) Height() int                              { return 0 }
func (b *Buffer) Stride() int                              { return 0 }
func (b *Buffer) Free() error                              { return nil }

func (c *Conn) CursorImage(dst []uint32) (img CursorImage, pix []uint32, err error) {
	return img, dst[:0], errUnsupported
}

func (c *Conn) FillWindowRect(win Window, x, y, w, h int, rgb uint32) error {
	return errUnsupported
}

func (c *Conn) CreateWindow(parent Window, x, y, w, h int, bg uint32) (Window, error) {
	return 0, errUnsupported
}

func (c *Conn) SetInputFocus(focused bool) error { return errUnsupported }

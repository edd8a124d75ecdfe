//go:build !linux || !cgo

package vpx

import (
	"errors"
	"fmt"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

var errUnsupported = fmt.Errorf("vpx: needs linux and cgo: %w", errors.ErrUnsupported)

// Encoder is unavailable without Linux and cgo.
type Encoder struct{}

// Decoder is unavailable without Linux and cgo.
type Decoder struct{}

// NewEncoder always fails with an error wrapping errors.ErrUnsupported.
func NewEncoder(cfg EncoderConfig) (*Encoder, error) { return nil, errUnsupported }

// NewDecoder always fails with an error wrapping errors.ErrUnsupported.
func NewDecoder() (*Decoder, error) { return nil, errUnsupported }

func (e *Encoder) Config() EncoderConfig { return EncoderConfig{} }

func (e *Encoder) Encode(img *yuv.I420, pts, duration time.Duration, forceKey bool, dst []byte) (frame []byte, key bool, err error) {
	return dst[:0], false, errUnsupported
}

func (e *Encoder) SetBitrate(kbps int) error              { return errUnsupported }
func (e *Encoder) Resize(w, h int) error                  { return errUnsupported }
func (e *Encoder) Close() error                           { return nil }
func (d *Decoder) Decode(frame []byte) (*yuv.I420, error) { return nil, errUnsupported }
func (d *Decoder) Close() error                           { return nil }

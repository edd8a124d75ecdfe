//go:build !linux || !cgo

package pulsecap

import (
	"errors"
	"fmt"
	"time"
)

var errUnsupported = fmt.Errorf("pulsecap: needs linux and cgo: %w", errors.ErrUnsupported)

// Ctl is unavailable without Linux and cgo.
type Ctl struct{}

// Recorder is unavailable without Linux and cgo.
type Recorder struct{}

// Player is unavailable without Linux and cgo.
type Player struct{}

// Dial always fails with an error wrapping errors.ErrUnsupported.
func Dial(server string, timeout time.Duration) (*Ctl, error) { return nil, errUnsupported }

// Record always fails with an error wrapping errors.ErrUnsupported.
func Record(server, source string, rate, channels int, fragment, timeout time.Duration) (*Recorder, error) {
	return nil, errUnsupported
}

// Play always fails with an error wrapping errors.ErrUnsupported.
func Play(server, sink string, rate, channels int) (*Player, error) { return nil, errUnsupported }

// PlayBuffered always fails with an error wrapping errors.ErrUnsupported.
func PlayBuffered(server, sink string, rate, channels int, buffer time.Duration) (*Player, error) {
	return nil, errUnsupported
}

func (c *Ctl) LoadNullSink(name string, rate, channels int) (uint32, error) { return 0, errUnsupported }
func (c *Ctl) UnloadModule(module uint32) error                             { return errUnsupported }
func (c *Ctl) SetSinkMute(sink string, mute bool) error                     { return errUnsupported }
func (c *Ctl) SinkInputCount(sink string) (int, error)                      { return 0, errUnsupported }
func (c *Ctl) Alive() bool                                                  { return false }
func (c *Ctl) Close() error                                                 { return nil }
func (r *Recorder) Read(buf []byte) error                                   { return errUnsupported }
func (r *Recorder) Latency() (time.Duration, error)                         { return 0, errUnsupported }
func (r *Recorder) FrameSize() int                                          { return 0 }
func (r *Recorder) Close() error                                            { return nil }
func (p *Player) Write(b []byte) error                                      { return errUnsupported }
func (p *Player) Close() error                                              { return nil }

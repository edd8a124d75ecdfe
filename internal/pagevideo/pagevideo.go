// Package pagevideo is the one page-to-VP8 pipeline of lkbrowser, used by
// the WebM recorder (package webm) and the LiveKit session (package
// lksession) alike: it converts a page's frames to I420 (only their dirty
// rectangles), follows a resize with a keyframe of the new size, keeps
// timestamps strictly increasing and encodes with libvpx.
//
// The rules the two users share live here: StillRepeat, how often a still
// page's picture is encoded again, and the millisecond timestamp grid.
// What differs stays with the user: where packets go, how keyframe
// requests are rate-limited (lksession) and the keyframe interval.
//
// An Encoder belongs to one goroutine: none of its methods may be called
// concurrently. It keeps no pointer to a Frame after Take returns.
package pagevideo

import (
	"errors"
	"fmt"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// StillRepeat is how long a page may stay still before its last picture is
// encoded again, so that players do not stall and a new subscriber gets a
// picture: a still page costs two tiny frames a second.
const StillRepeat = 500 * time.Millisecond

// Config configures an Encoder.
type Config struct {
	Width, Height int // the first picture's size
	BitrateKbps   int // VP8 target bitrate
	FrameRate     int // the page's frame rate, at least 1
	// KeyframeMax is the longest distance between keyframes in frames; 0
	// leaves it to libvpx (keyframes then come only when forced).
	KeyframeMax int
}

// Packet is one encoded frame. Data is valid until the next Encode.
type Packet struct {
	Data []byte
	Key  bool
	// TS is the frame's timestamp: the one asked for, on the millisecond
	// grid, moved 1 ms past the previous packet's when it was not later.
	TS time.Duration
}

// Encoder holds the current picture and the VP8 encoder.
type Encoder struct {
	cfg     Config
	enc     *vpx.Encoder
	img     *yuv.I420
	have    bool // img holds a picture
	full    bool // convert the next frame whole: its Dirty is not relative to img
	keyNext bool // the next packet must be a keyframe (first picture, new size)
	last    time.Duration
	packets uint64
	pkt     []byte
}

// New makes an Encoder for pictures of cfg's size.
func New(cfg Config) (*Encoder, error) {
	cfg.FrameRate = max(cfg.FrameRate, 1)
	e := &Encoder{cfg: cfg, full: true, keyNext: true, pkt: make([]byte, 0, 256<<10)}
	if err := e.open(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Encoder) open(w, h int) error {
	enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: w, Height: h, BitrateKbps: e.cfg.BitrateKbps,
		FrameRate: e.cfg.FrameRate, KeyframeMax: e.cfg.KeyframeMax})
	if err != nil {
		return fmt.Errorf("VP8 encoder: %w", err)
	}
	e.enc, e.img = enc, yuv.NewI420(w, h)
	e.cfg.Width, e.cfg.Height = w, h
	return nil
}

// Size returns the size of the pictures being encoded.
func (e *Encoder) Size() (w, h int) { return e.cfg.Width, e.cfg.Height }

// HasPicture reports whether a frame was taken, so that Encode has a
// picture to encode.
func (e *Encoder) HasPicture() bool { return e.have }

// Take converts f into the current picture and releases f, whatever
// happens. A frame of another size resizes the encoder (or makes it anew)
// and makes the next packet a keyframe of the new size; the first frame and
// the first after a resize are converted whole, later ones only in their
// dirty rectangles. It reports whether the size changed.
func (e *Encoder) Take(f *lkbrowser.Frame) (resized bool, err error) {
	defer f.Release()
	if f.Width != e.cfg.Width || f.Height != e.cfg.Height {
		if err := e.resize(f.Width, f.Height); err != nil {
			return false, err
		}
		resized = true
	}
	rects := f.Dirty
	if e.full || len(rects) == 0 {
		rects = nil // the whole frame
	}
	if err := yuv.FromBGRA(e.img, f.Pix, f.Stride, f.Width, f.Height, rects); err != nil {
		return resized, fmt.Errorf("convert frame: %w", err)
	}
	e.have, e.full = true, false
	return resized, nil
}

func (e *Encoder) resize(w, h int) error {
	e.full, e.keyNext, e.have = true, true, false
	if err := e.enc.Resize(w, h); err == nil {
		e.img = yuv.NewI420(w, h)
		e.cfg.Width, e.cfg.Height = w, h
		return nil
	}
	err := e.enc.Close()
	e.enc = nil
	if oerr := e.open(w, h); oerr != nil {
		return errors.Join(err, oerr)
	}
	return nil
}

// ConvertNextWhole makes the next Take convert its frame whole: for a
// frame whose Dirty is relative to another picture than the current one
// (the first subscribed frame after a Snapshot was taken).
func (e *Encoder) ConvertNextWhole() { e.full = true }

// Encode encodes the current picture at ts (from the stream's start), as a
// keyframe when forceKey is set or one is due (the first packet, a new
// size). dur is the frame's expected duration, for the rate control. A
// packet with no Data means the rate control dropped the frame; it is not
// a packet of the stream (TS is not taken).
func (e *Encoder) Encode(ts, dur time.Duration, forceKey bool) (Packet, error) {
	if !e.have {
		return Packet{}, errors.New("no picture to encode")
	}
	if e.enc == nil {
		return Packet{}, errors.New("VP8 encoder lost in a failed resize")
	}
	ts = ts.Truncate(time.Millisecond)
	if e.packets > 0 && ts <= e.last {
		ts = e.last + time.Millisecond
	}
	if dur <= 0 {
		dur = time.Second / time.Duration(e.cfg.FrameRate)
	}
	pkt, key, err := e.enc.Encode(e.img, ts, dur, forceKey || e.keyNext, e.pkt[:0])
	if err != nil {
		return Packet{}, fmt.Errorf("VP8 encode: %w", err)
	}
	e.pkt = pkt[:0]
	if len(pkt) == 0 {
		return Packet{TS: ts}, nil
	}
	if key {
		e.keyNext = false
	}
	e.last = ts
	e.packets++
	return Packet{Data: pkt, Key: key, TS: ts}, nil
}

// Close frees the encoder. It is idempotent.
func (e *Encoder) Close() error {
	if e.enc == nil {
		return nil
	}
	err := e.enc.Close()
	e.enc = nil
	return err
}

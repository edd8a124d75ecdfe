//go:build linux && cgo

package vpx

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

const frameDur = time.Second / 30

func newEncoderT(t testing.TB, cfg EncoderConfig) *Encoder {
	t.Helper()
	e, err := NewEncoder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func newDecoderT(t testing.TB) *Decoder {
	t.Helper()
	d, err := NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestRoundTrip(t *testing.T) {
	const w, h = 1280, 720
	e := newEncoderT(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 2500, FrameRate: 30})
	if c := e.Config(); c.CPUUsed != -6 || c.Threads != 1 || c.KeyframeMax != 300 {
		t.Errorf("defaults: %+v", c)
	}
	d := newDecoderT(t)
	var buf []byte
	for i := range 20 {
		blocks := fourBlocks(w, h, 4*i) // the blocks move right
		img := picture(t, w, h, blocks)
		force := i == 12
		frame, key, err := e.Encode(img, time.Duration(i)*frameDur, frameDur, force, buf)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		buf = frame
		if e.packets != 1 {
			t.Errorf("frame %d: %d packets, want 1", i, e.packets)
		}
		if wantKey := i == 0 || force; key != wantKey {
			t.Errorf("frame %d: key = %v, want %v", i, key, wantKey)
		}
		if len(frame) == 0 || (key && frame[0]&1 != 0) || (!key && frame[0]&1 == 0) {
			t.Errorf("frame %d: VP8 header says key=%v, Encode %v", i, frame[0]&1 == 0, key)
		}
		dec, err := d.Decode(frame)
		if err != nil {
			t.Fatalf("decode %d: %v", i, err)
		}
		if dec.Width != w || dec.Height != h {
			t.Fatalf("decoded %dx%d", dec.Width, dec.Height)
		}
		if i == 0 || i >= 15 {
			checkBlocks(t, fmt.Sprint("frame ", i), dec, blocks, 12)
		}
	}

	// Resize: the next frame is a keyframe of the new size.
	if err := e.Resize(640, 360); err != nil {
		t.Fatal(err)
	}
	if c := e.Config(); c.Width != 640 || c.Height != 360 || c.CPUUsed != -6 || c.BitrateKbps != 2500 {
		t.Errorf("config after resize: %+v", c)
	}
	blocks := fourBlocks(640, 360, 0)
	img := picture(t, 640, 360, blocks)
	if _, _, err := e.Encode(picture(t, w, h, fourBlocks(w, h, 0)), time.Second, frameDur, false, buf); !errors.Is(err, ErrInvalid) {
		t.Errorf("old-size picture after Resize: %v, want ErrInvalid", err)
	}
	for i := range 5 {
		frame, key, err := e.Encode(img, time.Second+time.Duration(i)*frameDur, frameDur, false, buf)
		if err != nil {
			t.Fatal(err)
		}
		buf = frame
		if key != (i == 0) {
			t.Errorf("after resize, frame %d: key = %v", i, key)
		}
		dec, err := d.Decode(frame)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Width != 640 || dec.Height != 360 {
			t.Fatalf("decoded %dx%d after resize, want 640x360", dec.Width, dec.Height)
		}
		checkBlocks(t, fmt.Sprint("resized frame ", i), dec, blocks, 12)
	}

	// Resizing up to 1080p keeps the default speed.
	if err := e.Resize(1920, 1080); err != nil {
		t.Fatal(err)
	}
	if c := e.Config(); c.CPUUsed != DefaultCPUUsed || c.Width != 1920 {
		t.Errorf("after resizing to 1080p: %+v, want cpu-used %d", c, DefaultCPUUsed)
	}
}

func TestOddSize(t *testing.T) {
	const w, h = 321, 241
	e := newEncoderT(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 800})
	d := newDecoderT(t)
	blocks := fourBlocks(w, h, 0)
	img := picture(t, w, h, blocks)
	for i := range 3 {
		frame, _, err := e.Encode(img, time.Duration(i)*frameDur, frameDur, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Decode(frame)
		if err != nil {
			t.Fatal(err)
		}
		if got.Width != w || got.Height != h {
			t.Fatalf("decoded %dx%d, want %dx%d", got.Width, got.Height, w, h)
		}
		checkBlocks(t, "odd size", got, blocks, 12)
	}
}

// TestSetBitrate: a lower target gives smaller frames on a noisy moving
// picture.
func TestSetBitrate(t *testing.T) {
	const w, h = 640, 360
	e := newEncoderT(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 2000, FrameRate: 30})
	m := newMovingCanvas(w, h, 4, 12)
	var buf []byte
	avg := func(from, n int) float64 {
		total := 0
		for i := from; i < from+n; i++ {
			frame, _, err := e.Encode(m.at(i), time.Duration(i)*frameDur, frameDur, false, buf)
			if err != nil {
				t.Fatal(err)
			}
			buf = frame
			if i >= from+n/2 { // let rate control settle
				total += len(frame)
			}
		}
		return float64(total) / float64(n-n/2)
	}
	high := avg(0, 30)
	if err := e.SetBitrate(300); err != nil {
		t.Fatal(err)
	}
	if e.Config().BitrateKbps != 300 {
		t.Errorf("Config().BitrateKbps = %d", e.Config().BitrateKbps)
	}
	low := avg(30, 30)
	t.Logf("average frame at 2000 kbps: %.0f B (target %d), at 300 kbps: %.0f B (target %d)", high, 2000*1000/8/30, low, 300*1000/8/30)
	if low > high/2 {
		t.Errorf("lower bitrate did not shrink frames enough: %.0f -> %.0f bytes", high, low)
	}
	if err := e.SetBitrate(0); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetBitrate(0) = %v, want ErrInvalid", err)
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, c := range []EncoderConfig{
		{Width: 0, Height: 720, BitrateKbps: 1000},
		{Width: 1280, Height: 0, BitrateKbps: 1000},
		{Width: -2, Height: 2, BitrateKbps: 1000},
		{Width: 20000, Height: 720, BitrateKbps: 1000},
		{Width: 1280, Height: 720, BitrateKbps: 0},
		{Width: 1280, Height: 720, BitrateKbps: 1000, CPUUsed: -17},
		{Width: 1280, Height: 720, BitrateKbps: 1000, Threads: -1},
		{Width: 1280, Height: 720, BitrateKbps: 1000, KeyframeMax: -5},
	} {
		e, err := NewEncoder(c)
		var ve *Error
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &ve) || ve.Code != CodeArg || e != nil {
			t.Errorf("NewEncoder(%+v) = %v, %v; want *Error with CodeArg matching ErrInvalid", c, e, err)
		}
	}
	// Odd sizes are fine for VP8, and so is 1x1.
	for _, c := range []EncoderConfig{{Width: 1, Height: 1, BitrateKbps: 100}, {Width: 1279, Height: 719, BitrateKbps: 100}} {
		e, err := NewEncoder(c)
		if err != nil {
			t.Errorf("NewEncoder(%+v): %v", c, err)
			continue
		}
		e.Close()
	}
}

func TestEncodeErrors(t *testing.T) {
	e := newEncoderT(t, EncoderConfig{Width: 64, Height: 64, BitrateKbps: 200})
	if _, _, err := e.Encode(picture(t, 64, 32, nil), 0, frameDur, false, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong size: %v, want ErrInvalid", err)
	}
	if err := e.Resize(0, 64); !errors.Is(err, ErrInvalid) {
		t.Errorf("Resize(0, 64): %v, want ErrInvalid", err)
	}
	// Timestamps that do not advance are accepted (moved by 1 ms).
	img := picture(t, 64, 64, nil)
	for range 3 {
		if _, _, err := e.Encode(img, 0, 0, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := e.Encode(img, -time.Second, frameDur, false, nil); err != nil {
		t.Fatal(err)
	}
	// A dst that is too small grows; a large one is reused.
	small := make([]byte, 0, 1)
	frame, _, err := e.Encode(img, time.Second, frameDur, true, small)
	if err != nil || len(frame) < 2 {
		t.Fatalf("small dst: %d bytes, %v", len(frame), err)
	}
	big := make([]byte, 5, 1<<20)
	frame, _, err = e.Encode(img, 2*time.Second, frameDur, true, big)
	if err != nil || &frame[0] != &big[:1][0] {
		t.Fatalf("big dst not reused: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := e.Encode(img, 3*time.Second, frameDur, false, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Encode after Close: %v", err)
	}
	if err := e.SetBitrate(100); !errors.Is(err, ErrClosed) {
		t.Errorf("SetBitrate after Close: %v", err)
	}
	if err := e.Resize(32, 32); !errors.Is(err, ErrClosed) {
		t.Errorf("Resize after Close: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	d := newDecoderT(t)
	if _, err := d.Decode(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty: %v", err)
	}
	garbage := make([]byte, 500)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	_, err := d.Decode(garbage)
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage: %v, want ErrCorrupt", err)
	}
	t.Logf("garbage: %v", err)

	// A stream that starts with an inter frame cannot be decoded.
	e := newEncoderT(t, EncoderConfig{Width: 64, Height: 64, BitrateKbps: 200})
	img := picture(t, 64, 64, nil)
	var inter []byte
	var key []byte
	for i := range 2 {
		frame, _, err := e.Encode(img, time.Duration(i)*frameDur, frameDur, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			key = frame
		} else {
			inter = frame
		}
	}
	d2 := newDecoderT(t)
	if _, err := d2.Decode(inter); !errors.Is(err, ErrCorrupt) {
		t.Errorf("inter frame first: %v, want ErrCorrupt", err)
	}
	// ... and recovers with a keyframe.
	if _, err := d2.Decode(key); err != nil {
		t.Errorf("keyframe after error: %v", err)
	}
	// A truncated keyframe is an error, not a crash.
	d3 := newDecoderT(t)
	if _, err := d3.Decode(key[:len(key)/3]); err == nil {
		t.Log("truncated keyframe decoded without error (libvpx conceals)")
	} else {
		t.Logf("truncated keyframe: %v", err)
	}
	d.Close()
	if _, err := d.Decode(key); !errors.Is(err, ErrClosed) {
		t.Errorf("Decode after Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestEncodeNoAllocs: steady-state Encode with a reused dst allocates
// nothing.
func TestEncodeNoAllocs(t *testing.T) {
	e := newEncoderT(t, EncoderConfig{Width: 320, Height: 240, BitrateKbps: 500})
	m := newMovingCanvas(320, 240, 2, 8)
	buf := make([]byte, 0, 1<<20)
	i := 0
	allocs := testing.AllocsPerRun(20, func() {
		frame, _, err := e.Encode(m.at(i), time.Duration(i)*frameDur, frameDur, i%7 == 0, buf)
		if err != nil {
			t.Fatal(err)
		}
		buf = frame
		i++
	})
	if allocs != 0 {
		t.Errorf("Encode allocates %.1f times per frame", allocs)
	}
}

// TestIndependentEncoders runs encoders on several goroutines at once (no
// shared state in C).
func TestIndependentEncoders(t *testing.T) {
	errs := make(chan error, 3)
	for g := range 3 {
		go func() {
			e, err := NewEncoder(EncoderConfig{Width: 160 + 32*g, Height: 120, BitrateKbps: 300})
			if err != nil {
				errs <- err
				return
			}
			defer e.Close()
			d, err := NewDecoder()
			if err != nil {
				errs <- err
				return
			}
			defer d.Close()
			m := newMovingCanvas(160+32*g, 120, 2, 4)
			for i := range 20 {
				frame, _, err := e.Encode(m.at(i), time.Duration(i)*frameDur, frameDur, false, nil)
				if err != nil {
					errs <- err
					return
				}
				if img, err := d.Decode(frame); err != nil || img.Width != 160+32*g {
					errs <- errors.Join(err, errors.New("wrong size"))
					return
				}
			}
			errs <- nil
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestStaticUpdates: on an otherwise static page, small changes (a caret
// square, a thin line, a faint background tint of one macroblock) reach the
// decoder in the frame they happen in, despite the static threshold.
func TestStaticUpdates(t *testing.T) {
	const w, h = 1280, 720
	e := newEncoderT(t, EncoderConfig{Width: w, Height: h, BitrateKbps: 2500, FrameRate: 30})
	d := newDecoderT(t)
	img := picture(t, w, h, fourBlocks(w, h, 0))
	setY := func(x0, y0, x1, y1 int, v byte) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.Y[y*img.StrideY+x] = v
			}
		}
	}
	base := img.Y[700*img.StrideY+1200] // background luma
	var buf []byte
	for i := range 40 {
		caret := byte(40 + 160*(i%2))
		setY(600, 300, 616, 316, caret)               // 16x16 caret toggling
		setY(900, 640, 912, 641, base+byte(30*(i%2))) // 12x1 line, +30
		tint := base + byte(3*(i/10%2))               // a 16x16 tint of +3 every 10 frames
		setY(1008, 656, 1024, 672, tint)
		frame, _, err := e.Encode(img, time.Duration(i)*frameDur, frameDur, false, buf)
		if err != nil {
			t.Fatal(err)
		}
		buf = frame
		dec, err := d.Decode(frame)
		if err != nil {
			t.Fatal(err)
		}
		mean := func(x0, y0, x1, y1 int) float64 {
			s := 0.0
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					s += float64(dec.Y[y*dec.StrideY+x])
				}
			}
			return s / float64((x1-x0)*(y1-y0))
		}
		if got := mean(602, 302, 614, 314); abs(got-float64(caret)) > 8 {
			t.Errorf("frame %d: caret decoded %.1f, want %d", i, got, caret)
		}
		// The frames right after the keyframe run at a high quantizer that
		// erases a 1-pixel line (whatever the static threshold, even 0).
		if got, want := mean(900, 640, 912, 641), float64(base)+float64(30*(i%2)); i >= 4 && abs(got-want) > 12 {
			t.Errorf("frame %d: line decoded %.1f, want %.0f", i, got, want)
		}
		if got := mean(1010, 658, 1022, 670); i%10 >= 2 && abs(got-float64(tint)) > 1.5 {
			// allow two frames to converge on a faint change
			t.Errorf("frame %d: tint decoded %.2f, want %d", i, got, tint)
		}
	}
}

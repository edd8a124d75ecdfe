package pagevideo

import (
	"image"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/vpx"
)

// frame returns a w x h BGRA frame of one colour with the given dirty
// rectangles.
func frame(w, h int, b, g, r byte, dirty ...image.Rectangle) *lkbrowser.Frame {
	pix := make([]byte, w*h*4)
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2], pix[i+3] = b, g, r, 255
	}
	return &lkbrowser.Frame{Width: w, Height: h, Stride: w * 4, Pix: pix, Dirty: dirty}
}

// lumaAt decodes pkt and returns the luma at (x, y) and the picture's size.
func lumaAt(t *testing.T, d *vpx.Decoder, pkt []byte, x, y int) (byte, int, int) {
	t.Helper()
	img, err := d.Decode(pkt)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img.Y[y*img.StrideY+x], img.Width, img.Height
}

func TestEncoderPipeline(t *testing.T) {
	enc, err := New(Config{Width: 64, Height: 48, BitrateKbps: 500, FrameRate: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	dec, err := vpx.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	if _, err := enc.Encode(0, 0, false); err == nil {
		t.Fatal("Encode before any picture succeeded")
	}

	// The first picture is converted whole (its Dirty is ignored) and
	// makes a keyframe.
	if _, err := enc.Take(frame(64, 48, 255, 255, 255, image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	p, err := enc.Encode(10*time.Millisecond+400*time.Microsecond, 0, false)
	if err != nil || !p.Key || p.TS != 10*time.Millisecond {
		t.Fatalf("first packet: key %v ts %v err %v; want a keyframe at 10ms", p.Key, p.TS, err)
	}
	if y, _, _ := lumaAt(t, dec, p.Data, 40, 40); y < 200 {
		t.Errorf("white picture decodes with luma %d at (40,40): not converted whole", y)
	}

	// Timestamps never go back: an earlier one moves 1 ms past the last.
	p, err = enc.Encode(5*time.Millisecond, 0, false)
	if err != nil || p.TS != 11*time.Millisecond || p.Key {
		t.Fatalf("repeat: ts %v key %v err %v; want 11ms, not a keyframe", p.TS, p.Key, err)
	}
	lumaAt(t, dec, p.Data, 0, 0) // the decoder follows the stream

	// A later frame converts only its dirty rectangle: black there, the
	// rest stays white.
	if _, err := enc.Take(frame(64, 48, 0, 0, 0, image.Rect(0, 0, 16, 16))); err != nil {
		t.Fatal(err)
	}
	p, err = enc.Encode(50*time.Millisecond, 0, true)
	if err != nil || !p.Key {
		t.Fatalf("forced keyframe: key %v err %v", p.Key, err)
	}
	if y, _, _ := lumaAt(t, dec, p.Data, 4, 4); y > 60 {
		t.Errorf("dirty rectangle not converted: luma %d at (4,4)", y)
	}
	if y, _, _ := lumaAt(t, dec, p.Data, 40, 40); y < 200 {
		t.Errorf("outside the dirty rectangle the picture changed: luma %d at (40,40)", y)
	}

	// A new size: converted whole, a keyframe of the new size.
	resized, err := enc.Take(frame(80, 60, 0, 0, 0, image.Rect(0, 0, 1, 1)))
	if err != nil || !resized {
		t.Fatalf("resize: resized %v err %v", resized, err)
	}
	p, err = enc.Encode(60*time.Millisecond, 0, false)
	if err != nil || !p.Key {
		t.Fatalf("after resize: key %v err %v; want a keyframe", p.Key, err)
	}
	y, w, h := lumaAt(t, dec, p.Data, 70, 50)
	if w != 80 || h != 60 || y > 60 {
		t.Errorf("after resize decoded %dx%d luma %d at (70,50); want 80x60 black", w, h, y)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

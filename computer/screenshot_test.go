package computer

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/lkbrowser/lkbrowser"
)

// testFrame is a w x h BGRX frame, left half red and right half blue, with
// a stride wider than the row and the X byte 0 (as Xvfb leaves it).
func testFrame(w, h int) *lkbrowser.Frame {
	stride := w*4 + 64
	pix := make([]byte, (h-1)*stride+w*4)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*stride + x*4
			if x < w/2 {
				pix[i+2] = 255 // R
			} else {
				pix[i] = 255 // B
			}
		}
	}
	return &lkbrowser.Frame{Pix: pix, Width: w, Height: h, Stride: stride}
}

func rgbaAt(m image.Image, x, y int) [4]uint8 {
	r, g, b, a := m.At(x, y).RGBA()
	return [4]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func TestCopyAndScale(t *testing.T) {
	f := testFrame(200, 100)
	full := copyRGBA(f, f.Bounds())
	if got := rgbaAt(full, 10, 10); got != [4]uint8{255, 0, 0, 255} {
		t.Errorf("copy: left pixel %v, want opaque red", got)
	}
	if got := rgbaAt(full, 199, 99); got != [4]uint8{0, 0, 255, 255} {
		t.Errorf("copy: right pixel %v, want opaque blue", got)
	}
	crop := copyRGBA(f, image.Rect(90, 10, 110, 30))
	if crop.Rect != image.Rect(0, 0, 20, 20) || rgbaAt(crop, 9, 0)[0] != 255 || rgbaAt(crop, 10, 0)[2] != 255 {
		t.Errorf("crop %v: %v %v", crop.Rect, rgbaAt(crop, 9, 0), rgbaAt(crop, 10, 0))
	}
	if scaleRGBA(full, 200, 100) != full {
		t.Error("scaling to the same size copied the image")
	}
	small := scaleRGBA(full, 80, 40)
	if small.Rect != image.Rect(0, 0, 80, 40) {
		t.Fatalf("scaled to %v", small.Rect)
	}
	// The X byte was 0: colours must survive scaling (they would be
	// clamped to the alpha if it were not made opaque first).
	if got := rgbaAt(small, 10, 20); got != [4]uint8{255, 0, 0, 255} {
		t.Errorf("scaled left pixel %v, want opaque red", got)
	}
	if got := rgbaAt(small, 70, 20); got != [4]uint8{0, 0, 255, 255} {
		t.Errorf("scaled right pixel %v, want opaque blue", got)
	}
	mild := scaleRGBA(full, 150, 75) // bilinear
	if got := rgbaAt(mild, 10, 20); got != [4]uint8{255, 0, 0, 255} {
		t.Errorf("mildly scaled left pixel %v, want opaque red", got)
	}
	if got := rgbaAt(mild, 140, 70); got != [4]uint8{0, 0, 255, 255} {
		t.Errorf("mildly scaled right pixel %v, want opaque blue", got)
	}
	big := scaleRGBA(crop, 200, 200)
	if got := rgbaAt(big, 20, 100); got != [4]uint8{255, 0, 0, 255} {
		t.Errorf("zoomed left pixel %v, want opaque red", got)
	}
}

func TestEncode(t *testing.T) {
	img := copyRGBA(testFrame(64, 32), image.Rect(0, 0, 64, 32))
	data, err := encode(img, PNG, 80)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(data))
	if err != nil || m.Bounds() != img.Rect || rgbaAt(m, 5, 5) != [4]uint8{255, 0, 0, 255} {
		t.Errorf("PNG round trip: %v %v", err, m)
	}
	data, err = encode(img, JPEG, 90)
	if err != nil {
		t.Fatal(err)
	}
	m, err = jpeg.Decode(bytes.NewReader(data))
	if err != nil || m.Bounds() != img.Rect {
		t.Fatalf("JPEG round trip: %v", err)
	}
	if c := rgbaAt(m, 5, 5); c[0] < 230 || c[2] > 25 {
		t.Errorf("JPEG left pixel %v, want about red", c)
	}
}

// BenchmarkScreenshotPipeline is the CPU cost of one screenshot after the
// snapshot: copy, scale, PNG.
func BenchmarkScreenshotPipeline(b *testing.B) {
	for _, bc := range []struct {
		name         string
		pw, ph, w, h int
	}{
		{"1280x720", 1280, 720, 1280, 720},
		{"1920x1080-to-1429x804", 1920, 1080, 1429, 804},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := testFrame(bc.pw, bc.ph)
			for b.Loop() {
				if _, err := encode(scaleRGBA(copyRGBA(f, f.Bounds()), bc.w, bc.h), PNG, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

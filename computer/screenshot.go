package computer

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"

	"github.com/lkbrowser/lkbrowser"
)

// screenshot is the whole page as it is now, scaled to exactly the display
// size (keeping nothing of the page's aspect ratio if it differs: the
// display is what the model was told).
func (c *Computer) screenshot(ctx context.Context, s step) (*Image, error) {
	f, err := c.page.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	src := copyRGBA(f, f.Bounds())
	f.Release()
	out := scaleRGBA(src, c.dispW, c.dispH)
	data, err := encode(out, s.format, s.quality)
	if err != nil {
		return nil, err
	}
	return &Image{
		Data: data, Format: s.format, Width: c.dispW, Height: c.dispH,
		ScaleX: float64(src.Rect.Dx()) / float64(c.dispW),
		ScaleY: float64(src.Rect.Dy()) / float64(c.dispH),
	}, nil
}

// zoom is the step's region of the page at full page resolution, scaled to
// fit the display keeping the region's aspect ratio (up for a region
// smaller than the display, down for a larger one).
func (c *Computer) zoom(ctx context.Context, s step) (*Image, error) {
	f, err := c.page.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	r := s.region.Intersect(f.Bounds()) // the page may have shrunk since planning
	if r.Empty() {
		f.Release()
		return nil, fmt.Errorf("the region %v is no longer on the %dx%d page", s.region, f.Width, f.Height)
	}
	src := copyRGBA(f, r)
	f.Release()
	w, h := fitSize(r.Dx(), r.Dy(), c.dispW, c.dispH)
	out := scaleRGBA(src, w, h)
	data, err := encode(out, s.format, s.quality)
	if err != nil {
		return nil, err
	}
	return &Image{
		Data: data, Format: s.format, Width: w, Height: h, Origin: r.Min,
		ScaleX: float64(r.Dx()) / float64(w), ScaleY: float64(r.Dy()) / float64(h),
	}, nil
}

// copyRGBA copies rectangle r of a frame (BGRX) into a new opaque RGBA
// image with its origin at (0, 0), so that the frame can be released at
// once.
func copyRGBA(f *lkbrowser.Frame, r image.Rectangle) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		src := f.Pix[(r.Min.Y+y)*f.Stride+r.Min.X*4 : (r.Min.Y+y)*f.Stride+r.Max.X*4]
		dst := img.Pix[y*img.Stride : y*img.Stride+r.Dx()*4]
		for i := 0; i < len(src); i += 4 {
			dst[i], dst[i+1], dst[i+2], dst[i+3] = src[i+2], src[i+1], src[i], 0xff
		}
	}
	return img
}

// scaleRGBA returns src scaled to w x h: src itself at its own size. A
// mild reduction (to half the size or more on each axis, e.g. a 1920x1080
// page on the default 1429x804 display) is bilinear, where every page
// pixel still weighs in, several times faster than Catmull-Rom; stronger
// reductions (which bilinear sampling would alias) and enlargements (zoom)
// are Catmull-Rom, which keeps text legible.
func scaleRGBA(src *image.RGBA, w, h int) *image.RGBA {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	if sw == w && sh == h {
		return src
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	var k draw.Scaler = draw.CatmullRom
	if w <= sw && h <= sh && 2*w >= sw && 2*h >= sh {
		k = draw.ApproxBiLinear
	}
	k.Scale(dst, dst.Rect, src, src.Rect, draw.Src, nil)
	return dst
}

// pngEncoder favours speed: the image is sent at once, and its size in
// pixels, not bytes, is what a model pays for.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

func encode(img *image.RGBA, format Format, quality int) ([]byte, error) {
	var b bytes.Buffer
	var err error
	if format == JPEG {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: quality})
	} else {
		err = pngEncoder.Encode(&b, img)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", format, err)
	}
	return b.Bytes(), nil
}

package computer

import (
	"fmt"
	"image"
	"math"
)

// MaxDisplaySide is the longest side of a default display, in pixels: what
// Anthropic's models take without scaling the image down themselves.
const MaxDisplaySide = 1568

// defaultDisplay is the page's size scaled down uniformly, keeping its
// aspect ratio, to at most DefaultMaxDisplay pixels and MaxDisplaySide on
// each side; a page within both is its own display (never scaled up).
func defaultDisplay(pageW, pageH int) (w, h int) {
	if pageW < 1 || pageH < 1 {
		return max(pageW, 1), max(pageH, 1)
	}
	s := 1.0
	s = math.Min(s, math.Sqrt(float64(DefaultMaxDisplay)/(float64(pageW)*float64(pageH))))
	s = math.Min(s, float64(MaxDisplaySide)/float64(pageW))
	s = math.Min(s, float64(MaxDisplaySide)/float64(pageH))
	if s >= 1 {
		return pageW, pageH
	}
	// Floors keep the product within DefaultMaxDisplay and each side within
	// MaxDisplaySide.
	return max(1, int(math.Floor(float64(pageW)*s))), max(1, int(math.Floor(float64(pageH)*s)))
}

// geometry converts between the declared display and the page as it is
// now: the page can be resized, so each action takes a fresh one.
type geometry struct {
	dispW, dispH int // the declared display
	pageW, pageH int // the page's current size
}

// scale returns page pixels per display pixel on each axis.
func (g geometry) scale() (sx, sy float64) {
	return float64(g.pageW) / float64(g.dispW), float64(g.pageH) / float64(g.dispH)
}

// onDisplay reports whether p is a pixel of the display.
func (g geometry) onDisplay(p image.Point) bool {
	return p.In(image.Rect(0, 0, g.dispW, g.dispH))
}

// toPage returns the page pixel under the centre of display pixel p,
// floor((p + 0.5) * scale): always a pixel of the page for a pixel of the
// display, and p itself when the display is the page's size.
func (g geometry) toPage(p image.Point) image.Point {
	sx, sy := g.scale()
	x := int(math.Floor((float64(p.X) + 0.5) * sx))
	y := int(math.Floor((float64(p.Y) + 0.5) * sy))
	return image.Pt(min(max(x, 0), g.pageW-1), min(max(y, 0), g.pageH-1))
}

// lengthToPage converts a signed horizontal (or vertical) distance in
// display pixels to page pixels, rounding to the nearest.
func (g geometry) lengthToPage(dx, dy int) (int, int) {
	sx, sy := g.scale()
	return int(math.Round(float64(dx) * sx)), int(math.Round(float64(dy) * sy))
}

// regionToPage returns the page pixels a display region covers: every page
// pixel any part of which lies under the region, within the page.
func (g geometry) regionToPage(r image.Rectangle) image.Rectangle {
	sx, sy := g.scale()
	pr := image.Rect(
		int(math.Floor(float64(r.Min.X)*sx+1e-9)), int(math.Floor(float64(r.Min.Y)*sy+1e-9)),
		int(math.Ceil(float64(r.Max.X)*sx-1e-9)), int(math.Ceil(float64(r.Max.Y)*sy-1e-9)),
	)
	return pr.Intersect(image.Rect(0, 0, g.pageW, g.pageH))
}

// fitSize returns the largest size of aspect w:h that fits in maxW x maxH
// (scaling up or down), at least 1x1.
func fitSize(w, h, maxW, maxH int) (fw, fh int) {
	if w < 1 || h < 1 {
		return 1, 1
	}
	f := math.Min(float64(maxW)/float64(w), float64(maxH)/float64(h))
	fw = int(math.Round(float64(w) * f))
	fh = int(math.Round(float64(h) * f))
	return min(max(fw, 1), maxW), min(max(fh, 1), maxH)
}

// fmtSize formats a size for messages.
func fmtSize(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

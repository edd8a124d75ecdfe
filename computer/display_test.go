package computer

import (
	"image"
	"testing"
)

func TestDefaultDisplay(t *testing.T) {
	for _, tc := range []struct {
		pw, ph, w, h int
	}{
		{1280, 720, 1280, 720},  // within both limits: the page itself
		{1024, 768, 1024, 768},  // idem
		{1920, 1080, 1429, 804}, // 2.07 Mpx: sqrt(1.15/2.07) = 0.745
		{2560, 1440, 1429, 804}, // same aspect, same display
		{1600, 1000, 1356, 847}, // 16:10
		{4000, 500, 1568, 196},  // a wide page is bound by its width
		{500, 4000, 196, 1568},  // a tall one by its height
		{1568, 700, 1568, 700},  // 1.1 Mpx and 1568 wide: not scaled
		{1600, 300, 1568, 294},  // 0.48 Mpx but too wide
		{16, 16, 16, 16},
	} {
		w, h := defaultDisplay(tc.pw, tc.ph)
		if w != tc.w || h != tc.h {
			t.Errorf("defaultDisplay(%d, %d) = %dx%d, want %dx%d", tc.pw, tc.ph, w, h, tc.w, tc.h)
		}
		if w*h > DefaultMaxDisplay || w > MaxDisplaySide || h > MaxDisplaySide || w > tc.pw || h > tc.ph {
			t.Errorf("defaultDisplay(%d, %d) = %dx%d breaks a limit", tc.pw, tc.ph, w, h)
		}
	}
}

func TestToPage(t *testing.T) {
	same := geometry{1280, 720, 1280, 720}
	half := geometry{640, 360, 1280, 720}
	odd := geometry{1024, 576, 1280, 720} // 1.25
	up := geometry{2560, 1440, 1280, 720} // a display larger than the page
	for _, tc := range []struct {
		g        geometry
		in, want image.Point
	}{
		{same, image.Pt(0, 0), image.Pt(0, 0)},
		{same, image.Pt(1279, 719), image.Pt(1279, 719)},
		{same, image.Pt(640, 360), image.Pt(640, 360)},
		{half, image.Pt(0, 0), image.Pt(1, 1)}, // the centre of display pixel 0 is page 1.0
		{half, image.Pt(639, 359), image.Pt(1279, 719)},
		{half, image.Pt(123, 45), image.Pt(247, 91)},
		{odd, image.Pt(720, 360), image.Pt(900, 450)},
		{odd, image.Pt(1023, 575), image.Pt(1279, 719)},
		{up, image.Pt(0, 0), image.Pt(0, 0)},
		{up, image.Pt(1, 1), image.Pt(0, 0)},
		{up, image.Pt(2559, 1439), image.Pt(1279, 719)},
	} {
		if got := tc.g.toPage(tc.in); got != tc.want {
			t.Errorf("%+v.toPage(%v) = %v, want %v", tc.g, tc.in, got, tc.want)
		}
	}
	// Every display pixel maps into the page.
	for _, g := range []geometry{half, odd, up, {1429, 804, 1920, 1080}, {97, 31, 1280, 720}} {
		for x := 0; x < g.dispW; x++ {
			for _, y := range []int{0, g.dispH - 1} {
				if p := g.toPage(image.Pt(x, y)); !p.In(image.Rect(0, 0, g.pageW, g.pageH)) {
					t.Fatalf("%+v.toPage(%d,%d) = %v is off the page", g, x, y, p)
				}
			}
		}
	}
}

func TestRegionToPage(t *testing.T) {
	half := geometry{640, 360, 1280, 720}
	odd := geometry{1024, 576, 1280, 720}
	for _, tc := range []struct {
		g    geometry
		in   image.Rectangle
		want image.Rectangle
	}{
		{half, image.Rect(290, 140, 330, 180), image.Rect(580, 280, 660, 360)},
		{half, image.Rect(0, 0, 640, 360), image.Rect(0, 0, 1280, 720)},
		{odd, image.Rect(1, 1, 3, 3), image.Rect(1, 1, 4, 4)}, // 1.25..3.75: every pixel touched
		{geometry{2560, 1440, 1280, 720}, image.Rect(3, 3, 4, 4), image.Rect(1, 1, 2, 2)},
	} {
		if got := tc.g.regionToPage(tc.in); got != tc.want {
			t.Errorf("%+v.regionToPage(%v) = %v, want %v", tc.g, tc.in, got, tc.want)
		}
	}
}

func TestFitSize(t *testing.T) {
	for _, tc := range []struct{ w, h, mw, mh, fw, fh int }{
		{80, 80, 640, 360, 360, 360},
		{1280, 180, 640, 360, 640, 90},
		{640, 360, 640, 360, 640, 360},
		{1280, 720, 640, 360, 640, 360},
		{10, 1000, 640, 360, 4, 360},
		{1, 1000, 640, 360, 1, 360},
	} {
		if fw, fh := fitSize(tc.w, tc.h, tc.mw, tc.mh); fw != tc.fw || fh != tc.fh {
			t.Errorf("fitSize(%d, %d, %d, %d) = %dx%d, want %dx%d", tc.w, tc.h, tc.mw, tc.mh, fw, fh, tc.fw, tc.fh)
		}
	}
}

func TestLengthToPage(t *testing.T) {
	g := geometry{640, 360, 1280, 720}
	if x, y := g.lengthToPage(50, -25); x != 100 || y != -50 {
		t.Errorf("lengthToPage(50, -25) = %d, %d", x, y)
	}
}

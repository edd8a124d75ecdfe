package computer

import (
	"fmt"
	"image"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lkbrowser/lkbrowser"
)

// step is a validated action with its coordinates converted to page pixels
// for the page's size when it was planned. Planning sends nothing: an
// action is refused whole before any of it reaches the page.
type step struct {
	kind Kind
	g    geometry

	hasPoint bool
	disp     image.Point   // Point, in display pixels
	at       image.Point   // Point, in page pixels
	path     []image.Point // Drag's path, in page pixels
	pathEnd  image.Point   // Drag's last point, in display pixels
	region   image.Rectangle
	button   lkbrowser.MouseButton
	count    int
	mods     []key   // modifiers held by a pointer action
	combos   []combo // Key, HoldKey
	repeat   int
	text     string
	wheelX   int // Scroll, page pixels with lkbrowser's (CEF's) signs
	wheelY   int
	dur      time.Duration
	format   Format
	quality  int
}

// kinds lists every Kind, for messages.
var kinds = []Kind{Screenshot, Zoom, Click, MouseMove, MouseDown, MouseUp, Drag, Scroll, Type, Key, HoldKey, Wait, CursorPosition}

// plan validates a against the display and options and converts its
// coordinates for g.
func plan(a Action, g geometry, o Options) (step, error) {
	k := a.Kind
	s := step{kind: k, g: g}
	var err error
	switch k {
	case Screenshot:
		err = s.image(a, o)
	case Zoom:
		if err = s.image(a, o); err == nil {
			err = s.zoomRegion(a.Region)
		}
	case Click:
		err = first(s.point(a.Point, false), s.buttonOf(a.Button), s.clicks(a.Count), s.modifiers(a.Keys))
	case MouseMove:
		err = first(s.point(a.Point, true), s.modifiers(a.Keys))
	case MouseDown, MouseUp:
		err = first(s.point(a.Point, false), s.buttonOf(a.Button))
	case Drag:
		err = first(s.dragPath(a.Path), s.buttonOf(a.Button), s.modifiers(a.Keys))
	case Scroll:
		err = first(s.point(a.Point, false), s.modifiers(a.Keys), s.wheel(a))
	case Type:
		err = s.typed(a.Text)
	case Key:
		if s.combos, err = parseKeys(k, a.Keys); err == nil {
			err = s.repeats(a.Repeat)
		}
	case HoldKey:
		if s.combos, err = parseKeys(k, a.Keys); err == nil && len(s.combos) != 1 {
			err = refuse(k, "Keys", "%s: hold_key holds one combo, not %d", quote(a.Keys), len(s.combos))
		}
		if err == nil {
			err = s.duration(a.Duration, o.HoldDuration)
		}
	case Wait:
		err = s.duration(a.Duration, o.WaitDuration)
	case CursorPosition:
	case "":
		err = refuse(k, "Kind", "is empty (one of %s)", kindList())
	default:
		err = refuse(k, "Kind", "%s is not an action (one of %s)", quote(string(k)), kindList())
	}
	return s, err
}

// known reports whether k is one of the kinds.
func known(k Kind) bool {
	for _, x := range kinds {
		if k == x {
			return true
		}
	}
	return false
}

func kindList() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// first returns the first non-nil error.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *step) point(p *image.Point, required bool) error {
	if p == nil {
		if required {
			return refuse(s.kind, "Point", "is missing: a %s needs a point on the display", s.kind)
		}
		return nil
	}
	if !s.g.onDisplay(*p) {
		return offDisplay(s.kind, "Point", "(%d,%d) is outside the %dx%d display", p.X, p.Y, s.g.dispW, s.g.dispH)
	}
	s.hasPoint, s.disp, s.at = true, *p, s.g.toPage(*p)
	return nil
}

func (s *step) buttonOf(b Button) error {
	switch b {
	case "", ButtonLeft:
		s.button = lkbrowser.MouseLeft
	case ButtonMiddle:
		s.button = lkbrowser.MouseMiddle
	case ButtonRight:
		s.button = lkbrowser.MouseRight
	default:
		return refuse(s.kind, "Button", "%s is not a button (left, middle or right)", quote(string(b)))
	}
	return nil
}

func (s *step) clicks(n int) error {
	if n == 0 {
		n = 1
	}
	if n < 1 || n > 3 {
		return refuse(s.kind, "Count", "%d is not 1 (single), 2 (double) or 3 (triple)", n)
	}
	s.count = n
	return nil
}

func (s *step) modifiers(keys string) (err error) {
	s.mods, err = parseModifiers(s.kind, keys)
	return err
}

func (s *step) repeats(n int) error {
	if n == 0 {
		n = 1
	}
	if n < 1 || n > MaxRepeat {
		return refuse(s.kind, "Repeat", "%d is not 1..%d", n, MaxRepeat)
	}
	s.repeat = n
	return nil
}

func (s *step) duration(d, def time.Duration) error {
	if d < 0 || d > MaxDuration {
		return refuse(s.kind, "Duration", "%v is not 0..%v", d, MaxDuration)
	}
	if d == 0 {
		d = def
	}
	s.dur = d
	return nil
}

func (s *step) typed(text string) error {
	switch {
	case text == "":
		return refuse(s.kind, "Text", "is empty")
	case len(text) > lkbrowser.MaxTypeText:
		return refuse(s.kind, "Text", "is %d bytes, longer than %d", len(text), lkbrowser.MaxTypeText)
	case !utf8.ValidString(text):
		return refuse(s.kind, "Text", "is not valid UTF-8")
	}
	s.text = text
	return nil
}

func (s *step) image(a Action, o Options) error {
	switch a.Format {
	case "", PNG:
		s.format = PNG
	case JPEG:
		s.format = JPEG
	default:
		return refuse(s.kind, "Format", "%s is not png or jpeg", quote(string(a.Format)))
	}
	q := a.Quality
	if q == 0 {
		q = o.JPEGQuality
	}
	if q < 1 || q > 100 {
		return refuse(s.kind, "Quality", "%d is not 1..100", q)
	}
	s.quality = q
	return nil
}

func (s *step) zoomRegion(r image.Rectangle) error {
	if r.Empty() {
		return refuse(s.kind, "Region", "%v is empty (Min must be above and left of Max)", r)
	}
	if !r.In(image.Rect(0, 0, s.g.dispW, s.g.dispH)) {
		return offDisplay(s.kind, "Region", "%v is not within the %dx%d display", r, s.g.dispW, s.g.dispH)
	}
	s.region = s.g.regionToPage(r)
	if s.region.Empty() {
		return refuse(s.kind, "Region", "%v covers no page pixel", r)
	}
	return nil
}

func (s *step) dragPath(path []image.Point) error {
	if len(path) < 2 {
		return refuse(s.kind, "Path", "has %d points; a drag needs at least 2", len(path))
	}
	if len(path) > MaxPathPoints {
		return refuse(s.kind, "Path", "has %d points, more than %d", len(path), MaxPathPoints)
	}
	s.path = make([]image.Point, len(path))
	for i, p := range path {
		if !s.g.onDisplay(p) {
			return offDisplay(s.kind, fmt.Sprintf("Path[%d]", i), "(%d,%d) is outside the %dx%d display", p.X, p.Y, s.g.dispW, s.g.dispH)
		}
		s.path[i] = s.g.toPage(p)
	}
	s.pathEnd = path[len(path)-1]
	return nil
}

// maxWheel bounds one scroll, in page pixels on each axis.
const maxWheel = MaxScroll * notchPixels

func (s *step) wheel(a Action) error {
	if a.Direction == "" {
		if a.Amount != 0 {
			return refuse(s.kind, "Direction", "is missing: Amount %d needs a direction (up, down, left, right)", a.Amount)
		}
		if a.DeltaX == 0 && a.DeltaY == 0 {
			return refuse(s.kind, "Direction", "is missing: scroll needs Direction (with Amount) or DeltaX/DeltaY")
		}
		dx, dy := s.g.lengthToPage(a.DeltaX, a.DeltaY)
		if dx < -maxWheel || dx > maxWheel || dy < -maxWheel || dy > maxWheel {
			return refuse(s.kind, "DeltaX/DeltaY", "(%d,%d) scroll more than %d page pixels", a.DeltaX, a.DeltaY, maxWheel)
		}
		// Positive deltas scroll right and down; lkbrowser's wheel (CEF's
		// sign) takes positive as up and left.
		s.wheelX, s.wheelY = -dx, -dy
		return nil
	}
	if a.DeltaX != 0 || a.DeltaY != 0 {
		return refuse(s.kind, "DeltaX/DeltaY", "set with Direction: scroll by Direction and Amount, or by DeltaX/DeltaY, not both")
	}
	n := a.Amount
	if n == 0 {
		n = 3
	}
	if n < 1 || n > MaxScroll {
		return refuse(s.kind, "Amount", "%d is not 1..%d notches", n, MaxScroll)
	}
	d := n * notchPixels
	switch a.Direction {
	case Up:
		s.wheelY = d
	case Down:
		s.wheelY = -d
	case Left:
		s.wheelX = d
	case Right:
		s.wheelX = -d
	default:
		return refuse(s.kind, "Direction", "%s is not up, down, left or right", quote(string(a.Direction)))
	}
	return nil
}

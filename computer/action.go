package computer

import (
	"image"
	"time"
)

// Kind names an action. The names are vendor-neutral; package agent maps
// each vendor's computer-use actions (Anthropic's computer_20251124 and its
// GA toolset, OpenAI's computer-use actions) onto them.
type Kind string

// The actions a Computer performs.
const (
	Screenshot     Kind = "screenshot"      // a picture of the display
	Zoom           Kind = "zoom"            // Region of the display at full page resolution, scaled to fit the display
	Click          Kind = "click"           // Button pressed Count times (1 single, 2 double, 3 triple) at Point, Keys held
	MouseMove      Kind = "mouse_move"      // pointer to Point, Keys held
	MouseDown      Kind = "mouse_down"      // Button pressed at the pointer (or at Point if set)
	MouseUp        Kind = "mouse_up"        // Button released at the pointer (or at Point if set)
	Drag           Kind = "drag"            // Button pressed at Path[0], moved along Path, released at its end, Keys held
	Scroll         Kind = "scroll"          // Amount notches in Direction, or DeltaX/DeltaY pixels, at Point, Keys held
	Type           Kind = "type"            // Text typed as a keyboard would (any Unicode)
	Key            Kind = "key"             // Keys pressed as a combo ("ctrl+shift+t"), Repeat times
	HoldKey        Kind = "hold_key"        // Keys held down for Duration
	Wait           Kind = "wait"            // nothing for Duration, then settle
	CursorPosition Kind = "cursor_position" // where the pointer is, in display pixels
)

// Direction is a scroll direction.
type Direction string

// Scroll directions.
const (
	Up    Direction = "up"
	Down  Direction = "down"
	Left  Direction = "left"
	Right Direction = "right"
)

// Button is a mouse button.
type Button string

// Mouse buttons.
const (
	ButtonLeft   Button = "left"
	ButtonMiddle Button = "middle"
	ButtonRight  Button = "right"
)

// Action is one action on the page. Coordinates (Point, Path, Region) are in
// display pixels: the pixels of the screenshots this Computer takes, which
// Options.DisplayWidth x DisplayHeight declares; the Computer converts them
// to page pixels and refuses a coordinate outside the display with an error
// matching ErrOffDisplay (never clamping it to the edge).
//
// The fields each kind reads (it ignores the others):
//
//   - Screenshot: Format, Quality.
//   - Zoom: Region (non-empty, within the display), Format, Quality.
//   - Click: Point (nil clicks at the pointer), Button, Count, Keys
//     (modifiers held).
//   - MouseMove: Point (required), Keys (modifiers held).
//   - MouseDown, MouseUp: Point (nil: at the pointer), Button.
//   - Drag: Path (2..MaxPathPoints points), Button, Keys (modifiers held).
//   - Scroll: Point (nil: at the pointer), Keys (modifiers held), and
//     either Direction with Amount or DeltaX/DeltaY, not both.
//   - Type: Text (non-empty, valid UTF-8, at most lkbrowser.MaxTypeText).
//   - Key: Keys (required), Repeat.
//   - HoldKey: Keys (one combo), Duration.
//   - Wait: Duration.
//   - CursorPosition: nothing.
type Action struct {
	Kind   Kind
	Point  *image.Point    // Click, MouseMove, Scroll; optional for Click, MouseDown, MouseUp, Scroll (nil: at the pointer)
	Path   []image.Point   // Drag: at least two points
	Region image.Rectangle // Zoom: display pixels, Min inclusive, Max exclusive
	Button Button          // Click, MouseDown, MouseUp, Drag; "" means left
	Count  int             // Click: 1, 2 or 3; 0 means 1
	// Keys is a key combo in xdotool names joined by "+" ("ctrl+shift+t",
	// "Return", "KP_Enter", "super", "Page_Down", "a"). For Key it may
	// chain combos separated by spaces, pressed in turn ("ctrl+a
	// BackSpace"); for HoldKey it is one combo, held; for Click, MouseMove,
	// Scroll and Drag the modifiers held ("shift", "ctrl+alt"). Names are
	// case-insensitive; a single character stands for its key ("A" is
	// Shift+a, but "ctrl+A" is ctrl+a). See keysyms.go for the names.
	Keys      string
	Repeat    int       // Key: times the whole of Keys is pressed, 1..MaxRepeat; 0 means 1
	Text      string    // Type
	Direction Direction // Scroll with Amount
	// Amount is Scroll's number of wheel notches in Direction, 1..MaxScroll;
	// one notch scrolls 120 page pixels (a wheel click, as the reference
	// agent's). 0 means 3.
	Amount   int
	DeltaX   int           // Scroll by display pixels instead of notches, positive to the right (OpenAI's scroll_x)
	DeltaY   int           // Scroll by display pixels instead of notches, positive down (OpenAI's scroll_y)
	Duration time.Duration // HoldKey, Wait: 0..MaxDuration; 0 means the Options' default
	// Format is the image format of Screenshot and Zoom; "" means PNG.
	Format Format
	// Quality is the JPEG quality of this Screenshot or Zoom, 1..100; 0
	// means Options.JPEGQuality.
	Quality int
}

// Limits of an Action.
const (
	MaxRepeat     = 100               // Key: most presses of one action
	MaxScroll     = 100               // Scroll: most notches of one action
	MaxPathPoints = 1000              // Drag: most points of a path
	MaxDuration   = 100 * time.Second // HoldKey, Wait: longest duration
)

// notchPixels is how far one wheel notch scrolls, in page pixels.
const notchPixels = 120

// Result is what an action produced.
type Result struct {
	// Image is the screenshot of Screenshot and Zoom, nil for other actions.
	Image *Image
	// Cursor is the pointer's position in display pixels after the action:
	// where this Computer last put it ((0, 0) before its first pointer
	// action). Pointer input from elsewhere (a person in a room) is not
	// seen.
	Cursor image.Point
	// Settled is how the page came to rest after the action. It is the zero
	// Settle for Screenshot, Zoom and CursorPosition, which send no input
	// and do not wait.
	Settled Settle
}

// Settle describes the wait after an action: the action returns when the
// page has been visually still (no damage, no navigation in flight) for
// Options.Quiet, or when Options.SettleLimit passed (see the package
// documentation, Settling).
type Settle struct {
	Waited  time.Duration // from the action's last input event (for Wait: the end of its Duration) to its return
	Still   bool          // true if the page came to rest, false if SettleLimit (or the page's end) cut the wait
	Changes int           // frames (damage) seen while waiting
}

// Format is a screenshot's image format.
type Format string

// Screenshot formats.
const (
	PNG  Format = "png"
	JPEG Format = "jpeg"
)

// Image is an encoded screenshot with its scale contract: pixel (x, y) of
// the image shows page pixel (Origin.X + x*ScaleX, Origin.Y +
// y*ScaleY). For a Screenshot, Origin is (0, 0) and the image is exactly
// the declared display size; for a Zoom, Origin is the region's top-left
// corner in page pixels.
type Image struct {
	Data          []byte      // the encoded image
	Format        Format      // PNG or JPEG
	Width, Height int         // the image's size in pixels
	Origin        image.Point // page pixel shown at the image's (0, 0)
	ScaleX        float64     // page pixels per image pixel, horizontally
	ScaleY        float64     // page pixels per image pixel, vertically
}

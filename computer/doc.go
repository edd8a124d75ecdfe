// Package computer performs the actions of a computer-use AI model on an
// lkbrowser page: screenshots scaled to a declared display size, zoom,
// clicks, drags, scrolls, typing and key combos in xdotool names, each
// returning when the page has settled rather than after a fixed sleep.
//
// It uses only the public Page API, so it works on any page, published
// into a room or not. Package agent maps vendors' tool calls onto Actions.
//
// # Coordinates
//
// A Computer declares a display size (Options.DisplayWidth and
// DisplayHeight, by default the page's size scaled down uniformly to fit
// DefaultMaxDisplay pixels and MaxDisplaySide on a side, never up). Every
// screenshot is exactly that size, and every coordinate an Action carries
// is in that display's pixels; Do converts it to page pixels and refuses
// one outside the display with ErrOffDisplay, never clamping it.
//
// Display pixel (x, y) acts on the page pixel under its centre,
// floor((x+0.5)*ScaleX), floor((y+0.5)*ScaleY), where the scales are the
// page's current size over the display's: the page may be resized between
// actions, the display stays as declared (a screenshot then stretches the
// page to it). Every Image carries its contract: image pixel (x, y) shows
// page pixel Origin + (x*ScaleX, y*ScaleY). A Zoom shows a display region
// at the page's full resolution, fitted into the display keeping the
// region's aspect ratio (so enlarged when the region is small).
//
// # Input
//
// Input reaches the page as a person's would: a click moves the pointer
// first, a double click is two presses with click counts 1 and 2 (the page
// fires dblclick), a triple click counts 1, 2, 3; modifiers held by a
// click, move, scroll or drag are pressed before it (keydown events) and
// released after it, and every mouse event carries them (event.shiftKey,
// ctrlKey, altKey, metaKey). A drag presses at its first point, moves
// along the path in steps of at most 20 page pixels, paced like a mouse,
// and releases at its last point. Keys and buttons an action pressed are
// released even when its context ends midway. The pointer position is
// tracked by the Computer (Result.Cursor), which sees only its own moves.
//
// Keys are xdotool names, as the models write them: combos joined by "+"
// ("ctrl+shift+t", "super", "KP_Enter", "Page_Down", "F5", "BackSpace"),
// case-insensitive, single characters for themselves ("a", "A" = Shift+a,
// "7"), keysym names for symbols ("plus", "minus", "period", "space"); a
// Key action may chain combos separated by spaces ("ctrl+a BackSpace").
// keysyms.go has the table. Text (Type) may be any Unicode: characters of
// a US keyboard are typed as key presses, others inserted as an input
// method would.
//
// # Settling
//
// An input action returns when the page has been visually still for
// Options.Quiet (no new frame: the page sends frames only when its picture
// changes), no finite CSS transition or animation running, and no
// navigation in flight (one a click started but the server has not
// answered yet, or a new document not loaded or not painted yet), or when
// Options.SettleLimit has passed since its last input event. So the
// screenshot taken next shows what the action did, a CSS transition's end
// or the new page, and an action on a static page costs about Quiet.
// Result.Settled says how long it waited, whether the page came to rest
// and how many frames it saw. Screenshot, Zoom and CursorPosition do not
// wait; Settle waits without acting (e.g. after Page.Navigate).
//
// # Errors
//
// A refused action returns an *ActionError naming its kind, the field and
// the reason in one line, matching ErrInvalidAction (and ErrOffDisplay for
// coordinates outside the display); nothing of it reaches the page. Errors
// of the page (lkbrowser.ErrClosed, ErrCrashed) and of the context are
// returned wrapped. Invalid Options return an *OptionsError matching
// ErrInvalidOptions. The package never panics on bad input and never
// prints; it logs at debug level through Options.Logger.
//
// # Lifecycle and concurrency
//
// New returns a Computer bound to a page; it holds no goroutine and no
// resource of its own between actions, so it needs no Close: each action
// subscribes to the page's frames and events and closes the subscriptions
// before it returns. Actions are serialised: Do may be called from several
// goroutines, one action runs at a time, and a caller waiting its turn
// gives up when its context ends. The page stays the caller's.
package computer

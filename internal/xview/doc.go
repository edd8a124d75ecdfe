// Package xview shows images in a real window on the user's X display and
// reports the input the window receives: lkbrowser's dev mode mirrors each
// page into such a window and forwards the mouse and keyboard to the page.
//
// It is the reverse of package xcap: xcap reads pixels from a private Xvfb,
// xview writes them to $DISPLAY. Like xcap it uses XCB rather than Xlib, so
// a user's X server that goes away surfaces as ErrConnectionLost instead of
// exiting the process, and it keeps no global state.
//
// A viewer, with a drawing goroutine and an event goroutine:
//
//	win, err := xview.Open("page 1", 1280, 720) // ErrNoDisplay without $DISPLAY
//	defer win.Close()                           // also interrupts Wait
//	go func() {
//		for f := range frames {
//			win.Put(f.Pix, f.Stride, f.Width, f.Height) // BGRX
//		}
//	}()
//	var evs []xview.Event
//	for {
//		evs, err = win.Wait(-1, evs) // Wake from another goroutine interrupts it
//		for _, ev := range evs {
//			// ev.Type: Motion, ButtonPress, KeyPress (ev.Keysym, ev.Rune, ev.Key), ...
//		}
//	}
//
// Key events carry the X key code, the modifier state, the keysym that state
// selects (through xcb-keysyms) and, decoded from it, the character typed
// (KeysymRune) or the DOM name of a non-character key (KeysymName).
//
// The C side lives in bridge.c; bridge.h documents who owns every pointer
// and which calls may overlap. On platforms without Linux and cgo, Open
// returns an error wrapping errors.ErrUnsupported.
package xview

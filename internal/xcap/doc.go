// Package xcap captures frames of an X display's root window: XCB for the
// connection, DAMAGE to learn what changed, MIT-SHM to copy pixels straight
// into shared memory, and XFIXES for damage regions and cursor changes.
//
// XCB rather than Xlib: Xlib exits the process on an I/O error (for example
// when Xvfb is killed), while XCB only marks the connection broken, which
// surfaces here as ErrConnectionLost. Each Conn authenticates with its own
// MIT-MAGIC-COOKIE-1 and there is no global state, so one process can watch
// many displays.
//
// A typical capture loop, on one goroutine:
//
//	c, err := xcap.Open(":5", cookie)
//	buf, err := c.NewBuffer()
//	var rects []xcap.Rect
//	for {
//		ev, err := c.Wait(-1) // Wake from another goroutine interrupts it
//		if ev&xcap.EventDamage != 0 {
//			rects, err = c.TakeDamage(rects[:0])
//			for _, r := range rects {
//				err = c.Grab(buf, int(r.Y), int(r.Y+r.H)) // full-width rows
//			}
//			// buf.Pix() now holds the current frame (BGRX).
//		}
//	}
//
// Damage created on the root window reports drawing anywhere on the screen,
// including into (mapped, visible parts of) child and top-level windows of
// other clients, which is where a browser draws.
//
// The C side lives in bridge.c; bridge.h documents who owns every pointer.
// WriteAuthority and NewCookie (pure Go) prepare the -auth file for Xvfb.
// FillRect, FillWindowRect, CreateWindow and DestroyWindow are small drawing
// helpers meant for tests. On platforms without Linux and cgo, every
// constructor returns an error wrapping errors.ErrUnsupported.
package xcap

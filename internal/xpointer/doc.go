// Package xpointer sends pointer input through the XTEST extension to a
// page's private X display, for the windows the DevTools protocol cannot
// reach: Chromium draws an open <select> list in an override-redirect X
// window of its own, and Input.dispatchMouseEvent only ever reaches the
// page's main widget, so a click on the list must come from the X server.
//
//	c, err := xpointer.Open(":42", cookie)
//	defer c.Close()
//	if on, _ := c.PopupAt(x, y); on {
//		c.Fake(xpointer.Press, 1, x, y)
//		c.Fake(xpointer.Release, 1, x, y)
//	}
//
// The C side is bridge.c; bridge.h states who owns every pointer. On
// platforms without Linux and cgo, Open returns an error wrapping
// errors.ErrUnsupported.
package xpointer

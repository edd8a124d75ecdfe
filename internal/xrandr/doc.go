// Package xrandr sets the refresh rate of an X display through the RandR
// extension, for lkbrowser's private Xvfb displays.
//
// Chromium paces its frames (requestAnimationFrame, compositing, painting)
// by the refresh rate that XRandR reports for its display, and takes 60 Hz
// when there is none, as on a fresh Xvfb (whose only mode has no timings).
// A page captured at 30 frames a second would still be drawn 60 times a
// second. SetRefresh gives the display a mode of the same size whose timings
// make the wanted rate, so that Chromium draws no more frames than are
// taken. Chromium reads the rate when it starts: set it before.
//
// XCB, like internal/xcap: errors come back as values, never as an exit of
// the process. The C side lives in bridge.c; on platforms without Linux and
// cgo every function returns an error wrapping errors.ErrUnsupported.
package xrandr

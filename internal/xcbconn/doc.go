// Package xcbconn holds xcbconn.h, the C helpers that every XCB bridge
// (xcap, xpointer, xrandr, xview) shares: connecting to a page's display
// with its MIT-MAGIC-COOKIE-1 and finding a screen. It has no Go API.
package xcbconn

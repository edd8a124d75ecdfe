// Package xauth writes Xauthority files: the MIT-MAGIC-COOKIE-1 that only
// lkbrowser's own clients hold for a page's private X display.
package xauth

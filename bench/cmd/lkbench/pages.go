package main

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
)

// The benchmark's pages (pages/): full.html (full-page animation),
// small.html (a small animated element on a static page), static.html
// (nothing moves), and stamp.js, the time stamp that the first two draw on
// every animation frame (decoded with internal/testing/stamp).
//
//go:embed pages
var pagesFS embed.FS

// servePages serves the embedded pages on a loopback test server; close it
// when done.
func servePages() (*httptest.Server, error) {
	sub, err := fs.Sub(pagesFS, "pages")
	if err != nil {
		return nil, err
	}
	return httptest.NewServer(http.FileServer(http.FS(sub))), nil
}

// pageURL is the address of an embedded page on srv, e.g. "full.html".
func pageURL(srv *httptest.Server, page string) string {
	return fmt.Sprintf("%s/%s", srv.URL, page)
}

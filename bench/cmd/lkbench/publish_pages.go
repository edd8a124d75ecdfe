package main

import (
	_ "embed"
	"io/fs"
	"net/http"
	"net/http/httptest"
)

// The pages of the publishing benchmark: the simple one, a moving box and a
// 440 Hz tone; the busy one, full-page motion without sound.
var (
	//go:embed publish_box.html
	publishBox []byte
	//go:embed publish_full.html
	publishFull []byte
)

// servePublishPages serves the benchmark's pages (pages/, stamp.js among
// them) and the publishing pages at /publish-box.html and
// /publish-full.html on a loopback test server; close it when done.
func servePublishPages() (*httptest.Server, error) {
	sub, err := fs.Sub(pagesFS, "pages")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.FS(sub)))
	for path, page := range map[string][]byte{"/publish-box.html": publishBox, "/publish-full.html": publishFull} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		})
	}
	return httptest.NewServer(mux), nil
}

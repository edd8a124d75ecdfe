package webm_test

import (
	"log"
	"os"
	"os/signal"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/webm"
)

// Record a page to a file until Ctrl-C; Stop finalises it (seek index and
// duration). The program keeps reading the page meanwhile.
func ExampleRecordFile() {
	var page *lkbrowser.Page // from Engine.NewPage
	rec, err := webm.RecordFile(page, "out.webm", webm.Options{})
	if err != nil {
		log.Fatal(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	select {
	case <-stop:
	case <-rec.Done(): // the page closed or a write failed
	}
	if err := rec.Stop(); err != nil {
		log.Fatal(err)
	}
	st := rec.Stats()
	log.Printf("recorded %v, %d frames, %d bytes", st.Elapsed, st.Frames, st.Bytes)
}

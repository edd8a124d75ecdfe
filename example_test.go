package lkbrowser_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// A page's frames: each carries the whole picture and the rectangles that
// changed since the reader's previous frame. Release every frame.
func Example_frames() {
	ctx := context.Background()
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()
	page, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: "https://example.org", Width: 1280, Height: 720, FrameRate: 30})
	if err != nil {
		log.Fatal(err)
	}
	for f := range page.Frames() { // closed when the page closes
		b, g, r := f.BGRA(10, 10)
		fmt.Println(f.Width, f.Height, len(f.Dirty), r, g, b)
		f.Release()
	}
}

// A second reader of the same page: its own queue and drop counter, so a
// slow reader never slows the page or its other readers.
func ExamplePage_SubscribeFrames() {
	var page *lkbrowser.Page // from Engine.NewPage
	sub := page.SubscribeFrames()
	defer sub.Close()
	for f := range sub.C() {
		fmt.Println(f.PTS, sub.Dropped())
		f.Release()
	}
}

// Page events: address, title, load, cursor, crashes and, last, Closed.
func ExamplePage_Events() {
	var page *lkbrowser.Page // from Engine.NewPage
	for ev := range page.Events() {
		switch ev := ev.(type) {
		case lkbrowser.URLChanged:
			fmt.Println("url", ev.URL)
		case lkbrowser.LoadFinished:
			fmt.Println("loaded", ev.URL)
		case lkbrowser.CursorChanged:
			fmt.Println("cursor", ev.Cursor)
		case lkbrowser.Crashed:
			fmt.Println("crashed:", ev.Reason)
		case lkbrowser.Closed:
			return
		}
	}
}

// Input: a click, typed text and a key with a modifier, in page pixels.
func ExamplePage_Click() {
	var page *lkbrowser.Page // from Engine.NewPage
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := page.Click(ctx, 200, 120); err != nil {
		log.Fatal(err)
	}
	if err := page.TypeText(ctx, "hello, wörld"); err != nil {
		log.Fatal(err)
	}
	if err := page.PressKey(ctx, "a", lkbrowser.ModControl); err != nil { // select all
		log.Fatal(err)
	}
	if err := page.PressKey(ctx, "Enter", 0); err != nil {
		log.Fatal(err)
	}
}

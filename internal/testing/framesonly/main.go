// Command framesonly is the smallest lkbrowser program: it opens a page and
// reads its frames. Its only purpose is the dependency test of the root
// package (unit_deps_test.go): what it links is what every user of the
// page API links.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: framesonly URL")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{NoAudio: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer eng.Close()
	page, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: os.Args[1]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f := <-page.Frames()
	fmt.Println(f.Width, f.Height)
	f.Release()
}

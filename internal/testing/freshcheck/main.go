// Command freshcheck is the last step of scripts/fresh-check.sh: on the
// fresh Debian root it serves a page of four coloured quadrants on
// loopback, has the lkbrowser binary given as its argument take a
// screenshot of it, and checks the colour at the centre of each quadrant.
// It exits non-zero, with the screenshot command's own error, when any of
// that fails.
//
//	go run ./internal/testing/freshcheck /usr/local/bin/lkbrowser
package main

import (
	"fmt"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

const page = `<!doctype html><html><head><style>
html,body{margin:0;height:100%;overflow:hidden}
div{position:absolute;width:50%;height:50%}
</style></head><body>
<div style="left:0;top:0;background:#ff0000"></div>
<div style="left:50%;top:0;background:#00ff00"></div>
<div style="left:0;top:50%;background:#0000ff"></div>
<div style="left:50%;top:50%;background:#ffff00"></div>
</body></html>`

// quadrant is one expected colour at a fraction of the picture's size.
type quadrant struct {
	name    string
	fx, fy  float64
	r, g, b uint8
}

var quadrants = []quadrant{
	{"red (top left)", 0.25, 0.25, 255, 0, 0},
	{"green (top right)", 0.75, 0.25, 0, 255, 0},
	{"blue (bottom left)", 0.25, 0.75, 0, 0, 255},
	{"yellow (bottom right)", 0.75, 0.75, 255, 255, 0},
}

const width, height = 640, 360

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: freshcheck PATH-TO-LKBROWSER")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "freshcheck:", err)
		os.Exit(1)
	}
	fmt.Println("freshcheck: screenshot of a local page has its four colours")
}

func run(bin string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	dir, err := os.MkdirTemp("", "freshcheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "shot.png")
	cmd := exec.Command(bin, "screenshot", "--width", fmt.Sprint(width), "--height", fmt.Sprint(height),
		"--timeout", "60s", "http://"+ln.Addr().String()+"/", out)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("lkbrowser screenshot: %w", err)
	}
	return check(out)
}

func check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		return fmt.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), width, height)
	}
	for _, q := range quadrants {
		x, y := int(q.fx*width), int(q.fy*height)
		r, g, b, _ := img.At(x, y).RGBA()
		got := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
		want := [3]uint8{q.r, q.g, q.b}
		for i := range got {
			if d := int(got[i]) - int(want[i]); d < -8 || d > 8 {
				return fmt.Errorf("%s at (%d,%d) is rgb%v, want rgb%v", q.name, x, y, got, want)
			}
		}
	}
	return nil
}

package room

import (
	"context"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/internal/testing/roomtest"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// TestRoomClickChoosesSelectOption opens a <select> and clicks its third
// option through browser-input messages, finding the option in the video a
// subscriber decodes: the open list is an X window of its own, which the
// room's input must reach as the page's own API does.
func TestRoomClickChoosesSelectOption(t *testing.T) {
	page, _ := publish(t, lk, web.URL+"/pages/select.html", lksession.Options{})
	sub := subscribe(t, lk, "driver")
	waitColour(t, sub, 200, 38, [3]int{255, 255, 0}, 15*time.Second) // the closed select
	if res, err := rpc(t, sub, lksession.MethodRequestFocus, ""); err != nil || res["granted"] != true {
		t.Fatalf("request-focus: %v %v", res, err)
	}
	sendInput(t, sub, click(200, 38)) // opens the list
	var x, y int
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Wait(ctx, "the open list's third option (blue) in the video", func() bool {
		img := sub.PictureLocked()
		if img == nil {
			return false
		}
		sx, sy, n := 0, 0, 0
		for py := 0; py < img.Height; py += 2 {
			for px := 0; px < img.Width; px += 2 {
				r, g, b := roomtest.RGB(img, px, py)
				if near([3]int{r, g, b}, [3]int{0, 0, 255}) {
					sx, sy, n = sx+px, sy+py, n+1
				}
			}
		}
		if n < 50 {
			return false
		}
		x, y = sx/n, sy/n
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if y <= 56 {
		t.Fatalf("blue at y %d: not in the open list below the select", y)
	}
	sendInput(t, sub, click(x, y))
	if !eventually(10*time.Second, func() bool { return evalString(t, page, "document.getElementById('pick').value") == "three" }) {
		t.Fatalf("select value %q after clicking the third option at %d,%d, want three", evalString(t, page, "document.getElementById('pick').value"), x, y)
	}
	if got := evalString(t, page, "window.changes.join(',')"); got != "three" {
		t.Errorf("change events %q, want three", got)
	}
}

// Package clicks turns mouse presses into click counts (double and triple
// clicks) as a desktop does. It is the one rule for every input path that
// sees raw presses: room input (lksession) and the dev-mode window.
//
// A Counter belongs to one goroutine.
package clicks

import "time"

// The multi-click rule: a press of the same button at most Interval after
// the previous one and at most Slop pixels from it counts up, to 3; the
// fourth starts again at 1.
const (
	Interval = 500 * time.Millisecond
	Slop     = 4
)

// Counter remembers the last press.
type Counter struct {
	at     time.Time
	x, y   int
	button int
	count  int
}

// Down counts a press of button at (x, y) at time now and returns its click
// count: 1, 2 or 3.
func (k *Counter) Down(x, y, button int, now time.Time) int {
	if k.count > 0 && button == k.button && now.Sub(k.at) <= Interval &&
		abs(x-k.x) <= Slop && abs(y-k.y) <= Slop && k.count < 3 {
		k.count++
	} else {
		k.count = 1
	}
	k.at, k.x, k.y, k.button = now, x, y, button
	return k.count
}

// Up returns the click count of a release of button: the count of its
// press, or 1 for a release without a press.
func (k *Counter) Up(button int) int {
	if button != k.button || k.count == 0 {
		return 1
	}
	return k.count
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

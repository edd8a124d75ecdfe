package lksession

import "testing"

// Silence, as the engine sees it, does not start the audio track; any
// louder sample does.
func TestAudible(t *testing.T) {
	for _, c := range []struct {
		pcm  []int16
		want bool
	}{
		{nil, false},
		{make([]int16, 960), false},
		{[]int16{0, 1, -2, 2, -1}, false},
		{[]int16{0, 0, 3, 0}, true},
		{[]int16{0, -3}, true},
		{[]int16{-32768}, true},
	} {
		if got := audible(c.pcm); got != c.want {
			t.Errorf("audible(%v) = %v, want %v", c.pcm, got, c.want)
		}
	}
}

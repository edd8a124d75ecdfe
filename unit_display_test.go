package lkbrowser

import "testing"

// The display refreshes at the page's frame rate, or a multiple of it of at
// least 30 Hz, and keeps Chromium's 60 Hz default from 60 up.
func TestRefreshFor(t *testing.T) {
	for fps, want := range map[int]int{0: 0, 1: 30, 7: 35, 10: 30, 15: 30, 24: 48, 25: 50, 29: 58, 30: 30, 31: 31, 45: 45, 59: 59, 60: 0, 120: 0} {
		if got := refreshFor(fps); got != want {
			t.Errorf("refreshFor(%d) = %d, want %d", fps, got, want)
		}
	}
}

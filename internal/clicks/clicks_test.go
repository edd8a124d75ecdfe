package clicks

import (
	"testing"
	"time"
)

func TestClickCounter(t *testing.T) {
	var k Counter
	t0 := time.Unix(0, 0)
	if n := k.Down(10, 10, 0, t0); n != 1 {
		t.Fatalf("first click %d", n)
	}
	if n := k.Up(0); n != 1 {
		t.Fatalf("first up %d", n)
	}
	if n := k.Down(12, 11, 0, t0.Add(200*time.Millisecond)); n != 2 {
		t.Fatalf("double click %d", n)
	}
	if n := k.Down(12, 11, 0, t0.Add(400*time.Millisecond)); n != 3 {
		t.Fatalf("triple click %d", n)
	}
	if n := k.Down(12, 11, 0, t0.Add(600*time.Millisecond)); n != 1 {
		t.Fatalf("fourth click restarts: %d", n)
	}
	if n := k.Down(40, 11, 0, t0.Add(700*time.Millisecond)); n != 1 {
		t.Fatalf("far click: %d", n)
	}
	if n := k.Down(40, 11, 2, t0.Add(800*time.Millisecond)); n != 1 {
		t.Fatalf("other button: %d", n)
	}
	if n := k.Down(40, 11, 2, t0.Add(2*time.Second)); n != 1 {
		t.Fatalf("late click: %d", n)
	}
}

package lksession

import (
	"reflect"
	"testing"
)

func TestCoalesceMoves(t *testing.T) {
	move := func(x int) InputEvent { return InputEvent{Type: InputMouseMove, X: x} }
	down := InputEvent{Type: InputMouseDown, X: 3, Button: 0}
	up := InputEvent{Type: InputMouseUp, X: 5, Button: 0}
	for _, tc := range []struct {
		name     string
		in, want []InputEvent
	}{
		{"empty", nil, nil},
		{"one move", []InputEvent{move(1)}, []InputEvent{move(1)}},
		{"a run keeps its last", []InputEvent{move(1), move(2), move(3)}, []InputEvent{move(3)}},
		{"a drag keeps each run's end and every button",
			[]InputEvent{move(1), move(3), down, move(4), move(5), up, move(6)},
			[]InputEvent{move(3), down, move(5), up, move(6)}},
	} {
		if got := coalesceMoves(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

//go:build !race

package tests

// raceEnabled is true when the tests run with -race, whose runtime
// allocates on its own.
const raceEnabled = false

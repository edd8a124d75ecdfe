package cpustat

import "syscall"

// SelfSeconds returns the CPU time (user + system) this process used so
// far, in seconds, from getrusage: finer than clock ticks, and without its
// children, which are trees of their own.
func SelfSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

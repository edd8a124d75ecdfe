package roomtest

import "math"

// Frequency estimates the frequency of a pure tone in mono samples at
// rate Hz from its zero crossings (interpolated), over the loud part.
func Frequency(pcm []int16, rate int) float64 {
	first, last := -1.0, -1.0
	n := 0
	for i := 1; i < len(pcm); i++ {
		a, b := float64(pcm[i-1]), float64(pcm[i])
		if a < 0 && b >= 0 {
			t := float64(i-1) + (-a)/(b-a)
			if first < 0 {
				first = t
			} else {
				n++
			}
			last = t
		}
	}
	if n == 0 {
		return 0
	}
	return float64(n) * float64(rate) / (last - first)
}

// RMS returns the root mean square of the samples, in dBFS.
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return math.Inf(-1)
	}
	var s float64
	for _, v := range pcm {
		f := float64(v) / 32768
		s += f * f
	}
	return 10 * math.Log10(s/float64(len(pcm)))
}

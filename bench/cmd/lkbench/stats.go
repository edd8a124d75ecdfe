package main

import (
	"math"
	"slices"

	"github.com/lkbrowser/lkbrowser/internal/testing/glassbench"
)

// percentile returns the nearest-rank p-quantile (0 < p <= 1) of v, or NaN
// for no values. v is not modified.
func percentile(v []float64, p float64) float64 {
	return glassbench.Percentile(slices.Sorted(slices.Values(v)), p)
}

// mean returns the mean of v, or NaN for no values.
func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

//go:build linux && cgo

package pulsecap

import (
	"testing"
)

// BenchmarkRead10ms reads 10 ms fragments of a null sink's monitor while a
// tone plays into the sink. Each Read waits for the server's next fragment,
// so ns/op is ~10 ms of wall time; the point is allocs/op (0) and that the
// loop keeps up. latency-ms is Latency() after the loop.
func BenchmarkRead10ms(b *testing.B) {
	p := startPulse(b)
	c := dialT(b, p)
	sinkT(b, c, "a")
	playT(b, p, "a", 440)
	r := recordT(b, p, "a.monitor")
	buf := make([]byte, ms10)
	if err := r.Read(buf); err != nil { // warm up
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
	if l, err := r.Latency(); err == nil {
		b.ReportMetric(float64(l.Microseconds())/1000, "latency-ms")
	}
}

func TestReadDoesNotAllocate(t *testing.T) {
	p := startPulse(t)
	c := dialT(t, p)
	sinkT(t, c, "a")
	r := recordT(t, p, "a.monitor")
	buf := make([]byte, ms10/2)
	if err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(50, func() {
		if err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Read: %v allocs per call, want 0", n)
	}
}

// BenchmarkLatency is Latency() after a Read, as a capture loop would call
// it: local bookkeeping, plus a timing round trip once a second.
func BenchmarkLatency(b *testing.B) {
	p := startPulse(b)
	c := dialT(b, p)
	sinkT(b, c, "a")
	r := recordT(b, p, "a.monitor")
	if err := r.Read(make([]byte, ms10)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Latency(); err != nil {
			b.Fatal(err)
		}
	}
}

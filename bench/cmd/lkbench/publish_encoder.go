package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// encoderSpeeds are the cpu-used values compared by encoderSweep.
var encoderSpeeds = []int{-4, -6, -8, -10, -12, -16}

// encoderFrames is how many frames of a page encoderSweep records.
const encoderFrames = 60

// encoderRow is one encoder setting on one recorded page.
type encoderRow struct {
	CPUUsed int
	MsCPU   float64 // CPU per frame, ms
	Kbps    float64 // produced
	PSNR    float64 // luma, dB, mean over the frames
}

// encoderSweep records encoderFrames frames of the publishing pages at each
// size through a real lkbrowser page, then encodes them with lkbrowser's
// VP8 settings at its default bitrate for the size and each cpu-used of
// encoderSpeeds, measuring the encoder's CPU per frame (its own thread's
// CPU time) and the luma PSNR of the decoded frames against the recorded
// ones. It answers which cpu-used to take at which size.
func encoderSweep(ctx context.Context, b *bench, cases []publishCase) (map[string][]encoderRow, error) {
	web, err := servePublishPages()
	if err != nil {
		return nil, err
	}
	defer web.Close()
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: b.log, NoAudio: true})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	out := map[string][]encoderRow{}
	for _, c := range cases {
		frames, err := recordFrames(ctx, eng, web.URL+c.Page, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		for _, speed := range encoderSpeeds {
			row, err := encodeFrames(frames, c, speed)
			if err != nil {
				return nil, fmt.Errorf("%s cpu-used %d: %w", c.Name, speed, err)
			}
			out[c.Name] = append(out[c.Name], row)
		}
	}
	return out, nil
}

// recordFrames opens the page and keeps encoderFrames consecutive frames as
// I420 pictures, after a second of warm-up.
func recordFrames(ctx context.Context, eng *lkbrowser.Engine, url string, c publishCase) ([]*yuv.I420, error) {
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	page, err := eng.NewPage(octx, lkbrowser.PageOptions{URL: url, Width: c.W, Height: c.H, FrameRate: c.FPS})
	if err != nil {
		return nil, err
	}
	defer page.Close()
	warm := time.Now().Add(time.Second)
	var frames []*yuv.I420
	for len(frames) < encoderFrames {
		select {
		case f, ok := <-page.Frames():
			if !ok {
				return nil, fmt.Errorf("the page's frames ended")
			}
			if time.Now().After(warm) {
				img := yuv.NewI420(f.Width, f.Height)
				err = yuv.FromBGRA(img, f.Pix, f.Stride, f.Width, f.Height, nil)
				frames = append(frames, img)
			}
			f.Release()
			if err != nil {
				return nil, err
			}
		case <-octx.Done():
			return nil, fmt.Errorf("%d frames recorded: %w", len(frames), octx.Err())
		}
	}
	return frames, nil
}

// encodeFrames encodes frames at 30 fps with cpu-used speed and measures it.
func encodeFrames(frames []*yuv.I420, c publishCase, speed int) (encoderRow, error) {
	row := encoderRow{CPUUsed: speed}
	enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: c.W, Height: c.H, BitrateKbps: c.Kbps, FrameRate: c.FPS, CPUUsed: speed})
	if err != nil {
		return row, err
	}
	defer enc.Close()
	dec, err := vpx.NewDecoder()
	if err != nil {
		return row, err
	}
	defer dec.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dur := time.Second / time.Duration(c.FPS)
	buf := make([]byte, 0, 1<<20)
	var cpu time.Duration
	var bytes int
	var psnr float64
	// Twice through the frames: the first pass settles the rate control
	// after the keyframe; the second is measured.
	for pass := 0; pass < 2; pass++ {
		for i, img := range frames {
			n := pass*len(frames) + i
			t0 := threadTime()
			pkt, _, err := enc.Encode(img, time.Duration(n)*dur, dur, false, buf)
			t1 := threadTime()
			if err != nil {
				return row, err
			}
			buf = pkt
			out, err := dec.Decode(pkt)
			if err != nil {
				return row, err
			}
			if pass == 1 {
				cpu += t1 - t0
				bytes += len(pkt)
				psnr += lumaPSNR(img, out)
			}
		}
	}
	n := float64(len(frames))
	row.MsCPU = float64(cpu.Microseconds()) / 1000 / n
	row.Kbps = float64(bytes) * 8 / 1000 / (n / float64(c.FPS))
	row.PSNR = psnr / n
	return row, nil
}

// threadTime returns the CPU time of the calling OS thread.
func threadTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// lumaPSNR is the PSNR of b's luma against a's, in dB (capped at 99).
func lumaPSNR(a, b *yuv.I420) float64 {
	var sum float64
	for y := 0; y < a.Height; y++ {
		ra, rb := a.Y[y*a.StrideY:y*a.StrideY+a.Width], b.Y[y*b.StrideY:y*b.StrideY+a.Width]
		for x := range ra {
			d := float64(ra[x]) - float64(rb[x])
			sum += d * d
		}
	}
	mse := sum / float64(a.Width*a.Height)
	if mse == 0 {
		return 99
	}
	return min(10*math.Log10(255*255/mse), 99)
}

// encoderTable is the Markdown of the sweep.
func encoderTable(rows map[string][]encoderRow, cases []publishCase) string {
	var s strings.Builder
	s.WriteString("| page | cpu-used | VP8 CPU per frame | kbit/s | luma PSNR |\n| --- | --- | --- | --- | --- |\n")
	for _, c := range cases {
		def := 0
		if enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: c.W, Height: c.H, BitrateKbps: c.Kbps}); err == nil {
			def = enc.Config().CPUUsed
			enc.Close()
		}
		for _, r := range rows[c.Name] {
			mark := ""
			if r.CPUUsed == def {
				mark = " (default)"
			}
			fmt.Fprintf(&s, "| %s | %d%s | %.2f ms | %.0f | %.2f dB |\n", c.Name, r.CPUUsed, mark, r.MsCPU, r.Kbps, r.PSNR)
		}
	}
	return s.String()
}

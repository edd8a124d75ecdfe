package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
)

// screencastQuality is the JPEG quality of the baseline's screencast.
const screencastQuality = 80

// headless starts the baseline's browser: headless Chromium (the same
// build lkbrowser runs) through chromedp's exec allocator with its default
// options, the new headless mode and a w x h window. The returned context
// is its first tab; cancel ends the browser and waits for it.
func headless(ctx context.Context, chromium string, w, h int) (tab context.Context, cancel func(), err error) {
	dir, err := os.MkdirTemp("", "lkbench-headless-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", "new"),
		chromedp.WindowSize(w, h),
		chromedp.UserDataDir(dir),
		// As lkbrowser's Chromium: no attempts to reach Google's hosts.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	cancel = func() {
		_ = chromedp.Cancel(tab)
		cancelTab()
		cancelAlloc()
		_ = os.RemoveAll(dir)
	}
	// Start the browser and open the tab, whose viewport is then exactly
	// w x h (headless Chromium's window keeps room for its frame).
	if err := chromedp.Do(tab, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("headless chromium: %w", err)
	}
	return tab, cancel, nil
}

// browserPid returns the pid of the browser of a chromedp context.
func browserPid(tab context.Context) int {
	if c := chromedp.FromContext(tab); c != nil && c.Browser != nil {
		if p := c.Browser.Process(); p != nil {
			return p.Pid
		}
	}
	return 0
}

// scDecoded is what the harness keeps of one decoded frame.
type scDecoded struct {
	at      time.Time // decoded and its stamp read
	stamp   int64     // ms; 0 when the stamp did not read
	jpeg    int       // bytes
	decoded int       // bytes of the decoded picture
	w, h    int
}

// screencast runs Page.startScreencast on tab and decodes its frames in Go
// as a Go user would: each frame is acknowledged as it arrives, and a
// decoder goroutine decodes the newest (image/jpeg) and reads its stamp;
// a frame that arrives while the decoder is busy replaces the one waiting,
// as lkbrowser's Frames channel does. onFrame gets every decoded frame on
// the decoder goroutine, and received counts the frames that reached Go.
// It runs until ctx ends.
func screencast(ctx, tab context.Context, w, h int, received *atomic.Int64, onFrame func(scDecoded)) error {
	// The events of tab until ctx ends.
	ectx, stop := context.WithCancel(tab)
	defer stop()
	defer context.AfterFunc(ctx, stop)()
	events := chromedp.Events(ectx, page.ScreencastFrame)
	q := int64(screencastQuality)
	if _, err := chromedp.Call(tab, page.StartScreencast, page.StartScreencastParams{
		Format: page.StartScreencastFormatJpeg, Quality: &q, MaxWidth: int64(w), MaxHeight: int64(h), EveryNthFrame: 1,
	}); err != nil {
		return fmt.Errorf("startScreencast: %w", err)
	}
	slot := make(chan []byte, 1) // a JPEG waiting for the decoder
	decoded := make(chan struct{})
	go func() {
		defer close(decoded)
		for data := range slot {
			img, err := jpeg.Decode(bytes.NewReader(data))
			d := scDecoded{jpeg: len(data)}
			if err == nil {
				if yc, ok := img.(*image.YCbCr); ok {
					d.w, d.h = yc.Rect.Dx(), yc.Rect.Dy()
					d.decoded = len(yc.Y) + len(yc.Cb) + len(yc.Cr)
					d.stamp, _ = stamp.DecodeLuma(yc.Y, yc.YStride, d.w, d.h)
				}
			}
			d.at = time.Now()
			onFrame(d)
		}
	}()
	defer func() {
		close(slot)
		<-decoded
	}()
	for ev, err := range events {
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		received.Add(1)
		if _, err := chromedp.Call(tab, page.ScreencastFrameAck, page.ScreencastFrameAckParams{SessionID: ev.SessionID}); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("screencastFrameAck: %w", err)
		}
		select {
		case slot <- ev.Data:
		default:
			select { // replace the frame waiting for the decoder
			case <-slot:
			default:
			}
			slot <- ev.Data
		}
	}
	return nil
}

// measureSC is measureLK for the baseline: headless Chromium at w x h
// loads url, and its screencast is decoded in Go for warm-up and then for
// the window.
func measureSC(ctx context.Context, chromium, url, page string, w, h int, warm, window time.Duration) (frameRun, error) {
	run := frameRun{system: sysSC, page: page, w: w, h: h}
	tab, cancel, err := headless(ctx, chromium, w, h)
	if err != nil {
		return run, err
	}
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return run, fmt.Errorf("navigate: %w", err)
	}
	var (
		mu       sync.Mutex
		recs     = make([]scDecoded, 0, int((warm+window).Seconds()*60)+600)
		received atomic.Int64
	)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- screencast(sctx, tab, w, h, &received, func(d scDecoded) {
			mu.Lock()
			recs = append(recs, d)
			mu.Unlock()
		})
	}()
	trees := map[string]int{treeBrowser: browserPid(tab)}
	if err := waitFor(ctx, warm); err != nil {
		return run, err
	}
	s0, r0 := sampleCPU(trees), received.Load()
	if err := waitFor(ctx, window); err != nil {
		return run, err
	}
	s1, r1 := sampleCPU(trees), received.Load()
	stop()
	if err := <-done; err != nil {
		return run, err
	}
	run.cpu = cpuBetween(s0, s1)
	run.received = int(r1 - r0)
	mu.Lock()
	defer mu.Unlock()
	var wire, decoded float64
	last := int64(0)
	for _, d := range recs {
		if d.at.Before(s0.at) || d.at.After(s1.at) {
			if d.stamp > last {
				last = d.stamp
			}
			continue
		}
		run.frames++
		wire += float64((d.jpeg + 2) / 3 * 4) // base64 in the CDP message
		decoded += float64(d.decoded)
		if d.w != w || d.h != h {
			run.note = fmt.Sprintf("frames are %dx%d", d.w, d.h)
		}
		switch {
		case d.stamp == 0:
			run.bad++
		case d.stamp <= last:
			run.repeated++
		default:
			last = d.stamp
			run.lat = append(run.lat, float64(d.at.UnixMicro())/1e3-float64(d.stamp))
		}
	}
	if run.frames == 0 {
		return run, fmt.Errorf("screencast %dx%d %s: no frame decoded in the %v window (%d received)", w, h, page, window, run.received)
	}
	run.wireBytes = wire / float64(run.frames)
	run.decodedBytes = decoded / float64(run.frames)
	return run, nil
}

package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/stamp"
)

// startupResult is the time from asking for a page to its first frame in
// Go, per repetition, for one system.
type startupResult struct {
	first   []float64 // ms to the first frame, whatever it shows
	content []float64 // ms to the first frame that shows the page (its stamp reads)
	phases  []phase   // lkbrowser: one more, instrumented, start
	err     error
}

// startupTimeout bounds one start-up.
const startupTimeout = 30 * time.Second

// startupSize is the page size of the start-up and memory figures.
var startupSize = [2]int{1280, 720}

// measureStartups measures reps start-ups of each system, one after the
// other, on url (an animated page with the stamp).
func measureStartups(ctx context.Context, b *bench, chromium, url string, reps int) map[string]startupResult {
	res := map[string]startupResult{}
	// lkbrowser as a user gets it: an engine with sound (its sound server
	// starts with the first page), pages at 30 fps.
	var lk startupResult
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: b.engineLog(ctx)})
	if err != nil {
		lk.err = err
	} else {
		for range reps {
			first, content, err := startupLK(ctx, eng, url)
			if err != nil {
				lk.err = err
				break
			}
			lk.first, lk.content = append(lk.first, first), append(lk.content, content)
		}
		if lk.err == nil {
			lk.phases, lk.err = startupPhasesLK(ctx, eng, url)
		}
		if err := eng.Close(); err != nil && lk.err == nil {
			lk.err = err
		}
	}
	res[sysLK] = lk
	res[sysLKWarm] = startupsWarm(ctx, b, url, reps)
	var sc startupResult
	for range reps {
		first, content, err := startupSC(ctx, chromium, url)
		if err != nil {
			sc.err = err
			break
		}
		sc.first, sc.content = append(sc.first, first), append(sc.content, content)
	}
	res[sysSC] = sc
	return res
}

// startupsWarm measures NewPage on an engine with Options.WarmPages: each
// start waits (untimed) until the warm page is ready, as a server that
// keeps one ready between requests would.
func startupsWarm(ctx context.Context, b *bench, url string, reps int) (r startupResult) {
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: b.engineLog(ctx), WarmPages: 1,
		DefaultPage: lkbrowser.PageOptions{Width: startupSize[0], Height: startupSize[1]}})
	if err != nil {
		r.err = err
		return r
	}
	defer func() {
		if err := eng.Close(); err != nil && r.err == nil {
			r.err = err
		}
	}()
	for range reps {
		for deadline := time.Now().Add(startupTimeout); eng.WarmPages() == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) || ctx.Err() != nil {
				r.err = fmt.Errorf("no warm page ready within %v", startupTimeout)
				return r
			}
		}
		time.Sleep(time.Second) // let the new warm page's start settle
		first, content, err := startupLK(ctx, eng, url)
		if err != nil {
			r.err = err
			return r
		}
		r.first, r.content = append(r.first, first), append(r.content, content)
	}
	return r
}

// startupLK opens a page and returns the ms from calling NewPage to its
// first frame, and to its first frame with a readable stamp.
func startupLK(ctx context.Context, eng *lkbrowser.Engine, url string) (first, content float64, err error) {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	t0 := time.Now()
	p, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: url, Width: startupSize[0], Height: startupSize[1]})
	if err != nil {
		return 0, 0, err
	}
	defer p.Close()
	for {
		select {
		case f, ok := <-p.Frames():
			if !ok {
				return 0, 0, fmt.Errorf("lkbrowser start-up: the page closed")
			}
			_, stamped := stamp.DecodeBGRA(f.Pix, f.Stride, f.Width, f.Height)
			f.Release()
			ms := float64(time.Since(t0).Microseconds()) / 1e3
			if first == 0 {
				first = ms
			}
			if stamped {
				return first, ms, p.Close()
			}
		case <-ctx.Done():
			return 0, 0, fmt.Errorf("lkbrowser start-up: no frame with the page within %v", startupTimeout)
		}
	}
}

// startupSC starts headless Chromium with chromedp, starts the screencast,
// loads url and returns the ms from the start to the first decoded frame,
// and to the first with a readable stamp.
func startupSC(ctx context.Context, chromium, url string) (first, content float64, err error) {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	t0 := time.Now()
	tab, stop, err := headless(ctx, chromium, startupSize[0], startupSize[1])
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	firstCh, contentCh := make(chan float64, 1), make(chan float64, 1)
	var seen atomic.Bool
	sctx, end := context.WithCancel(ctx)
	defer end()
	var received atomic.Int64
	done := make(chan error, 1)
	go func() {
		done <- screencast(sctx, tab, startupSize[0], startupSize[1], &received, func(d scDecoded) {
			ms := float64(d.at.Sub(t0).Microseconds()) / 1e3
			if seen.CompareAndSwap(false, true) {
				firstCh <- ms
			}
			if d.stamp != 0 {
				select {
				case contentCh <- ms:
				default:
				}
			}
		})
	}()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return 0, 0, fmt.Errorf("navigate: %w", err)
	}
	select {
	case content = <-contentCh:
		first = <-firstCh
	case err := <-done:
		return 0, 0, fmt.Errorf("screencast start-up: %v", err)
	case <-ctx.Done():
		return 0, 0, fmt.Errorf("screencast start-up: no frame with the page within %v", startupTimeout)
	}
	end()
	if err := <-done; err != nil {
		return 0, 0, err
	}
	return first, content, nil
}

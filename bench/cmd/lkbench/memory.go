package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/cpustat"
)

// memResult is the memory (PSS, bytes) of n static 720p pages open at once.
type memResult struct {
	// lkbrowser: each page's processes (Chromium's tree and its Xvfb) with
	// 1..n pages open, the engine's sound server (shared by the pages),
	// and everything (pages and sound server) after the first and the
	// last page opened.
	lkPages    []int64
	lkChromium []int64
	lkXvfb     []int64
	sound      int64
	lkFirst    int64
	lkAll      int64
	lkMissing  int
	lkErr      error
	scFirst    int64 // headless Chromium with one tab
	scAll      int64 // ... with n tabs
	scErr      error
	n          int
	settle     time.Duration
}

// gib4 is the memory budget of the "pages that fit" figure.
const gib4 = 4 << 30

// marginal returns the PSS each page after the first adds, from the first
// and the last measurement.
func marginal(first, all int64, n int) float64 {
	if n < 2 {
		return 0
	}
	return float64(all-first) / float64(n-1)
}

// fit returns how many pages fit in budget bytes: the first page as
// measured (with what it brings along), then one page per marginal.
func fit(first int64, marg float64, budget int64) int {
	if marg <= 0 || first > budget {
		return 0
	}
	return 1 + int(float64(budget-first)/marg)
}

// measureMemory opens n pages of url one after the other (letting each
// settle) on a fresh engine, and n tabs in one headless Chromium, and reads
// their PSS.
func measureMemory(ctx context.Context, b *bench, chromium, url string, n int, settle time.Duration) memResult {
	m := memResult{n: n, settle: settle}
	m.lkErr = memLK(ctx, b, url, &m)
	m.scErr = memSC(ctx, chromium, url, &m)
	return m
}

func memLK(ctx context.Context, b *bench, url string, m *memResult) error {
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: b.engineLog(ctx)})
	if err != nil {
		return err
	}
	defer eng.Close()
	var pages []*lkbrowser.Page
	total := func() (int64, error) {
		tab := cpustat.Read()
		var sum int64
		m.lkPages, m.lkChromium, m.lkXvfb = m.lkPages[:0], m.lkChromium[:0], m.lkXvfb[:0]
		for _, p := range pages {
			pr := p.Processes()
			c, miss1 := tab.TreePSS(pr.Browser)
			x, miss2 := tab.TreePSS(pr.Display)
			m.lkMissing += miss1 + miss2
			m.lkChromium, m.lkXvfb, m.lkPages = append(m.lkChromium, c), append(m.lkXvfb, x), append(m.lkPages, c+x)
			sum += c + x
		}
		m.sound = 0
		for _, p := range tab.Tree(os.Getpid()) {
			if strings.HasPrefix(p.Command, "pulseaudio") {
				s, _ := cpustat.PSS(p.PID)
				m.sound += s
			}
		}
		if m.sound == 0 {
			return 0, errors.New("the engine's sound server was not found")
		}
		return sum + m.sound, nil
	}
	for i := range m.n {
		pctx, cancel := context.WithTimeout(ctx, startupTimeout)
		p, err := eng.NewPage(pctx, lkbrowser.PageOptions{URL: url, Width: startupSize[0], Height: startupSize[1]})
		cancel()
		if err != nil {
			return err
		}
		pages = append(pages, p)
		go drain(p)
		if err := waitFor(ctx, m.settle); err != nil {
			return err
		}
		if i == 0 {
			if m.lkFirst, err = total(); err != nil {
				return err
			}
		}
	}
	m.lkAll, err = total()
	if err != nil {
		return err
	}
	return eng.Close()
}

// drain takes and releases a page's frames until it closes, as a user's
// program does.
func drain(p *lkbrowser.Page) {
	for f := range p.Frames() {
		f.Release()
	}
}

func memSC(ctx context.Context, chromium, url string, m *memResult) error {
	tab, stop, err := headless(ctx, chromium, startupSize[0], startupSize[1])
	if err != nil {
		return err
	}
	defer stop()
	pid := browserPid(tab)
	for i := range m.n {
		t := tab
		if i > 0 {
			var cancel context.CancelFunc
			t, cancel = chromedp.NewContext(tab) // a new tab in the same browser
			defer cancel()
		}
		if err := chromedp.Do(t, chromedp.Navigate(url)); err != nil {
			return fmt.Errorf("navigate tab %d: %w", i+1, err)
		}
		if err := waitFor(ctx, m.settle); err != nil {
			return err
		}
		pss, _ := cpustat.Read().TreePSS(pid)
		if i == 0 {
			m.scFirst = pss
		}
		m.scAll = pss
	}
	return nil
}

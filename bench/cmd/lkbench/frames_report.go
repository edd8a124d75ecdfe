package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
)

// num formats v with prec decimals, or "n/a" for NaN and infinities.
func num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// ratio formats a/b as "3.2x", or "n/a".
func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "n/a"
	}
	return num(a/b, 1) + "x"
}

// mib formats bytes in MiB.
func mib(v float64) string { return num(v/(1<<20), 0) + " MiB" }

// kib formats bytes in KiB (or MiB from 10 MiB).
func kib(v float64) string {
	if v >= 10<<20 {
		return num(v/(1<<20), 1) + " MiB"
	}
	return num(v/1024, 0) + " KiB"
}

// verdict is "met" or "**not met**".
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func sizeName(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

func pageTitle(name string) string {
	for _, p := range framePages {
		if p.name == name {
			return p.title
		}
	}
	return name
}

// find returns the run of a system, size and page.
func findRun(runs []frameRun, system string, w, h int, page string) (frameRun, bool) {
	for _, r := range runs {
		if r.system == system && r.w == w && r.h == h && r.page == page {
			return r, r.err == nil
		}
	}
	return frameRun{}, false
}

// framesReport renders the frames section.
func (b *bench) framesReport(runs []frameRun, st map[string]startupResult, mem memResult, micro microResult, t frameTimes) (string, error) {
	var s strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&s, format, a...) }
	w("## Frames into Go: lkbrowser against chromedp's screencast\n\n")
	w("lkbrowser hands a page's frames to Go as BGRA pixels in shared memory. The baseline is what a Go\n")
	w("user would otherwise pick: headless Chromium (the same Debian build, `--headless=new`, chromedp's\n")
	w("default allocator options, the viewport set to the page size with `chromedp.EmulateViewport`)\n")
	w("driven by chromedp with `Page.startScreencast` (JPEG quality %d, every frame, each acknowledged\n", screencastQuality)
	w("on arrival), the newest JPEG decoded in Go with `image/jpeg`. Both run on the\n")
	w("same machine, on the same pages (served by a loopback test server from bench/cmd/lkbench/pages), one after\n")
	w("the other, never at once; each figure is one window of %v after %v of warm-up. lkbrowser's pages run\n", t.window, t.warm)
	w("at `FrameRate: 60` on an engine without sound (the screencast has none either).\n\n")

	b.writeTargets(w, runs, st, micro)
	b.writeThroughput(w, runs)
	if err := b.writeLatency(w, runs); err != nil {
		return "", err
	}
	b.writeBytes(w, runs)
	writeStartup(w, st)
	writeMemory(w, mem)
	writeMicro(w, micro)
	writeHow(w, t)
	return s.String(), nil
}

type writer func(format string, a ...any)

func (b *bench) writeTargets(w writer, runs []frameRun, st map[string]startupResult, micro microResult) {
	w("### Targets\n\n| target | measured | | notes |\n| --- | --- | --- | --- |\n")
	lk, okLK := findRun(runs, sysLK, 1920, 1080, "full")
	sc, okSC := findRun(runs, sysSC, 1920, 1080, "full")
	load := func(r frameRun) string {
		return fmt.Sprintf("the rest of the machine used %s cores meanwhile", num(r.cpu.rest/r.cpu.secs, 2))
	}
	if okLK {
		w("| 1080p full-page animation: 60 fps delivered (met: ≥ 59) | %s fps | %s | lkbrowser dropped %d frames for a slow receiver; %d frames repeated a stamp; %s |\n",
			num(lk.fps(), 1), verdict(lk.fps() >= 59), lk.dropped, lk.repeated, load(lk))
		goPct := lk.cpu.trees[treeGo] / lk.cpu.secs * 100
		w("| ... with the Go process under 10 %% of a core | %s %% | %s | capture and the harness's reading of the stamps |\n", num(goPct, 1), verdict(goPct < 10))
		p50, p95 := percentile(lk.lat, 0.5), percentile(lk.lat, 0.95)
		in50 := percentile(lk.inLK, 0.5)
		note := fmt.Sprintf("of which from the capture of the pixels to Go: p50 %s ms; the rest is before the capture: Chromium's paint, compositing and presentation to its X display (one or two display intervals: runs of 8 s land near 20 or near 37 ms), and the capture's wait after the damage (0.6-3.4 ms on average, instrumented); %s",
			num(in50, 1), load(lk))
		w("| paint → frame in Go, 1080p full page: p50 ≤ 20 ms | %s ms | %s | %s |\n", num(p50, 1), verdict(p50 <= 20), note)
		w("| ... p95 ≤ 35 ms | %s ms | %s | |\n", num(p95, 1), verdict(p95 <= 35))
	} else {
		w("| 1080p full-page animation | the lkbrowser run failed: %v | **not met** | |\n", lk.err)
	}
	if okLK && okSC {
		r := lk.framesPerCPUSecond() / sc.framesPerCPUSecond()
		w("| ≥ 4x the baseline's frames per CPU-second, all processes (1080p full page) | %s | %s | baseline: %s fps delivered |\n",
			ratio(lk.framesPerCPUSecond(), sc.framesPerCPUSecond()), verdict(r >= 4), num(sc.fps(), 1))
	}
	worst, worstName := math.Inf(1), ""
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			l, ok1 := findRun(runs, sysLK, sz[0], sz[1], pg.name)
			c, ok2 := findRun(runs, sysSC, sz[0], sz[1], pg.name)
			if ok1 && ok2 {
				if r := l.framesPerCPUSecond() / c.framesPerCPUSecond(); r < worst {
					worst, worstName = r, sizeName(sz[0], sz[1])+" "+pg.title
				}
			}
		}
	}
	if worstName != "" {
		w("| ... and in every case measured | %s | %s | the lowest: %s |\n", num(worst, 1)+"x", verdict(worst >= 4), worstName)
	}
	if lkSt := st[sysLK]; len(lkSt.first) > 0 {
		p50 := percentile(lkSt.first, 0.5)
		var parts []string
		if ph := lkSt.phases; len(ph) > 0 {
			var steps []string
			for _, p := range ph {
				steps = append(steps, fmt.Sprintf("%s at %s ms", p.name, num(p.ms, 0)))
			}
			parts = append(parts, "one start watched: "+strings.Join(steps, ", "))
		}
		if sc := st[sysSC]; len(sc.first) > 0 {
			parts = append(parts, fmt.Sprintf("the baseline's new headless Chromium to its first frame: p50 %s ms", num(percentile(sc.first, 0.5), 0)))
		}
		note := strings.Join(parts, "; ")
		w("| NewPage → first frame, p50 of %d ≤ 500 ms: a cold start | %s ms | %s | %s |\n", len(lkSt.first), num(p50, 0), verdict(p50 <= 500), note)
	} else {
		w("| NewPage → first frame ≤ 500 ms: a cold start | failed: %v | **not met** | |\n", lkSt.err)
	}
	if wm, measured := st[sysLKWarm]; !measured {
	} else if len(wm.first) > 0 {
		p50 := percentile(wm.first, 0.5)
		w("| ... with `Options.WarmPages` (a page started ahead, adopted and navigated) | %s ms | %s | first frame showing the page: p50 %s ms |\n",
			num(p50, 0), verdict(p50 <= 500), num(percentile(wm.content, 0.5), 0))
	} else {
		w("| ... with `Options.WarmPages` | failed: %v | **not met** | |\n", wm.err)
	}
	allocs := []string{}
	ok := true
	for _, name := range []string{"BenchmarkCapture/FullPage720p", "BenchmarkCapture/FullPage1080p", "BenchmarkCapture/SmallElement720p"} {
		if l, found := micro.find(name); found {
			a := l.metrics["allocs/op"]
			ok = ok && a == 0
			allocs = append(allocs, num(a, 0))
		} else {
			ok = false
			allocs = append(allocs, "n/a")
		}
	}
	w("| the capture path allocates nothing per frame in steady state | %s allocs/frame | %s | BenchmarkCapture: 720p, 1080p, small element |\n\n", strings.Join(allocs, ", "), verdict(ok))
}

func (b *bench) writeThroughput(w writer, runs []frameRun) {
	w("### Frames delivered and CPU per frame\n\n")
	w("CPU per delivered frame, by process tree: Chromium (browser, zygotes, GPU and renderer processes),\n")
	w("lkbrowser's Xvfb, and the Go process (lkbrowser's capture and this harness's reading of the frames;\n")
	w("for the baseline chromedp, the CDP messages and the JPEG decode). \"rest\" is what the rest of the\n")
	w("machine used meanwhile (cores): a disturbed run shows there.\n\n")
	w("| size | page | system | frames/s delivered | CPU ms/frame: Chromium | Xvfb | Go | all | frames per CPU-second | Go process, %% of a core | rest (cores) |\n")
	w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			for _, sys := range []string{sysLK, sysSC} {
				r, ok := findRun(runs, sys, sz[0], sz[1], pg.name)
				if !ok {
					w("| %s | %s | %s | failed: %v | | | | | | | |\n", sizeName(sz[0], sz[1]), pg.title, sys, r.err)
					continue
				}
				xvfb, fps := "–", num(r.fps(), 1)
				if sys == sysLK {
					xvfb = num(r.cpuPerFrame(treeXvfb)*1e3, 2)
				} else {
					fps += " (" + num(r.receivedFPS(), 1) + " received)"
				}
				w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sizeName(sz[0], sz[1]), pg.title, sys,
					fps, num(r.cpuPerFrame(treeBrowser)*1e3, 2), xvfb, num(r.cpuPerFrame(treeGo)*1e3, 2),
					num(r.cpuPerFrame("")*1e3, 2), num(r.framesPerCPUSecond(), 1), num(r.cpu.trees[treeGo]/r.cpu.secs*100, 1), num(r.cpu.rest/r.cpu.secs, 2))
			}
			l, ok1 := findRun(runs, sysLK, sz[0], sz[1], pg.name)
			c, ok2 := findRun(runs, sysSC, sz[0], sz[1], pg.name)
			if ok1 && ok2 {
				w("| | | **lkbrowser / baseline** | **%s** | | | | %s less | **%s** | | |\n", ratio(l.fps(), c.fps()),
					ratio(c.cpuPerFrame(""), l.cpuPerFrame("")), ratio(l.framesPerCPUSecond(), c.framesPerCPUSecond()))
			}
		}
	}
	w("\n")
	var labels []string
	series := []barSeries{{Name: "Chromium"}, {Name: "Xvfb"}, {Name: "Go process"}}
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			for _, sys := range []string{sysLK, sysSC} {
				r, ok := findRun(runs, sys, sz[0], sz[1], pg.name)
				if !ok {
					continue
				}
				short := "lk"
				if sys == sysSC {
					short = "sc"
				}
				labels = append(labels, fmt.Sprintf("%s\n%dp %s", short, sz[1], pg.name))
				series[0].Values = append(series[0].Values, r.cpuPerFrame(treeBrowser)*1e3)
				series[1].Values = append(series[1].Values, r.cpuPerFrame(treeXvfb)*1e3)
				series[2].Values = append(series[2].Values, r.cpuPerFrame(treeGo)*1e3)
			}
		}
	}
	if len(labels) > 0 {
		p, err := barChart("CPU per delivered frame (lk = lkbrowser, sc = screencast)", "CPU ms per frame", labels, series, true)
		if err == nil {
			var link string
			if link, err = b.chart("frames-cpu-per-frame", p); err == nil {
				w("%s\n\n", link)
			}
		}
		if err != nil {
			b.log.Warn("chart", "err", err)
		}
	}
}

func (b *bench) writeLatency(w writer, runs []frameRun) error {
	w("### Latency: the page's paint to the frame in Go\n\n")
	w("Each page draws `Date.now()` as a strip of 52 black or white cells at its top-left corner on\n")
	w("every animation frame; the harness reads it from each frame once it is in Go (lkbrowser: from the\n")
	w("BGRA pixels as received; the screencast: from the decoded JPEG) and takes the same clock.\n")
	w("\"Capture → Go\" is lkbrowser's own part: from the capture of the pixels (`Frame.Timestamp`)\n")
	w("to the frame in Go; the rest is Chromium's paint, compositing and presentation to its X display, and\n")
	w("the capture's wait for its slot on the 60 fps grid. Instrumented, that wait (damage to grab) was\n")
	w("0.6-3.4 ms on average; a run's p50 lands near 20 ms or near 37 ms, one display interval apart, with\n")
	w("the same small wait: Chromium presents a requestAnimationFrame's picture one or two intervals later,\n")
	w("which lkbrowser cannot change from outside (a capture that skipped stale pictures to stay in step\n")
	w("with the page was tried and changed nothing).\n\n")
	w("| size | page | lkbrowser p50 / p95 | of which capture → Go, p50 | screencast p50 / p95 | p50 lkbrowser / baseline | frames: new stamp / old stamp / unreadable (lkbrowser; screencast) |\n")
	w("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			l, ok1 := findRun(runs, sysLK, sz[0], sz[1], pg.name)
			c, ok2 := findRun(runs, sysSC, sz[0], sz[1], pg.name)
			cell := func(r frameRun, ok bool) string {
				if !ok {
					return "failed"
				}
				return num(percentile(r.lat, 0.5), 1) + " / " + num(percentile(r.lat, 0.95), 1) + " ms"
			}
			counts := func(r frameRun, ok bool) string {
				if !ok {
					return "–"
				}
				return fmt.Sprintf("%d / %d / %d", len(r.lat), r.repeated, r.bad)
			}
			rt := "n/a"
			if ok1 && ok2 {
				rt = ratio(percentile(l.lat, 0.5), percentile(c.lat, 0.5))
			}
			in := "–"
			if ok1 {
				in = num(percentile(l.inLK, 0.5), 2) + " ms"
			}
			w("| %s | %s | %s | %s | %s | %s | %s; %s |\n", sizeName(sz[0], sz[1]), pg.title, cell(l, ok1), in, cell(c, ok2), rt, counts(l, ok1), counts(c, ok2))
		}
	}
	w("\n")
	for _, sz := range frameSizes {
		series := map[string][]float64{}
		for _, pg := range framePages {
			for _, sys := range []string{sysLK, sysSC} {
				if r, ok := findRun(runs, sys, sz[0], sz[1], pg.name); ok {
					series[sys+", "+pg.title] = r.lat
				}
			}
		}
		if len(series) == 0 {
			continue
		}
		p, err := latencyChart(fmt.Sprintf("%s: paint → frame in Go, ms (log scale)", sizeName(sz[0], sz[1])), series)
		if err != nil {
			return err
		}
		link, err := b.chart(fmt.Sprintf("frames-latency-%dp", sz[1]), p)
		if err != nil {
			return err
		}
		w("%s\n\n", link)
	}
	return nil
}

func (b *bench) writeBytes(w writer, runs []frameRun) {
	w("### Bytes per frame\n\n")
	w("lkbrowser: the area that changed (dirty rectangles x 4 bytes) and what the capture really copies:\n")
	w("the X server copies the full-width band of rows that changed since the frame's buffer was last\n")
	w("filled (`XShmGetImage`) into the frame's shared memory; Go receives that memory as `Frame.Pix` and\n")
	w("copies nothing. (The band is worked out from the dirty rectangles and the reuse of the page's\n")
	w("buffers; dropped frames would make it an overestimate.) The screencast: the JPEG as carried in the\n")
	w("CDP message (base64), which Go reads, unquotes and decodes into a new Y'CbCr 4:2:0 picture.\n\n")
	w("| size | page | lkbrowser: changed | copied (X server → shared memory) | copied in Go | dropped | screencast: JPEG in the message | decoded picture |\n")
	w("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, sz := range frameSizes {
		for _, pg := range framePages {
			l, ok1 := findRun(runs, sysLK, sz[0], sz[1], pg.name)
			c, ok2 := findRun(runs, sysSC, sz[0], sz[1], pg.name)
			lc := "failed | | | "
			if ok1 {
				lc = fmt.Sprintf("%s | %s | 0 | %d", kib(l.dirtyBytes), kib(l.copiedBytes), l.dropped)
			}
			cc := "failed | "
			if ok2 {
				cc = fmt.Sprintf("%s | %s", kib(c.wireBytes), kib(c.decodedBytes))
				if c.note != "" {
					cc += " (" + c.note + ")"
				}
			}
			w("| %s | %s | %s | %s |\n", sizeName(sz[0], sz[1]), pg.title, lc, cc)
		}
	}
	w("\n")
}

func writeStartup(w writer, st map[string]startupResult) {
	w("### Start-up: a new page to its first frame in Go\n\n")
	w("lkbrowser: `NewPage` (a new Xvfb and Chromium, 1280x720, on an engine with sound) until the first\n")
	w("frame arrives, and until the first frame that shows the page (its stamp reads). The baseline: a new\n")
	w("headless Chromium through chromedp, `startScreencast` and the navigation, until the first decoded\n")
	w("frame, and until the first that shows the page. The same animated page (small animated element).\n")
	w("\"Warm page\": an engine with `Options.WarmPages: 1` and 1280x720 as its `DefaultPage`, so that a\n")
	w("display and a Chromium wait on about:blank; each start waits (untimed) until one is ready, then\n")
	w("`NewPage` adopts it and navigates (a replacement then starts in the background).\n\n")
	w("| system | first frame p50 (min–max) | first frame showing the page p50 (min–max) | runs |\n| --- | --- | --- | --- |\n")
	for _, sys := range []string{sysLK, sysLKWarm, sysSC} {
		r := st[sys]
		if len(r.first) == 0 {
			w("| %s | failed: %v | | 0 |\n", sys, r.err)
			continue
		}
		mm := func(v []float64) string {
			lo, hi := percentile(v, 0), percentile(v, 1)
			return fmt.Sprintf("%s ms (%s–%s)", num(percentile(v, 0.5), 0), num(lo, 0), num(hi, 0))
		}
		note := ""
		if r.err != nil {
			note = fmt.Sprintf(" (then failed: %v)", r.err)
		}
		w("| %s | %s | %s | %d%s |\n", sys, mm(r.first), mm(r.content), len(r.first), note)
	}
	if l, c := st[sysLK], st[sysSC]; len(l.first) > 0 && len(c.first) > 0 {
		w("\nlkbrowser / baseline, p50 to the first frame showing the page: %s.\n", ratio(percentile(l.content, 0.5), percentile(c.content, 0.5)))
	}
	if ph := st[sysLK].phases; len(ph) > 0 {
		w("\nWhere lkbrowser's start-up time goes, one more start watched through /proc every 10 ms (not one\n")
		w("of the timed runs; the watching costs CPU):\n\n| ms after NewPage was called | |\n| --- | --- |\n")
		for _, p := range ph {
			w("| %s | %s |\n", num(p.ms, 0), p.name)
		}
	}
	w("\n")
}

func writeMemory(w writer, m memResult) {
	w("### Memory (PSS) per page\n\n")
	w("Proportional set size (`/proc/PID/smaps_rollup`), summed over each page's processes, so that\n")
	w("memory shared between processes and pages is counted once. %d static 1280x720 pages\n", m.n)
	w("(bench/cmd/lkbench/pages/static.html) opened one after the other, each left to settle for %v.\n\n", m.settle)
	if m.lkErr != nil {
		w("lkbrowser: failed: %v\n\n", m.lkErr)
	} else {
		w("| lkbrowser, %d pages open | PSS |\n| --- | --- |\n", m.n)
		for i := range m.lkPages {
			w("| page %d: Chromium (all its processes) + Xvfb | %s + %s = %s |\n", i+1, mib(float64(m.lkChromium[i])), mib(float64(m.lkXvfb[i])), mib(float64(m.lkPages[i])))
		}
		w("| the engine's sound server (PulseAudio, shared by all pages) | %s |\n", mib(float64(m.sound)))
		w("| everything, after the first page | %s |\n", mib(float64(m.lkFirst)))
		w("| everything, after page %d | %s |\n\n", m.n, mib(float64(m.lkAll)))
		marg := marginal(m.lkFirst, m.lkAll, m.n)
		w("Each page after the first added %s (the marginal PSS: (everything after page %d − everything\n", mib(marg), m.n)
		w("after page 1) / %d). **Pages of 720p static content that fit in 4 GiB: about %d** — extrapolated,\n", m.n-1, fit(m.lkFirst, marg, gib4))
		w("not measured: the first page as measured (with the sound server), then 4 GiB filled with pages at the\n")
		w("marginal PSS of this run (1 + ⌊(4 GiB − first) / marginal⌋). Pages that animate, hold big documents or\n")
		w("play media use more; the pages' Chromium processes share their code and read-only data.")
		if m.lkMissing > 0 {
			w(" (%d processes vanished while being read and are not counted.)", m.lkMissing)
		}
		w("\n\n")
	}
	if m.scErr != nil {
		w("Baseline: failed: %v\n\n", m.scErr)
	} else {
		marg := marginal(m.scFirst, m.scAll, m.n)
		w("Baseline, headless Chromium (one browser process tree): %s with one page, %s with %d tabs,\n", mib(float64(m.scFirst)), mib(float64(m.scAll)), m.n)
		w("%s per further tab; extrapolated the same way, about %d tabs in 4 GiB (tabs of one browser share\n", mib(marg), fit(m.scFirst, marg, gib4))
		w("its browser and GPU processes, and a crash takes them all; lkbrowser gives every page its own\n")
		w("browser and display, and its own sound).\n\n")
	}
}

func writeMicro(w writer, m microResult) {
	w("### Micro-benchmarks of the frame path\n\n")
	var cmds []string
	for _, r := range m.runs {
		cmds = append(cmds, "`go test "+strings.Join(r, " ")+"`")
	}
	w("Run by the harness: %s; per op is per frame\n", strings.Join(cmds, " and "))
	w("(BenchmarkCapture: a real page at 60 fps, so 16.7 ms is 60 fps held).\n\n")
	if m.err != nil {
		w("The micro-benchmarks failed in this run: %v\n\n", m.err)
	}
	if len(m.lines) == 0 {
		return
	}
	w("| benchmark | time per op | B/op | allocs/op | other |\n| --- | --- | --- | --- | --- |\n")
	for _, l := range m.lines {
		var other []string
		for _, u := range l.units {
			switch u {
			case "ns/op", "B/op", "allocs/op", "MB/s":
				continue
			}
			other = append(other, num(l.metrics[u], 2)+" "+u)
		}
		per := "n/a"
		if ns, ok := l.metrics["ns/op"]; ok {
			per = time.Duration(ns).Round(time.Microsecond).String()
			if ns < 1e4 {
				per = time.Duration(ns).String()
			}
		}
		w("| %s (%s) | %s | %s | %s | %s |\n", l.name, strings.TrimPrefix(l.pkg, "github.com/lkbrowser/lkbrowser/"), per,
			num(l.metrics["B/op"], 0), num(l.metrics["allocs/op"], 0), strings.Join(other, ", "))
	}
	w("\nFromBGRA is libyuv (lkbrowser), FromBGRAGo the plain-Go conversion (the baseline).\n\n")
}

func writeHow(w writer, t frameTimes) {
	w("### How it is measured\n\n")
	w("- Pages (bench/cmd/lkbench/pages, embedded): `full.html` changes the whole page on every animation frame\n")
	w("  (its colour, and a box that moves and turns; flat colours, so that the page's own raster costs\n")
	w("  little); `small.html` is a static page with text where only a 40x40\n")
	w("  square under the stamp turns. Both draw the stamp (stamp.js, the design of\n")
	w("  tests/room/testdata/stamp.html; decoded by internal/testing/stamp), a 1248x24 strip that changes every frame,\n")
	w("  so the small element's page always has a band of about 80 rows at the top that changes.\n")
	w("- Frames delivered: frames that reached Go as pixels in the window (lkbrowser: every frame from\n")
	w("  `Page.Frames()`, released at once; screencast: every decoded frame). Latency: one sample per frame\n")
	w("  whose stamp is newer than the previous one.\n")
	w("- CPU: utime + stime from /proc of each process tree (a process and all its descendants, with the\n")
	w("  children reaped meanwhile), internal/testing/cpustat; the Go process from getrusage. 1 CPU-second per\n")
	w("  second is one core.\n")
	w("- One after the other: per size and page, lkbrowser then the baseline, each with its own browser.\n")
	w("  The machine is shared: see the \"rest\" column.\n\n")
	_ = plot.New // the charts are made with gonum.org/v1/plot (chart.go)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
)

// The agent section: the time from an agent's click to a screenshot that
// shows what the click did, with package computer's settling against the
// reference BrowserAgent's fixed waits (0.3 s after every action in its
// ComputerTool, 0.8 s more after a click: 1.1 s), both on the same page of
// the same engine, one after the other.
const referenceClickWait = 1100 * time.Millisecond

// agentCase is one kind of click.
type agentCase struct {
	name  string
	at    image.Point // in page pixels (the display is the page's size); also where the result shows
	check func(r, g, b uint8, clicks int) bool
}

// agentResult is one case's figures for one policy.
type agentResult struct {
	ms    []float64
	right int // screenshots that showed the click's end state
}

func runAgent(ctx context.Context, b *bench) (string, error) {
	reps := 20
	if b.quick {
		reps = 4
	}
	srv, err := servePages()
	if err != nil {
		return "", err
	}
	defer srv.Close()
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{NoAudio: true, Logger: b.engineLog(ctx)})
	if err != nil {
		return "", err
	}
	defer eng.Close()
	page, err := eng.NewPage(ctx, lkbrowser.PageOptions{URL: pageURL(srv, "agent.html"), Width: 1280, Height: 720, FrameRate: 30})
	if err != nil {
		return "", err
	}
	defer page.Close()
	comp, err := computer.New(page, computer.Options{})
	if err != nil {
		return "", err
	}
	if _, err := comp.Settle(ctx); err != nil {
		return "", err
	}
	// #box toggles red/blue on each click: the n-th click (from 1) ends blue
	// when n is odd. #still stays green.
	cases := []agentCase{
		{"click on a static page", image.Pt(200, 500), func(r, g, bl uint8, _ int) bool { return g > 100 && r < 40 && bl < 40 }},
		{"click that starts a 300 ms transition", image.Pt(200, 150), func(r, _, bl uint8, n int) bool {
			if n%2 == 1 {
				return bl > 240 && r < 15
			}
			return r > 240 && bl < 15
		}},
	}
	ours := map[string]*agentResult{}
	ref := map[string]*agentResult{}
	clicks := 0
	for _, c := range cases {
		ours[c.name], ref[c.name] = &agentResult{}, &agentResult{}
		for range reps {
			// lkbrowser: Do(click) returns once the page settled.
			t0 := time.Now()
			pt := c.at
			if _, err := comp.Do(ctx, computer.Action{Kind: computer.Click, Point: &pt}); err != nil {
				return "", err
			}
			shot, err := comp.Do(ctx, computer.Action{Kind: computer.Screenshot})
			if err != nil {
				return "", err
			}
			ours[c.name].ms = append(ours[c.name].ms, float64(time.Since(t0).Microseconds())/1000)
			clicks += boolInt(c.name != cases[0].name)
			if shows(shot.Image.Data, c.at, clicks, c.check) {
				ours[c.name].right++
			}
			// The reference's policy: click, sleep 1.1 s, screenshot.
			t0 = time.Now()
			if err := page.Click(ctx, c.at.X, c.at.Y); err != nil {
				return "", err
			}
			select {
			case <-time.After(referenceClickWait):
			case <-ctx.Done():
				return "", ctx.Err()
			}
			shot, err = comp.Do(ctx, computer.Action{Kind: computer.Screenshot})
			if err != nil {
				return "", err
			}
			ref[c.name].ms = append(ref[c.name].ms, float64(time.Since(t0).Microseconds())/1000)
			clicks += boolInt(c.name != cases[0].name)
			if shows(shot.Image.Data, c.at, clicks, c.check) {
				ref[c.name].right++
			}
		}
	}
	return agentReport(reps, cases, ours, ref), nil
}

// agentReport is the section's Markdown.
func agentReport(reps int, cases []agentCase, ours, ref map[string]*agentResult) string {
	var s strings.Builder
	s.WriteString("## Agent actions: a click to a settled screenshot\n\n")
	s.WriteString("An agent acts, then looks: the time that counts is from its click to a screenshot that shows\n" +
		"what the click did. Package `computer` returns from an action when the page has been still for\n" +
		"100 ms (no damage, no navigation in flight, no finite animation running) or 2 s passed; the\n" +
		"reference BrowserAgent sleeps a fixed 0.3 s after every action and 0.8 s more after a click.\n" +
		"Both policies run here on the same 1280x720 page of one engine, alternately, " + fmt.Sprint(reps) + " clicks\n" +
		"each; the screenshot is a full-size PNG; \"shows the result\" checks the clicked element's colour\n" +
		"in that screenshot.\n\n")
	s.WriteString("| click | lkbrowser p50 | p95 | shows the result | reference (fixed 1.1 s) p50 | p95 | shows the result | ratio p50 |\n")
	s.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, c := range cases {
		o, r := ours[c.name], ref[c.name]
		fmt.Fprintf(&s, "| %s | %.0f ms | %.0f ms | %d/%d | %.0f ms | %.0f ms | %d/%d | %.2f |\n", c.name,
			percentile(o.ms, 0.5), percentile(o.ms, 0.95), o.right, reps,
			percentile(r.ms, 0.5), percentile(r.ms, 0.95), r.right, reps,
			percentile(o.ms, 0.5)/percentile(r.ms, 0.5))
	}
	target := "met"
	if percentile(ours[cases[0].name].ms, 0.5) > 300 {
		target = "**not met**"
	}
	fmt.Fprintf(&s, "\nTarget: p50 ≤ 300 ms on a static page: %.0f ms, %s.\n", percentile(ours[cases[0].name].ms, 0.5), target)
	return s.String()
}

// shows reports whether the PNG screenshot's pixel at p passes check.
func shows(data []byte, p image.Point, clicks int, check func(r, g, b uint8, clicks int) bool) bool {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return false
	}
	r, g, b, _ := img.At(p.X, p.Y).RGBA()
	return check(uint8(r>>8), uint8(g>>8), uint8(b>>8), clicks)
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

package main

import (
	_ "embed"
	"fmt"
	"math"
	"strings"

	"github.com/lkbrowser/lkbrowser/internal/testing/glassbench"
)

// publishTarget is the target: everything of lkbrowser's page at
// most this fraction of the Egress-style pipeline's CPU.
const publishTarget = 0.85

// publishLatencyTarget is the glass-to-subscriber p95 at 720p30, ms.
const publishLatencyTarget = 80

// publishBefore is the baseline as design.md §4.4b measured it before any
// code (all processes together, cores), by case name.
var publishBefore = map[string]float64{
	"720p simple": 0.40, "1080p simple": 0.57, "720p busy": 0.45, "1080p busy": 0.90,
}

// publishNotes is the fixed part of the section: how it is measured and
// what was optimised, with the figures before and after.
//
//go:embed publish_notes.md
var publishNotes string

// publishReport writes the publish section: the tables, the charts and the
// notes.
func publishReport(b *bench, plan publishPlan, res publishResults) (string, error) {
	var s strings.Builder
	s.WriteString("## Publishing: lkbrowser against the Egress-style GStreamer pipeline\n\n")
	fmt.Fprintf(&s, "One page published at 30 fps, each side measured over a %v window after a %v warm-up, one after the other.\n", plan.Window, plan.Warm)
	s.WriteString("lkbrowser: `lkbrowser publish` into a local livekit-server, decoded by a subscriber in the room. ")
	s.WriteString("GStreamer: the same page in the same Chromium (same command line) on the same Xvfb, captured and encoded by ")
	s.WriteString("`ximagesrc use-damage=false ! videoconvert ! vp8enc deadline=1 end-usage=cbr` (and `pulsesrc ! opusenc` for the page with sound) into fakesink, ")
	s.WriteString("at lkbrowser's bitrate for the size and design.md's cpu-used (-6 at 720p, -8 at 1080p). ")
	s.WriteString("CPU in cores (1.00 = one core busy) of every process of the page: lkbrowser's side includes WebRTC (packetizing, encryption, sending); ")
	s.WriteString("GStreamer's stops at the encoder, where Egress would go on to publish.\n\n")

	s.WriteString("| page | lkbrowser (cores) | GStreamer (cores) | lkbrowser / GStreamer | target | fps lkbrowser / GStreamer | GStreamer kbit/s | glass → decoded p50 / p95 | less the subscriber's hold p50 / p95 |\n")
	s.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range res.Cases {
		c, l, g := r.Case, r.LKB, r.GST
		ratio, verdict := "n/a", ""
		if l.Err == "" && g.Err == "" && g.Total > 0 {
			q := l.Total / g.Total
			ratio = fmt.Sprintf("%.2f", q)
			verdict = "met"
			if q > publishTarget {
				verdict = "**not met**"
			}
		}
		fmt.Fprintf(&s, "| %s (%dx%d%s) | %s | %s | %s | ≤ %.2f: %s | %s / %s | %s | %s | %s |\n",
			c.Name, c.W, c.H, map[bool]string{true: ", tone", false: ", no sound"}[c.Audio],
			sideCores(l), sideCores(g), ratio, publishTarget, verdict, sideFPS(l), sideFPS(g), sideKbps(g),
			pubMsPair(l.Lat), pubMsPair(l.NoHold))
	}
	s.WriteString("\n")
	if p95 := latencyVerdict(res); p95 != "" {
		s.WriteString(p95 + "\n\n")
	}

	s.WriteString("CPU by process (cores), and the rest of the machine during the window:\n\n")
	s.WriteString("| page | side | pipeline (lkbrowser / gst-launch) | Chromium | Xvfb | PulseAudio | total | design.md's baseline | rest of the machine | runs |\n")
	s.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range res.Cases {
		sides := []struct {
			name string
			r    sideResult
		}{{"lkbrowser", r.LKB}, {"GStreamer", r.GST}}
		if r.GST30 != nil {
			sides = append(sides, struct {
				name string
				r    sideResult
			}{"GStreamer, 30 Hz display", *r.GST30})
		}
		for _, sd := range sides {
			before := ""
			if sd.name == "GStreamer" {
				before = fmt.Sprintf("%.2f", publishBefore[r.Case.Name])
			}
			if sd.r.Err != "" {
				fmt.Fprintf(&s, "| %s | %s | failed: %s | | | | | %s | | %d |\n", r.Case.Name, sd.name, pubEscape(sd.r.Err), before, sd.r.Tries)
				continue
			}
			pipe := sd.r.Cores[glassbench.GroupCLI] + sd.r.Cores[glassbench.GroupGst]
			fmt.Fprintf(&s, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %.2f | %d |\n", r.Case.Name, sd.name, pipe,
				sd.r.Cores[glassbench.GroupChrome], sd.r.Cores[glassbench.GroupXvfb], sd.r.Cores[glassbench.GroupPulse],
				sd.r.Total, before, sd.r.Rest, sd.r.Tries)
		}
	}
	s.WriteString("\n")
	var extra []string
	for _, r := range res.Cases {
		if r.LKB.Err == "" {
			extra = append(extra, fmt.Sprintf("%s: livekit-server %.2f, subscriber %.2f", r.Case.Name, r.LKB.LK, r.LKB.Sub))
		}
		if r.Case.Audio && r.LKB.Err == "" {
			extra = append(extra, fmt.Sprintf("%s: the subscriber heard %.1f Hz", r.Case.Name, r.LKB.ToneHz))
		}
	}
	if len(extra) > 0 {
		fmt.Fprintf(&s, "Not counted on either side (cores): %s.\n\n", strings.Join(extra, "; "))
	}

	if link, err := publishCPUChart(b, res); err != nil {
		b.log.Warn("publish CPU chart", "err", err)
	} else {
		s.WriteString(link + "\n\n")
	}
	if link, err := publishLatencyChart(b, res); err != nil {
		b.log.Warn("publish latency chart", "err", err)
	} else if link != "" {
		s.WriteString(link + "\n\n")
	}
	s.WriteString("### VP8 speed against quality at the same bitrate\n\n")
	fmt.Fprintf(&s, "%d consecutive frames of each page recorded through a real lkbrowser page, encoded twice with lkbrowser's VP8 settings at its bitrate for the size (the second pass measured), each cpu-used in turn; CPU of the encoder's thread per frame, and the PSNR of the decoded luma against the recorded frames.\n\n", encoderFrames)
	if res.EncoderErr != "" {
		fmt.Fprintf(&s, "The sweep failed in this run: %s\n\n", res.EncoderErr)
	} else {
		var cases []publishCase
		for _, r := range res.Cases {
			cases = append(cases, r.Case)
		}
		s.WriteString(encoderTable(res.Encoder, cases) + "\n")
	}
	s.WriteString(publishNotes)
	return s.String(), nil
}

// latencyVerdict states the latency target at 720p30 against the measured
// p95 of the 720p pages.
func latencyVerdict(res publishResults) string {
	var parts []string
	for _, r := range res.Cases {
		if r.Case.H != 720 || r.LKB.Err != "" {
			continue
		}
		p95, nh := glassbench.Percentile(r.LKB.Lat, 0.95), glassbench.Percentile(r.LKB.NoHold, 0.95)
		v := "met"
		if nh > publishLatencyTarget {
			v = "not met"
		}
		parts = append(parts, fmt.Sprintf("%s: p95 %.0f ms, %.0f ms less the test subscriber's hold (%s)", r.Case.Name, p95, nh, v))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("Glass-to-subscriber target at 720p30, p95 ≤ %d ms: %s.", publishLatencyTarget, strings.Join(parts, "; "))
}

// publishCPUChart draws the CPU of each side by process group, stacked.
func publishCPUChart(b *bench, res publishResults) (string, error) {
	groups := []struct{ name, label string }{
		{"pipeline", "lkbrowser / gst-launch"}, {glassbench.GroupChrome, "Chromium"},
		{glassbench.GroupXvfb, "Xvfb"}, {glassbench.GroupPulse, "PulseAudio"},
	}
	var labels []string
	vals := make([][]float64, len(groups))
	for _, r := range res.Cases {
		for _, sd := range []struct {
			tag string
			r   sideResult
		}{{"L", r.LKB}, {"G", r.GST}} {
			labels = append(labels, strings.ReplaceAll(r.Case.Name, " ", "\n")+"\n"+sd.tag)
			for i, g := range groups {
				v := sd.r.Cores[g.name]
				if g.name == "pipeline" {
					v = sd.r.Cores[glassbench.GroupCLI] + sd.r.Cores[glassbench.GroupGst]
				}
				vals[i] = append(vals[i], v)
			}
		}
	}
	var series []barSeries
	for i, g := range groups {
		series = append(series, barSeries{Name: g.label, Values: vals[i]})
	}
	p, err := barChart("Publishing CPU per page: L = lkbrowser, G = GStreamer", "cores", labels, series, true)
	if err != nil {
		return "", err
	}
	return b.chart("publish-cpu", p)
}

// publishLatencyChart draws the distribution of lkbrowser's
// glass-to-subscriber latency, less the test subscriber's hold, per case.
func publishLatencyChart(b *bench, res publishResults) (string, error) {
	series := map[string][]float64{}
	for _, r := range res.Cases {
		if len(r.LKB.NoHold) > 0 {
			series[r.Case.Name] = r.LKB.NoHold
		}
	}
	if len(series) == 0 {
		return "", nil
	}
	p, err := latencyChart("lkbrowser publish: glass to decoded, less the test subscriber's hold (ms, log scale)", series)
	if err != nil {
		return "", err
	}
	return b.chart("publish-latency", p)
}

func sideCores(r sideResult) string {
	if r.Err != "" {
		return "failed"
	}
	return fmt.Sprintf("%.2f", r.Total)
}

func sideFPS(r sideResult) string {
	if r.Err != "" {
		return "–"
	}
	return fmt.Sprintf("%.1f", r.FPS)
}

func sideKbps(r sideResult) string {
	if r.Err != "" || r.Kbps == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", r.Kbps)
}

// pubMsPair formats the p50 and p95 of sorted latencies.
func pubMsPair(v []float64) string {
	if len(v) == 0 {
		return "–"
	}
	p50, p95 := glassbench.Percentile(v, 0.5), glassbench.Percentile(v, 0.95)
	if math.IsNaN(p50) {
		return "–"
	}
	return fmt.Sprintf("%.0f / %.0f ms", p50, p95)
}

// pubEscape keeps text from breaking a table row.
func pubEscape(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

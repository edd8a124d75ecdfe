package glassbench

import "strings"

// Process groups of a published page, by command name (Group).
const (
	GroupCLI    = "cli"    // lkbrowser: capture, conversion, VP8, WebRTC
	GroupChrome = "chrome" // Chromium's browser, zygotes, GPU and renderers
	GroupXvfb   = "xvfb"
	GroupPulse  = "pulse" // the PulseAudio server
	GroupGst    = "gst"   // gst-launch-1.0, the Egress-style baseline
	GroupOther  = "other"
)

// Groups lists every group, in the order of the reports.
var Groups = []string{GroupCLI, GroupGst, GroupChrome, GroupXvfb, GroupPulse, GroupOther}

// Group returns the group of a process from its command name (the comm of
// /proc/<pid>/stat).
func Group(comm string) string {
	switch {
	case comm == "lkbrowser":
		return GroupCLI
	case strings.HasPrefix(comm, "chrom"):
		return GroupChrome
	case comm == "Xvfb":
		return GroupXvfb
	case strings.HasPrefix(comm, "pulse"):
		return GroupPulse
	case strings.HasPrefix(comm, "gst-launch"):
		return GroupGst
	}
	return GroupOther
}

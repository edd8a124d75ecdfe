package testsupport

import "strings"

// SDKLogLine returns the first line of a CLI's output that the LiveKit SDK
// or its WebRTC stack logged, or "": pion's loggers are named pion.pc,
// pion.ice, ...; the SDK's default logger writes logr's "level"= pairs;
// lksession names the SDK's logs component=livekit-sdk.
func SDKLogLine(output string) string {
	for _, l := range strings.Split(output, "\n") {
		if strings.Contains(l, "pion.") || strings.Contains(l, `"level"=`) || strings.Contains(l, "livekit-sdk") {
			return l
		}
	}
	return ""
}

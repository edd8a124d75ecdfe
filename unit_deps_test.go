package lkbrowser

import (
	"os/exec"
	"strings"
	"testing"
)

// TestUnitDepsFramesOnly checks that a program that imports only the root
// package and reads frames links no codec and no LiveKit package: those
// belong to the packages that use a page from outside (webm, lksession).
func TestUnitDepsFramesOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./internal/testing/framesonly").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps gave %d packages, expected the program's whole closure: %q", len(deps), deps)
	}
	forbidden := []string{"internal/vpx", "internal/yuv", "internal/pagevideo", "opus", "ebml-go", "livekit", "pion", "lkbrowser/webm", "lkbrowser/lksession"}
	for _, d := range deps {
		for _, f := range forbidden {
			if strings.Contains(d, f) {
				t.Errorf("%s links %s (matches %q)", "framesonly", d, f)
			}
		}
	}
	if !strings.Contains(string(out), "github.com/lkbrowser/lkbrowser/internal/xcap") {
		t.Errorf("the closure lacks the capture bridge; the listing is not the program's: %q", deps)
	}
	t.Logf("%d packages", len(deps))
}

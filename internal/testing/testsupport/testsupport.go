// Package testsupport holds what lkbrowser's end-to-end test packages
// (tests/...) and the benchmark harness share: building the CLI, pages that
// close themselves when a test ends, evaluating JavaScript into Go values,
// a log buffer for concurrent writers, a video clip whose picture and sound
// flash and beep together. It is not part of the product.
package testsupport

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
)

// BuildCLI builds cmd/lkbrowser as dir/lkbrowser and returns its path.
func BuildCLI(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "lkbrowser")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/lkbrowser/lkbrowser/cmd/lkbrowser").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/lkbrowser: %w\n%s", err, out)
	}
	return bin, nil
}

// CLI is the CLI built once for all the tests of a test binary.
type CLI struct {
	once sync.Once
	path string
	err  error
}

// Path builds the CLI into dir on the first call (within 5 minutes) and
// returns the binary's path; it fails tb if the build failed.
func (c *CLI) Path(tb testing.TB, dir string) string {
	tb.Helper()
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		c.path, c.err = BuildCLI(ctx, dir)
	})
	if c.err != nil {
		tb.Fatal(c.err)
	}
	return c.path
}

// OpenPage opens a page on e (within 30 s) and closes it when the test
// ends; a failed Close fails the test.
func OpenPage(tb testing.TB, e *lkbrowser.Engine, opts lkbrowser.PageOptions) *lkbrowser.Page {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := e.NewPage(ctx, opts)
	if err != nil {
		tb.Fatalf("NewPage: %v", err)
	}
	tb.Cleanup(func() {
		if err := p.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return p
}

// EvalAs evaluates expr on p (within 20 s) and decodes its JSON value into
// a T; any failure fails the test.
func EvalAs[T any](tb testing.TB, p *lkbrowser.Page, expr string) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	raw, err := p.Eval(ctx, expr)
	if err != nil {
		tb.Fatalf("Eval(%s): %v", expr, err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("Eval(%s) = %s: %v", expr, raw, err)
	}
	return v
}

// SyncBuffer is a log destination safe for concurrent writers.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// clipPage plays clip.webm, 640x360, at the top left of a black page.
const clipPage = `<!doctype html>
<html><head><title>clip</title><style>
html,body{margin:0;height:100%;overflow:hidden;background:#000}
video{position:absolute;left:0;top:0;width:640px;height:360px}
</style></head>
<body><video src="clip.webm" autoplay loop></video></body></html>
`

// MakeFlashBeepClip writes dir/clip.webm, 20 s of 640x360 VP8 at 30 fps
// and Opus, whose top-right 120x120 square is white for the first 150 ms
// of every second, while a 1 kHz tone plays, and dark blue otherwise; and
// dir/clip.html, a page that plays it on a loop at the top left. ffmpeg
// (installed by scripts/setup.sh) makes picture and sound from one clock,
// so the clip itself is in sync to within a frame; Chromium's player shows
// each picture when its sound plays.
func MakeFlashBeepClip(ctx context.Context, dir string) error {
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "color=c=0x203060:s=640x360:r=30:d=20,drawbox=x=520:y=0:w=120:h=120:color=white:t=fill:enable='lt(mod(t,1),0.15)'",
		"-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=20,volume=volume=0:enable='gte(mod(t,1),0.15)'",
		"-c:v", "libvpx", "-b:v", "300k", "-g", "30", "-c:a", "libopus", "-b:a", "64k", filepath.Join(dir, "clip.webm")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg: %w\n%s", err, out)
	}
	return os.WriteFile(filepath.Join(dir, "clip.html"), []byte(clipPage), 0o600)
}

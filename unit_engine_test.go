package lkbrowser

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unitEngine makes an engine whose programs are /bin/true, so that nothing
// real could start, with its runtime directory in a test directory.
func unitEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	if opts.ChromiumPath == "" {
		opts.ChromiumPath = "/bin/true"
	}
	if opts.XvfbPath == "" {
		opts.XvfbPath = "/bin/true"
	}
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	e, err := NewEngine(context.Background(), opts)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func unitDirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestUnitNewEngineCancelled(t *testing.T) {
	tmp := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e, err := NewEngine(ctx, Options{ChromiumPath: "/bin/true", XvfbPath: "/bin/true", TempDir: tmp})
	if !errors.Is(err, context.Canceled) || e != nil {
		t.Fatalf("NewEngine(cancelled) = %v, %v; want nil, context.Canceled", e, err)
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	if _, err := NewEngine(dctx, Options{ChromiumPath: "/bin/true", XvfbPath: "/bin/true", TempDir: tmp}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("NewEngine(expired) = %v, want context.DeadlineExceeded", err)
	}
	if names := unitDirEntries(t, tmp); len(names) != 0 {
		t.Errorf("a failed NewEngine left %v in TempDir", names)
	}
}

func TestUnitNewEngineRefused(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		check func(error) bool
	}{
		{"MaxPages -1", Options{MaxPages: -1}, func(err error) bool {
			var ia *InvalidArgumentError
			return errors.As(err, &ia) && ia.Arg == "MaxPages" && errors.Is(err, ErrInvalidOption) && !errors.Is(err, ErrTooManyPages)
		}},
		{"missing chromium", Options{ChromiumPath: "/nonexistent/chromium"}, func(err error) bool {
			var nf *NotFoundError
			return errors.As(err, &nf) && nf.Program == "chromium" && strings.Contains(err.Error(), "/nonexistent/chromium")
		}},
		{"missing Xvfb", Options{XvfbPath: "/nonexistent/Xvfb"}, func(err error) bool {
			var nf *NotFoundError
			return errors.As(err, &nf) && nf.Program == "Xvfb" && strings.Contains(err.Error(), "/nonexistent/Xvfb")
		}},
		{"missing TempDir", Options{TempDir: "/nonexistent/tmp"}, func(err error) bool {
			return errors.Is(err, os.ErrNotExist) && strings.Contains(err.Error(), "runtime dir")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			opts := tt.opts
			if opts.ChromiumPath == "" {
				opts.ChromiumPath = "/bin/true"
			}
			if opts.XvfbPath == "" {
				opts.XvfbPath = "/bin/true"
			}
			if opts.TempDir == "" {
				opts.TempDir = tmp
			}
			e, err := NewEngine(context.Background(), opts)
			if e != nil || err == nil || !tt.check(err) {
				t.Fatalf("NewEngine = %v, %v (%T)", e, err, err)
			}
			if names := unitDirEntries(t, tmp); len(names) != 0 {
				t.Errorf("a refused NewEngine left %v in TempDir", names)
			}
		})
	}
}

func TestUnitEngineLifecycle(t *testing.T) {
	tmp := t.TempDir()
	e, err := NewEngine(context.Background(), Options{ChromiumPath: "/bin/true", XvfbPath: "/bin/true", TempDir: tmp})
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	if e.ChromiumPath() != "/bin/true" || e.XvfbPath() != "/bin/true" {
		t.Errorf("programs %q %q", e.ChromiumPath(), e.XvfbPath())
	}
	if e.Epoch().IsZero() || time.Since(e.Epoch()) > time.Minute {
		t.Errorf("Epoch = %v", e.Epoch())
	}
	if len(e.Pages()) != 0 {
		t.Errorf("new engine has pages")
	}
	names := unitDirEntries(t, tmp)
	if len(names) != 1 || !strings.HasPrefix(names[0], "lkbrowser-") {
		t.Fatalf("TempDir holds %v, want one lkbrowser-* runtime dir", names)
	}
	root := filepath.Join(tmp, names[0])
	st, err := os.Stat(root)
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		t.Fatalf("runtime dir %s: %v, %v; want a 0700 directory", root, st.Mode(), err)
	}
	// The engine starts no process: the directory is empty.
	if n := unitDirEntries(t, root); len(n) != 0 {
		t.Errorf("runtime dir holds %v before any page", n)
	}

	err1 := e.Close()
	if err1 != nil {
		t.Errorf("Close = %v", err1)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("runtime dir still there after Close: %v", err)
	}
	if err2 := e.Close(); err2 != err1 {
		t.Errorf("second Close = %v, want the first's %v", err2, err1)
	}

	p, err := e.NewPage(context.Background(), PageOptions{})
	if p != nil || !errors.Is(err, ErrClosed) {
		t.Errorf("NewPage after Close = %v, %v; want ErrClosed", p, err)
	}
	if names := unitDirEntries(t, tmp); len(names) != 0 {
		t.Errorf("NewPage after Close left %v", names)
	}
}

// TestUnitEngineCloseConcurrent: concurrent Closes all return the same
// result and the runtime dir is gone. Run with -race.
func TestUnitEngineCloseConcurrent(t *testing.T) {
	e := unitEngine(t, Options{})
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- e.Close() }()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("Close = %v", err)
		}
	}
	if _, err := os.Stat(e.root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("runtime dir still there: %v", err)
	}
}

func TestUnitEngineURLPolicy(t *testing.T) {
	tests := []struct {
		schemes []string
		ok, bad []string
	}{
		{nil, []string{"http://x", "https://x", "file:///x", "data:text/html,x", "about:blank"}, []string{"ftp://x", "javascript:x"}},
		{[]string{"HTTPS"}, []string{"https://x", "HTTPS://x"}, []string{"http://x", "about:blank", "data:text/html,x"}},
		{[]string{"https", "Data"}, []string{"https://x", "data:text/html,x"}, []string{"http://x", "file:///x"}},
	}
	for _, tt := range tests {
		e := unitEngine(t, Options{AllowedSchemes: tt.schemes})
		for _, u := range tt.ok {
			if err := e.policy.Check(u); err != nil {
				t.Errorf("schemes %v: %s refused: %v", tt.schemes, u, err)
			}
		}
		for _, u := range tt.bad {
			if err := e.policy.Check(u); !errors.Is(err, ErrInvalidURL) {
				t.Errorf("schemes %v: %s: %v, want ErrInvalidURL", tt.schemes, u, err)
			}
			// NewPage refuses it before starting anything.
			if p, err := e.NewPage(context.Background(), PageOptions{URL: u}); p != nil || !errors.Is(err, ErrInvalidURL) {
				t.Errorf("schemes %v: NewPage(%s) = %v, %v", tt.schemes, u, p, err)
			}
		}
	}
	// The engine's policy is its own copy: changing the caller's slice or
	// the package default later changes nothing.
	schemes := []string{"https"}
	e := unitEngine(t, Options{AllowedSchemes: schemes})
	schemes[0] = "ftp"
	if err := e.policy.Check("https://x"); err != nil {
		t.Errorf("policy changed with the caller's slice: %v", err)
	}
}

func TestUnitNewPageInvalidOptions(t *testing.T) {
	tests := []struct {
		name     string
		opts     PageOptions
		defaults PageOptions
		sentinel error
		arg      string
	}{
		{"width 15", PageOptions{Width: 15}, PageOptions{}, ErrInvalidSize, "Width"},
		{"width 4097", PageOptions{Width: 4097}, PageOptions{}, ErrInvalidSize, "Width"},
		{"width -1", PageOptions{Width: -1}, PageOptions{}, ErrInvalidSize, "Width"},
		{"height 15", PageOptions{Height: 15}, PageOptions{}, ErrInvalidSize, "Height"},
		{"height 4097", PageOptions{Height: 4097}, PageOptions{}, ErrInvalidSize, "Height"},
		{"frame rate 61", PageOptions{FrameRate: 61}, PageOptions{}, ErrInvalidFrameRate, "FrameRate"},
		{"frame rate -1", PageOptions{FrameRate: -1}, PageOptions{}, ErrInvalidFrameRate, "FrameRate"},
		{"max width 4097", PageOptions{MaxWidth: 4097}, PageOptions{}, ErrInvalidSize, "Width"},
		{"max height 10", PageOptions{MaxHeight: 10}, PageOptions{}, ErrInvalidSize, "Height"},
		{"max smaller than size", PageOptions{Width: 800, Height: 600, MaxWidth: 640, MaxHeight: 600}, PageOptions{}, ErrInvalidSize, "MaxWidth/MaxHeight"},
		{"max height smaller", PageOptions{Width: 800, Height: 600, MaxWidth: 800, MaxHeight: 480}, PageOptions{}, ErrInvalidSize, "MaxWidth/MaxHeight"},
		{"devtools port -1", PageOptions{DevToolsPort: -1}, PageOptions{}, ErrInvalidPort, "DevToolsPort"},
		{"devtools port 65536", PageOptions{DevToolsPort: 65536}, PageOptions{}, ErrInvalidPort, "DevToolsPort"},
		{"URL ftp", PageOptions{URL: "ftp://x"}, PageOptions{}, ErrInvalidURL, "URL"},
		{"URL relative", PageOptions{URL: "example.com"}, PageOptions{}, ErrInvalidURL, "URL"},
		{"engine default width", PageOptions{}, PageOptions{Width: 5000}, ErrInvalidSize, "Width"},
		{"engine default frame rate", PageOptions{}, PageOptions{FrameRate: 100}, ErrInvalidFrameRate, "FrameRate"},
		{"engine default URL", PageOptions{}, PageOptions{URL: "javascript:alert(1)"}, ErrInvalidURL, "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := unitEngine(t, Options{DefaultPage: tt.defaults})
			start := time.Now()
			p, err := e.NewPage(context.Background(), tt.opts)
			if p != nil {
				t.Fatalf("NewPage(%+v) opened a page", tt.opts)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("NewPage(%+v) = %v, want %v", tt.opts, err, tt.sentinel)
			}
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) || ia.Arg != tt.arg {
				t.Errorf("NewPage(%+v) = %v, want an *InvalidArgumentError about %s", tt.opts, err, tt.arg)
			}
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("refusal took %v", d)
			}
			// Refused before any page directory, display or browser.
			if names := unitDirEntries(t, e.root); len(names) != 0 {
				t.Errorf("runtime dir holds %v after a refused NewPage", names)
			}
			if ps := e.pageList(true); len(ps) != 0 {
				t.Errorf("%d pages registered after a refused NewPage", len(ps))
			}
		})
	}
}

package lkbrowser

import (
	"context"
	"errors"
	"image"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUnitCursorHash(t *testing.T) {
	pix := []uint32{0xff000000, 0xffffffff, 0x00000000, 0x80112233}
	base := cursorHash(2, 2, 0, 1, pix)
	if again := cursorHash(2, 2, 0, 1, slices.Clone(pix)); again != base {
		t.Errorf("equal input hashed differently: %x vs %x", base, again)
	}
	changed := func(i int, v uint32) []uint32 {
		p := slices.Clone(pix)
		p[i] = v
		return p
	}
	tests := []struct {
		name             string
		w, h, xhot, yhot int
		argb             []uint32
	}{
		{"width", 4, 1, 0, 1, pix}, // same pixel count, other shape
		{"height", 1, 4, 0, 1, pix},
		{"hotspot x", 2, 2, 1, 1, pix},
		{"hotspot y", 2, 2, 0, 0, pix},
		{"hotspot swapped", 2, 2, 1, 0, pix},
		{"first pixel", 2, 2, 0, 1, changed(0, 0xfe000000)},
		{"last pixel", 2, 2, 0, 1, changed(3, 0x80112234)},
		{"alpha only", 2, 2, 0, 1, changed(1, 0x00ffffff)},
		{"pixels swapped", 2, 2, 0, 1, []uint32{pix[1], pix[0], pix[2], pix[3]}},
		{"extra pixel", 2, 2, 0, 1, append(slices.Clone(pix), 0)},
		{"missing pixel", 2, 2, 0, 1, pix[:3]},
	}
	seen := map[uint64]string{base: "base"}
	for _, tt := range tests {
		h := cursorHash(tt.w, tt.h, tt.xhot, tt.yhot, tt.argb)
		if h == base {
			t.Errorf("%s: hash equals the base image's", tt.name)
		}
		if o, dup := seen[h]; dup {
			t.Errorf("%s: hash equals %s's", tt.name, o)
		}
		seen[h] = tt.name
	}
	if cursorHash(0, 0, 0, 0, nil) == 0 {
		t.Error("an empty image hashes to 0, which means \"no cursor\"")
	}
}

var unitCellRe = regexp.MustCompile(`<div style="left:(\d+)px;top:(\d+)px;cursor:([a-z-]+)"></div>`)

func TestUnitCalibrationPage(t *testing.T) {
	u, w, h, cell := calibrationPage()
	const prefix = "data:text/html,"
	if !strings.HasPrefix(u, prefix) {
		t.Fatalf("calibration page %.40q is not a data:text/html URL", u)
	}
	// The page must pass the default URL policy and NewPage's size checks.
	if err := unitDefaultPolicy.Check(u); err != nil {
		t.Errorf("default policy refuses the calibration page: %v", err)
	}
	if err := validateSize(w, h); err != nil {
		t.Errorf("calibration page size %dx%d refused: %v", w, h, err)
	}
	if strings.ContainsAny(u[len(prefix):], "#? \"<>") {
		t.Errorf("calibration URL has unescaped characters that would cut or break it")
	}
	html, err := url.PathUnescape(u[len(prefix):])
	if err != nil {
		t.Fatalf("unescape: %v", err)
	}
	boxes := map[string]image.Rectangle{}
	for _, m := range unitCellRe.FindAllStringSubmatch(html, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		if _, dup := boxes[m[3]]; dup {
			t.Errorf("cursor %s has two cells", m[3])
		}
		boxes[m[3]] = image.Rect(x, y, x+60, y+40) // the stylesheet's div size
	}
	if !strings.Contains(html, "div{position:absolute;width:60px;height:40px}") {
		t.Fatal("cell size changed; update this test")
	}
	if len(boxes) != len(cssCursors) {
		t.Errorf("page has %d cursor cells, want %d", len(boxes), len(cssCursors))
	}
	page := image.Rect(0, 0, w, h)
	strip := image.Pt(w-10, h-10) // where calibrateCursors shows the default cursor
	centres := map[image.Point]string{}
	for i, name := range cssCursors {
		box, ok := boxes[name]
		if !ok {
			t.Errorf("no cell for cursor %q", name)
			continue
		}
		if !box.In(page) {
			t.Errorf("%s: cell %v outside the %dx%d page", name, box, w, h)
		}
		x, y := cell(i)
		pt := image.Pt(x, y)
		if !pt.In(page) {
			t.Errorf("%s: centre %v outside the page", name, pt)
		}
		if o, dup := centres[pt]; dup {
			t.Errorf("%s and %s share the centre %v", name, o, pt)
		}
		centres[pt] = name
		// The centre hits this cell and no other.
		for other, b := range boxes {
			if in := pt.In(b); in != (other == name) {
				t.Errorf("centre %v of %s: inside %s's cell = %v", pt, name, other, in)
			}
		}
		if strip.In(box) {
			t.Errorf("the default strip point %v is inside %s's cell", strip, name)
		}
	}
	if !strip.In(page) {
		t.Errorf("the default strip point %v is outside the page", strip)
	}
}

func TestUnitCSSCursors(t *testing.T) {
	if cssCursors[0] != "default" {
		t.Errorf("first cursor %q, want default (it wins shared images)", cssCursors[0])
	}
	seen := map[string]bool{}
	for _, c := range cssCursors {
		if seen[c] {
			t.Errorf("%q listed twice", c)
		}
		seen[c] = true
	}
	// Every CSS cursor keyword but auto (which picks one of the others).
	css := strings.Fields(`default none context-menu help pointer progress wait cell crosshair text
		vertical-text alias copy move no-drop not-allowed grab grabbing e-resize n-resize ne-resize
		nw-resize s-resize se-resize sw-resize w-resize ew-resize ns-resize nesw-resize nwse-resize
		col-resize row-resize all-scroll zoom-in zoom-out`)
	for _, c := range css {
		if !seen[c] {
			t.Errorf("CSS cursor %q missing", c)
		}
	}
	if len(cssCursors) != len(css) {
		t.Errorf("%d cursors, want the %d CSS keywords", len(cssCursors), len(css))
	}
}

func TestUnitCursorTableLookup(t *testing.T) {
	tab := &cursorTable{ready: make(chan struct{}), names: map[uint64][]string{
		1: {"pointer"},
		2: {"wait", "progress"},
	}}
	if names, ok := tab.lookup(1); ok || names != nil {
		t.Errorf("before ready: lookup = %v, %v; want nil, false", names, ok)
	}
	close(tab.ready)
	tests := []struct {
		hash uint64
		want []string
	}{
		{1, []string{"pointer"}},
		{2, []string{"wait", "progress"}},
		{3, nil},
		{0, nil},
	}
	for _, tt := range tests {
		names, ok := tab.lookup(tt.hash)
		if !ok || !reflect.DeepEqual(names, tt.want) {
			t.Errorf("lookup(%d) = %v, %v; want %v, true", tt.hash, names, ok, tt.want)
		}
	}

	failed := &cursorTable{ready: make(chan struct{}), err: errors.New("calibration failed")}
	close(failed.ready)
	for _, hash := range []uint64{0, 1, 12345} {
		// A failed table knows no image: names come from the page's CSS.
		if names, ok := failed.lookup(hash); ok || names != nil {
			t.Errorf("failed table: lookup(%d) = %v, %v; want nil, false", hash, names, ok)
		}
	}
}

// TestUnitCursorTableCache saves a calibrated table and loads it back: the
// cache skips calibration for later engines with the same Chromium build.
func TestUnitCursorTableCache(t *testing.T) {
	cache := t.TempDir()
	chromium := unitExecutable(t, t.TempDir(), "chrome")
	e := unitEngine(t, Options{ChromiumPath: chromium, CacheDir: cache})
	path := e.cursorTablePath()
	if name, ok := strings.CutPrefix(path, cache+string(os.PathSeparator)); !ok || !strings.HasPrefix(name, "cursors-") || !strings.HasSuffix(name, ".json") {
		t.Fatalf("cursorTablePath = %q, want cursors-*.json in %s", path, cache)
	}
	if _, ok := e.loadCursorTable(); ok {
		t.Fatal("a table loaded before any was saved")
	}
	names := map[uint64][]string{
		1:                    {"default"},
		0xfedcba9876543210:   {"wait", "progress"}, // beyond float64 precision
		18446744073709551615: {"pointer"},
	}
	e.saveCursorTable(names)
	got, ok := e.loadCursorTable()
	if !ok || !reflect.DeepEqual(got, names) {
		t.Fatalf("loadCursorTable = %v, %v; want %v", got, ok, names)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Errorf("cache holds %d files, want 1", len(entries))
	}

	// Another Chromium build (other size) uses another table.
	other := unitExecutable(t, t.TempDir(), "chrome")
	if err := os.WriteFile(other, []byte("#!/bin/sh\n# a different build\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e2 := unitEngine(t, Options{ChromiumPath: other, CacheDir: cache})
	if e2.cursorTablePath() == path {
		t.Error("two Chromium builds share a cursor table")
	}
	if _, ok := e2.loadCursorTable(); ok {
		t.Error("a table of another build was loaded")
	}

	// A corrupt or empty file is ignored.
	for _, content := range []string{"{not json", "{}", "null"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, ok := e.loadCursorTable(); ok {
			t.Errorf("table %q loaded", content)
		}
	}
}

// TestUnitCursorsFromCache: with a cached table, the engine's cursor table is
// ready at once, without a calibration page.
func TestUnitCursorsFromCache(t *testing.T) {
	cache := t.TempDir()
	e := unitEngine(t, Options{ChromiumPath: unitExecutable(t, t.TempDir(), "chrome"), CacheDir: cache})
	e.saveCursorTable(map[uint64][]string{42: {"text"}})
	if e.startedCursors() != nil {
		t.Fatal("cursor table started before any mouse input")
	}
	tab := e.cursors()
	if names, ok := tab.lookup(42); !ok || !reflect.DeepEqual(names, []string{"text"}) {
		t.Errorf("lookup(42) = %v, %v; want [text], true", names, ok)
	}
	if e.cursors() != tab || e.startedCursors() != tab {
		t.Error("the cursor table is not made once")
	}
	if ps := e.pageList(true); len(ps) != 0 {
		t.Errorf("%d pages opened for a cached table", len(ps))
	}
}

// TestUnitCursorsAfterClose: an engine closed before the first mouse input
// starts no calibration page; cursor names come from the pages' CSS.
func TestUnitCursorsAfterClose(t *testing.T) {
	e := unitEngine(t, Options{CacheDir: t.TempDir()})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	tab := e.cursors()
	if names, ok := tab.lookup(7); ok || names != nil {
		t.Errorf("lookup after Close = %v, %v; want nil, false", names, ok)
	}
	if !errors.Is(tab.err, ErrClosed) {
		t.Errorf("table error %v, want ErrClosed", tab.err)
	}
}

// TestUnitCalibrationIgnoresURLPolicy: the engine's own calibration page (a
// data: URL) must open whatever Options.AllowedSchemes says. Xvfb is
// /bin/true here, so calibration then fails at start-up, not on the URL.
func TestUnitCalibrationIgnoresURLPolicy(t *testing.T) {
	e := unitEngine(t, Options{AllowedSchemes: []string{"http", "https"}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := e.calibrateCursors(ctx)
	if errors.Is(err, ErrInvalidURL) {
		t.Errorf("calibration refused by the user's URL policy: %v", err)
	}
}

package lkbrowser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser/chromium"
)

// cssCursors are the CSS cursor keywords lkbrowser recognises, the most
// common first: when two keywords share one image, the first one wins.
var cssCursors = []string{
	"default", "pointer", "text", "wait", "progress", "crosshair", "move", "not-allowed",
	"grab", "grabbing", "help", "none", "ew-resize", "ns-resize", "nesw-resize", "nwse-resize",
	"col-resize", "row-resize", "n-resize", "e-resize", "s-resize", "w-resize",
	"ne-resize", "nw-resize", "se-resize", "sw-resize", "all-scroll", "context-menu",
	"cell", "vertical-text", "alias", "copy", "no-drop", "zoom-in", "zoom-out",
}

// cursorHash identifies a cursor image: X11 tells Chromium's cursors apart
// only by their pixels (their names are empty).
func cursorHash(w, h, xhot, yhot int, argb []uint32) uint64 {
	f := fnv.New64a()
	var b [4]byte
	put := func(v uint32) {
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		f.Write(b[:])
	}
	put(uint32(w))
	put(uint32(h))
	put(uint32(xhot))
	put(uint32(yhot))
	for _, p := range argb {
		put(p)
	}
	return f.Sum64()
}

// cursorTable maps cursor image hashes to CSS names. It is learnt once per
// engine by showing every cursor in a hidden calibration page (the images
// depend on the Chromium build and the cursor theme), and kept on disk next
// to downloaded builds so later engines skip the calibration. Some names
// share an image (Chromium draws progress like wait, col-resize like
// ew-resize); their names are listed most common first.
type cursorTable struct {
	ready chan struct{} // closed when names is set
	names map[uint64][]string
	err   error
}

// cursors returns the engine's cursor table, starting its calibration on
// first use. The first mouse input starts it: cursors change only under the
// mouse, and engines that never move it (screenshots) pay nothing.
func (e *Engine) cursors() *cursorTable {
	e.cursorOnce.Do(func() {
		t := &cursorTable{ready: make(chan struct{})}
		e.mu.Lock()
		e.cursorTab = t
		e.mu.Unlock()
		if names, ok := e.loadCursorTable(); ok {
			t.names = names
			close(t.ready)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			cancel()
			t.err = ErrClosed
			close(t.ready)
			return
		}
		e.cursorCancel = cancel
		e.bg.Add(1)
		e.mu.Unlock()
		go func() {
			defer e.bg.Done()
			for try := 1; ; try++ {
				t.names, t.err = e.calibrateCursors(ctx)
				if t.err == nil || try == calibrationTries || ctx.Err() != nil {
					break
				}
				e.log.Info("cursor calibration failed; trying again", "err", t.err)
			}
			close(t.ready)
			if t.err != nil {
				e.log.Warn("cursor calibration failed; cursor names come from the pages' CSS", "err", t.err)
			} else {
				e.saveCursorTable(t.names)
			}
			for _, p := range e.Pages() {
				p.resolveCursor()
			}
		}()
	})
	return e.cursorTab
}

// startedCursors returns the cursor table, or nil before the first mouse
// input.
func (e *Engine) startedCursors() *cursorTable {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cursorTab
}

// failed reports whether the table is done and its calibration failed.
func (t *cursorTable) failed() bool {
	select {
	case <-t.ready:
		return t.err != nil
	default:
		return false
	}
}

// lookup returns the names a cursor image may stand for (none for an image
// it does not know), and false while the table is not ready or when its
// calibration failed.
func (t *cursorTable) lookup(hash uint64) ([]string, bool) {
	select {
	case <-t.ready:
	default:
		return nil, false
	}
	if t.err != nil {
		return nil, false
	}
	return t.names[hash], true // nil: an image the table does not know
}

// cursorUnderMouse is the CSS cursor of the element at %d, %d, with "auto"
// resolved as Chromium shows it: the I-beam over text and editable fields,
// the arrow elsewhere.
const cursorUnderMouse = `((x, y) => {
	const e = document.elementFromPoint(x, y);
	if (!e) return "";
	const c = getComputedStyle(e).cursor;
	if (c !== "auto") return c;
	if (e.isContentEditable || e.matches("textarea, input:not([type=button],[type=submit],[type=reset],[type=checkbox],[type=radio],[type=range],[type=color],[type=file],[type=image])")) return "text";
	const r = document.caretRangeFromPoint(x, y);
	if (r && r.startContainer.nodeType === Node.TEXT_NODE) {
		const t = document.createRange();
		t.selectNodeContents(r.startContainer);
		for (const b of t.getClientRects()) if (x >= b.left && x < b.right && y >= b.top && y < b.bottom) return "text";
	}
	return "default";
})(%d, %d)`

// calibrationTries is how many times calibration runs before the engine
// gives up on cursor names.
const calibrationTries = 3

// cursorSettle is how long the default cursor must stay unchanged before
// calibration takes it as the default.
const cursorSettle = 300 * time.Millisecond

// calibrationPage is a grid with one cell per CSS cursor, above a strip
// with the default cursor.
func calibrationPage() (u string, w, h int, cell func(i int) (x, y int)) {
	const cols, cw, ch = 8, 60, 40
	var b strings.Builder
	b.WriteString("<!doctype html><style>html,body{margin:0;overflow:hidden;cursor:default}div{position:absolute;width:60px;height:40px}</style>")
	for i, name := range cssCursors {
		fmt.Fprintf(&b, `<div style="left:%dpx;top:%dpx;cursor:%s"></div>`, i%cols*cw, i/cols*ch, name)
	}
	rows := (len(cssCursors) + cols - 1) / cols
	cell = func(i int) (int, int) { return i%cols*cw + cw/2, i/cols*ch + ch/2 }
	return "data:text/html," + url.PathEscape(b.String()), cols * cw, rows*ch + ch, cell
}

// calibrateCursors opens a hidden page and points at every cursor cell in
// turn, going back to the default strip in between so that each cell shows
// as a change, and records the image each one shows.
func (e *Engine) calibrateCursors(ctx context.Context) (map[uint64][]string, error) {
	start := time.Now()
	u, w, h, cell := calibrationPage()
	hashes := make(chan uint64, 64)
	p, err := e.newPage(ctx, PageOptions{URL: u, Width: w, Height: h, FrameRate: 1}, func(hash uint64) {
		select {
		case hashes <- hash:
		default:
		}
	}, false)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	// Pointing before the document is laid out shows nothing.
	if _, err := p.Eval(ctx, `new Promise(r => document.readyState === "complete" ? r() : addEventListener("load", () => r()))`); err != nil {
		return nil, err
	}
	current := uint64(0)
	// show moves the mouse and waits, up to a second, until the cursor image
	// is not avoid any more (a reported change); it returns the image then
	// shown. Waiting for the change, rather than for the next event, keeps a
	// late event of the previous step from being taken for this one.
	show := func(x, y int, avoid uint64) (uint64, error) {
		if err := p.SendMouseMove(ctx, MouseEvent{X: x, Y: y}, false); err != nil {
			return 0, err
		}
		deadline := time.After(time.Second)
		for current == avoid {
			select {
			case current = <-hashes:
			case <-deadline:
				return current, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		return current, nil
	}
	// The default strip first: its image is what every other step leaves.
	def, err := show(w-10, h-10, 0)
	if err != nil {
		return nil, err
	}
	if def == 0 {
		return nil, errors.New("no cursor image reported")
	}
	// Chromium may still show its progress cursor right after the load:
	// the default is the image that then stays for a while.
	for settle, limit := time.After(cursorSettle), time.After(3*time.Second); ; {
		select {
		case def = <-hashes:
			settle = time.After(cursorSettle)
			continue
		case <-settle:
		case <-limit:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		break
	}
	current = def
	names := map[uint64][]string{}
	for i, name := range cssCursors {
		x, y := cell(i)
		hash, err := show(x, y, def) // stays def when the keyword shows the default image
		if err != nil {
			return nil, err
		}
		names[hash] = append(names[hash], name)
		if hash != def {
			if back, err := show(w-10, h-10, hash); err != nil {
				return nil, err
			} else if back != def {
				return nil, fmt.Errorf("the default cursor changed during calibration (%x, then %x)", def, back)
			}
		}
	}
	e.log.Debug("cursors calibrated", "images", len(names), "took", time.Since(start))
	return names, nil
}

// cursorTablePath names the cached table of the engine's Chromium build.
func (e *Engine) cursorTablePath() string {
	dir := e.opts.CacheDir
	if dir == "" {
		var err error
		if dir, err = chromium.DefaultCacheDir(); err != nil {
			return ""
		}
	}
	st, err := os.Stat(e.chromium)
	if err != nil {
		return ""
	}
	f := fnv.New64a()
	fmt.Fprintf(f, "%s|%d|%d", e.chromium, st.Size(), st.ModTime().UnixNano())
	return filepath.Join(dir, fmt.Sprintf("cursors-%016x.json", f.Sum64()))
}

func (e *Engine) loadCursorTable() (map[uint64][]string, bool) {
	path := e.cursorTablePath()
	if path == "" {
		return nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var names map[uint64][]string
	if err := json.Unmarshal(b, &names); err != nil || len(names) == 0 {
		return nil, false
	}
	return names, true
}

func (e *Engine) saveCursorTable(names map[uint64][]string) {
	path := e.cursorTablePath()
	if path == "" {
		return
	}
	b, _ := json.Marshal(names)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp := path + ".tmp" + fmt.Sprint(os.Getpid())
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
	}
}

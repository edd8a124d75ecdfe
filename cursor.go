package lkbrowser

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// CursorChanged reports the cursor over the page as a CSS cursor name:
// "default", "pointer", "text", "wait", "progress", "crosshair", "move",
// "not-allowed", "grab", "grabbing", "help", "none", the resize names
// ("ew-resize", "nwse-resize", ...) and the other CSS keywords; "custom" for
// an image cursor (cursor: url(...)).
type CursorChanged struct {
	EventTime
	Cursor string
}

// cursorAskTimeout bounds one ask of the page for the CSS cursor under the
// mouse; cursorAskTries is how many asks a cursor change gets.
const (
	cursorAskTimeout = 5 * time.Second
	cursorAskTries   = 4
)

// pageCursor is a page's cursor state.
type pageCursor struct {
	mu   sync.Mutex
	hash uint64 // current image
	name string // last name reported
	x, y int    // last mouse position sent, guarded by Page.input
}

// onCursor runs on the capture goroutine when the cursor image changes.
func (p *Page) onCursor(hash uint64) {
	p.cursor.mu.Lock()
	p.cursor.hash = hash
	p.cursor.mu.Unlock()
	p.resolveCursor()
}

// resolveCursor reports the current cursor's name if it changed. When the
// image stands for several names, or for none the table knows (an image
// cursor, or a frame of an animated one), the page says what its element
// under the mouse asks for. So it does while the table is not calibrated:
// calibration takes seconds, longer on a busy machine, and a change must not
// wait for it (the names are checked again once it is done); nor may a
// failed calibration turn every cursor into "default".
func (p *Page) resolveCursor() {
	p.cursor.mu.Lock()
	hash := p.cursor.hash
	p.cursor.mu.Unlock()
	if hash == 0 {
		return
	}
	t := p.e.startedCursors()
	if t == nil {
		return
	}
	names, known := t.lookup(hash)
	if known && len(names) == 1 {
		p.reportCursor(hash, names[0])
		return
	}
	go p.askCursor(hash, names, t)
}

// askCursor names the image hash after the page's CSS under the mouse. A
// failed or timed-out ask is repeated while hash is still the current image
// (a busy renderer can take seconds to answer; a lost answer must not lose
// the change). While calibration runs, an answer that names no cursor
// leaves the image to calibration's end; after a failed calibration, the
// best guess is reported.
func (p *Page) askCursor(hash uint64, names []string, t *cursorTable) {
	css, err := p.cursorCSS(hash)
	if n, ok := t.lookup(hash); ok {
		names = n // calibration may have ended during the ask
	}
	_, calibrated := t.lookup(hash)
	final := calibrated || t.failed()
	if !final && (err != nil || !slices.Contains(cssCursors, css) && !strings.HasPrefix(css, "url(")) {
		return // nothing sure to go by: calibration's end resolves the image again
	}
	name := "custom"
	if len(names) > 0 {
		name = names[0]
	}
	if err == nil {
		switch {
		case slices.Contains(names, css), len(names) == 0 && slices.Contains(cssCursors, css):
			name = css
		case len(names) == 0 && strings.HasPrefix(css, "url("):
			name = "custom"
		case len(names) == 0 && !calibrated:
			// No table to tell images apart: Chromium shows an element
			// that asks for nothing it draws as the arrow.
			name = "default"
		}
	} else if !calibrated {
		return // no table and no answer: nothing to report
	}
	p.reportCursor(hash, name)
}

// cursorCSS asks the page for the CSS cursor under the mouse, up to
// cursorAskTries times while hash is the current image and the page is
// usable.
func (p *Page) cursorCSS(hash uint64) (string, error) {
	delay := 100 * time.Millisecond
	for try := 1; ; try++ {
		p.input.Lock()
		x, y := p.cursor.x, p.cursor.y
		p.input.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), cursorAskTimeout)
		raw, err := p.Eval(ctx, fmt.Sprintf(cursorUnderMouse, x, y))
		cancel()
		var css string
		if err == nil {
			err = json.Unmarshal(raw, &css)
		}
		if err == nil {
			return css, nil
		}
		if try == cursorAskTries || p.usable() != nil || !p.cursorIs(hash) {
			return "", err
		}
		p.e.log.Debug("asking the page for its cursor failed; asking again", "page", p.id, "err", err)
		time.Sleep(delay)
		delay = min(2*delay, time.Second)
	}
}

// cursorIs reports whether hash is the page's current cursor image.
func (p *Page) cursorIs(hash uint64) bool {
	p.cursor.mu.Lock()
	defer p.cursor.mu.Unlock()
	return p.cursor.hash == hash
}

// reportCursor emits name if hash is still the current image and the name
// changed.
func (p *Page) reportCursor(hash uint64, name string) {
	p.cursor.mu.Lock()
	defer p.cursor.mu.Unlock()
	if hash != p.cursor.hash || name == p.cursor.name {
		return
	}
	p.cursor.name = name
	p.e.log.Debug("cursor changed", "page", p.id, "cursor", name, "image", hash)
	p.events.emit(&CursorChanged{now(), name})
}

// Cursor returns the CSS name of the cursor over the page ("" until known).
func (p *Page) Cursor() string {
	p.cursor.mu.Lock()
	defer p.cursor.mu.Unlock()
	return p.cursor.name
}

package lkbrowser

import (
	"context"
	"fmt"
)

// Resize changes the page's size: the page is laid out again at w x h and
// the frames that follow are w x h, in new buffers. Frames of the old size
// that the caller still holds stay valid until released. The page can grow
// back up to PageOptions.MaxWidth x MaxHeight (default: its first size).
func (p *Page) Resize(ctx context.Context, w, h int) error {
	if err := p.usable(); err != nil {
		return err
	}
	if err := validateSize(w, h); err != nil {
		return err
	}
	if w > p.opts.MaxWidth || h > p.opts.MaxHeight {
		return invalidArg(ErrInvalidSize, "size", fmt.Sprintf("%dx%d", w, h),
			fmt.Sprintf("larger than the page's MaxWidth x MaxHeight (%dx%d)", p.opts.MaxWidth, p.opts.MaxHeight))
	}
	p.resizeMu.Lock()
	defer p.resizeMu.Unlock()
	if cw, ch := p.size(); cw == w && ch == h {
		return nil
	}
	if err := runBounded(ctx, p.brw.proc, func() error { return p.brw.fitViewport(w, h) }); err != nil {
		if uerr := p.usable(); uerr != nil {
			return uerr
		}
		return fmt.Errorf("lkbrowser: resize: %w", err)
	}
	if err := p.capture.resize(ctx, w, h); err != nil {
		return err
	}
	p.setSize(w, h)
	return nil
}

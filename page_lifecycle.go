package lkbrowser

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// causeGrace is how long watch waits, after the first sign of a dead
// process, for the display to be found dead too: Chromium exits and the
// capture connection drops when Xvfb dies, and the crash should name the
// display, not what followed from it.
const causeGrace = 300 * time.Millisecond

// watch reports the death of the browser or the display as a crash.
func (p *Page) watch() {
	defer close(p.watchDone)
	select {
	case <-p.brw.proc.Done():
	case <-p.brw.lost:
	case <-p.disp.proc.Done():
	case <-p.capture.done: // stopped by Close, or lost (onCaptureLost)
	}
	if p.closing.Load() {
		return
	}
	t := time.NewTimer(causeGrace)
	defer t.Stop()
	select {
	case <-p.disp.proc.Done():
	case <-t.C:
	}
	p.crash(p.crashCause())
}

// crashCause names the first cause of a page's death that it finds: the
// display, the browser, the capture connection, the DevTools connection.
func (p *Page) crashCause() string {
	select {
	case <-p.disp.proc.Done():
		return fmt.Sprintf("display %s (Xvfb) exited: %s", p.disp.name, exitText(p.disp.proc.ExitErr()))
	default:
	}
	select {
	case <-p.brw.proc.Done():
		return fmt.Sprintf("browser (Chromium, pid %d) exited: %s", p.brw.proc.Pid(), exitText(p.brw.proc.ExitErr()))
	default:
	}
	if err := p.captureErr.Load(); err != nil {
		return fmt.Sprintf("display %s connection lost: %v", p.disp.name, *err)
	}
	return "browser connection lost"
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// onCaptureLost keeps the capture loop's failure for watch, which reports
// it when the loop has ended.
func (p *Page) onCaptureLost(err error) {
	p.captureErr.CompareAndSwap(nil, &err)
}

// crash marks the page as unable to work and reports why, once.
func (p *Page) crash(reason string) {
	if p.closing.Load() {
		return
	}
	if p.fatal.CompareAndSwap(nil, &reason) {
		p.e.log.Warn("page crashed", "page", p.id, "reason", reason)
		p.events.emit(&Crashed{EventTime{time.Now()}, reason, false})
	}
}

// Close stops the page's capture, browser and display, removes its files and
// closes its channels (Frames first, then Events after a Closed event). It is
// idempotent and returns errors.Join of what failed. Frames still held by
// the caller stay valid until released.
func (p *Page) Close() error {
	p.closeOnce.Do(func() {
		p.closeErr = p.teardown()
		p.e.unregister(p)
		p.e.log.Info("page closed", "page", p.id, "err", p.closeErr)
	})
	return p.closeErr
}

// teardown releases everything NewPage acquired, in reverse order. It copes
// with a partly started page.
func (p *Page) teardown() error {
	p.closing.Store(true)
	p.render.stop() // no restart from now on
	var errs []error
	if p.capture != nil {
		p.capture.stop()
	}
	p.stopDevView() // dev mode's viewer window, if any (devmode.go)
	if p.brw != nil {
		if err := p.brw.close(); err != nil {
			errs = append(errs, fmt.Errorf("stop chromium: %w", err))
		}
		if p.watching {
			<-p.watchDone
		}
	}
	if p.egress != nil {
		if err := p.egress.Close(); err != nil {
			errs = append(errs, fmt.Errorf("stop egress proxy: %w", err))
		}
	}
	if p.audio != nil {
		if err := p.audio.stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop audio: %w", err))
		}
	}
	p.audioOut.end(nil, nil)
	if p.conn != nil {
		p.input.Lock() // SetFocus uses the connection under this lock
		if p.capture != nil {
			p.capture.pool.ret.disown() // frames released from now on only detach
		}
		err := p.conn.Close()
		p.popup.close()
		p.input.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("close capture: %w", err))
		}
	}
	if p.disp != nil {
		if err := p.disp.close(); err != nil {
			errs = append(errs, fmt.Errorf("stop Xvfb: %w", err))
		}
	}
	if p.dir != "" {
		if err := os.RemoveAll(p.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove page dir: %w", err))
		}
	}
	var last Event = &Closed{EventTime{time.Now()}}
	p.events.end(&last, nil)
	return errors.Join(errs...)
}

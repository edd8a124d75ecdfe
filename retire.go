package lkbrowser

import (
	"sync"

	"github.com/lkbrowser/lkbrowser/internal/xcap"
)

// retirer frees shared-memory buffers that receivers let go of, without
// touching the X connection from their goroutines.
//
// Rule (internal/xcap: one goroutine per Conn): while the connection is
// open, only its owner (the capture goroutine, then Page.teardown) frees a
// buffer on it, by calling drain. After disown, the connection is about to
// close and a retired buffer is only detached from this process (the X
// server lets go of every segment when the connection closes).
type retirer struct {
	mu      sync.Mutex
	pending []*xcap.Buffer
	scratch []*xcap.Buffer // drain's copy of pending; owner only
	gone    bool
	wakeFn  func() // wakes the owner; safe from any goroutine
}

func newRetirer(wake func()) *retirer { return &retirer{wakeFn: wake} }

// wake tells the owner goroutine that a buffer came back.
func (r *retirer) wake() {
	if r.wakeFn != nil {
		r.wakeFn()
	}
}

// retire hands b over to be freed; it is safe from any goroutine.
func (r *retirer) retire(b *xcap.Buffer) {
	r.mu.Lock()
	if r.gone {
		r.mu.Unlock()
		_ = b.Detach()
		return
	}
	r.pending = append(r.pending, b)
	r.mu.Unlock()
	r.wake()
}

// drain frees the retired buffers on the connection; owner only.
func (r *retirer) drain() {
	r.mu.Lock()
	r.pending, r.scratch = r.scratch[:0], r.pending
	r.mu.Unlock()
	for i, b := range r.scratch {
		_ = b.Free()
		r.scratch[i] = nil
	}
}

// disown frees what is pending and makes later retirements detach-only; the
// owner calls it just before it closes the connection.
func (r *retirer) disown() {
	r.mu.Lock()
	r.gone = true
	r.mu.Unlock()
	r.drain()
}

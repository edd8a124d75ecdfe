package lkbrowser

import (
	"sync"
	"sync/atomic"
)

// readerQueue is one reader's bounded channel and drop counter. Only the
// producer sends, under mu; close takes mu too, so a send never meets a
// closed channel and the channel is closed exactly once.
type readerQueue[T any] struct {
	mu      sync.Mutex
	ch      chan T
	closed  bool
	dropped atomic.Uint64
}

// offer delivers v without blocking. When the channel is full the oldest
// queued value is taken out and handed to replace (which drops it) and v
// is sent; without replace, v itself is dropped. Either way one drop is
// counted. It returns false if the queue was closed (v was not taken).
func (q *readerQueue[T]) offer(v T, replace func(old, v T)) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	for {
		select {
		case q.ch <- v:
			return true
		default:
		}
		if replace == nil {
			q.dropped.Add(1)
			return true // v is dropped
		}
		select {
		case old := <-q.ch:
			q.dropped.Add(1)
			replace(old, v)
		default: // the reader took it meanwhile
		}
	}
}

// close drains the queue, passing what it held to discard, and closes the
// channel; later calls do nothing.
func (q *readerQueue[T]) close(last *T, discard func(T)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed = true
	if last != nil { // the final value makes room for itself
		for {
			select {
			case q.ch <- *last:
				close(q.ch)
				return
			default:
			}
			select {
			case <-q.ch:
				q.dropped.Add(1)
			default:
			}
		}
	}
	for {
		select {
		case v := <-q.ch:
			if discard != nil {
				discard(v)
			}
		default:
			close(q.ch)
			return
		}
	}
}

// fanout is the set of a stream's readers. The producer reads the set
// without a lock (copy on write); subscribing and closing are rare.
type fanout[T any] struct {
	mu      sync.Mutex
	readers atomic.Pointer[[]*readerQueue[T]]
	ended   bool
	size    int // each reader's queue
}

// subscribe adds a reader with a queue of f.size. After end the reader's
// channel is already closed.
func (f *fanout[T]) subscribe() *readerQueue[T] {
	q := &readerQueue[T]{ch: make(chan T, f.size)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended {
		q.closed = true
		close(q.ch)
		return q
	}
	old := f.list()
	list := make([]*readerQueue[T], len(old), len(old)+1)
	copy(list, old)
	list = append(list, q)
	f.readers.Store(&list)
	return q
}

// list returns the current readers; the slice must not be modified.
func (f *fanout[T]) list() []*readerQueue[T] {
	if l := f.readers.Load(); l != nil {
		return *l
	}
	return nil
}

// unsubscribe removes q and closes it.
func (f *fanout[T]) unsubscribe(q *readerQueue[T], discard func(T)) {
	f.mu.Lock()
	old := f.list()
	list := make([]*readerQueue[T], 0, len(old))
	for _, r := range old {
		if r != q {
			list = append(list, r)
		}
	}
	if len(list) != len(old) {
		f.readers.Store(&list)
	}
	f.mu.Unlock()
	q.close(nil, discard)
}

// end closes every reader (sending last first, if not nil) and refuses new
// ones; only the first call counts.
func (f *fanout[T]) end(last *T, discard func(T)) {
	f.mu.Lock()
	if f.ended {
		f.mu.Unlock()
		return
	}
	f.ended = true
	list := f.list()
	f.readers.Store(nil)
	f.mu.Unlock()
	for _, q := range list {
		q.close(last, discard)
	}
}

package lkbrowser

// Queue sizes of a page's readers.
const (
	// frameQueueSize: a video reader holds at most one waiting frame; the
	// newest replaces it.
	frameQueueSize = 1
	// eventQueueSize bounds each events reader.
	eventQueueSize = 256
	// audioQueueSize bounds each audio reader: about one second.
	audioQueueSize = 100
)

// FrameSubscription is one reader of a page's frames, made by
// Page.SubscribeFrames. It has its own queue of one frame: when the reader
// is slow the newest frame replaces the waiting one, whose dirty rectangles
// carry over, and Dropped counts the replaced frames. Other readers of the
// same page are not affected by how fast this one reads.
type FrameSubscription struct {
	q   *readerQueue[*Frame]
	hub *fanout[*Frame]
}

// C returns the frames. Every frame received must be released. The channel
// is closed by Close or when the page closes.
func (s *FrameSubscription) C() <-chan *Frame { return s.q.ch }

// Dropped returns how many frames this reader did not take in time.
func (s *FrameSubscription) Dropped() uint64 { return s.q.dropped.Load() }

// Close ends the subscription: the waiting frame, if any, is released and
// C is closed. Frames already received stay valid until released. It is
// idempotent and safe from any goroutine.
func (s *FrameSubscription) Close() { s.hub.unsubscribe(s.q, (*Frame).Release) }

// replaceFrame is the newest-frame policy: old, not taken, gives way to f,
// which inherits its dirty rectangles and drop count.
func replaceFrame(old, f *Frame) {
	f.Dropped += old.Dropped + 1
	for _, r := range old.Dirty {
		f.addDirty(r)
	}
	old.Release()
}

// SubscribeFrames adds a reader of the page's frames: from now on every
// frame the page captures is also lent to it, as its own *Frame handle over
// the shared buffer. Frames captured before do not reach it (a still page
// sends nothing): use Snapshot for the picture of now. A subscription made
// after Close has a closed channel. Close the subscription when done: an
// unread one holds a buffer of the page's pool.
func (p *Page) SubscribeFrames() *FrameSubscription {
	s := &FrameSubscription{q: p.capture.readers.subscribe(), hub: &p.capture.readers}
	p.capture.conn.Wake() // the capture loop may idle while nobody reads
	return s
}

// AudioSubscription is one reader of a page's sound, made by
// Page.SubscribeAudio, with its own queue of about a second: when the
// reader falls further behind the oldest frames are dropped and counted.
type AudioSubscription struct {
	q   *readerQueue[*AudioFrame]
	hub *fanout[*AudioFrame]
}

// C returns the audio frames. It is closed by Close or when the page
// closes.
func (s *AudioSubscription) C() <-chan *AudioFrame { return s.q.ch }

// Dropped returns how many audio frames this reader lost by falling
// behind.
func (s *AudioSubscription) Dropped() uint64 { return s.q.dropped.Load() }

// Close ends the subscription and closes C; it is idempotent.
func (s *AudioSubscription) Close() { s.hub.unsubscribe(s.q, nil) }

// dropOldestAudio makes room for f by dropping the oldest queued frame.
func dropOldestAudio(_, f *AudioFrame) { f.Dropped++ }

// SubscribeAudio adds a reader of the page's sound from now on. With
// Options.NoAudio it delivers nothing and is closed when the page closes.
func (p *Page) SubscribeAudio() *AudioSubscription {
	return &AudioSubscription{q: p.audioOut.subscribe(), hub: &p.audioOut}
}

// EventSubscription is one reader of a page's events, made by
// Page.SubscribeEvents, with its own queue of 256 events: when it is full
// new events are dropped for this reader and counted. The last event is
// always Closed (unless the subscription was closed first), then C closes.
type EventSubscription struct {
	q   *readerQueue[Event]
	hub *fanout[Event]
}

// C returns the events.
func (s *EventSubscription) C() <-chan Event { return s.q.ch }

// Dropped returns how many events this reader lost because its queue was
// full.
func (s *EventSubscription) Dropped() uint64 { return s.q.dropped.Load() }

// Close ends the subscription and closes C; it is idempotent.
func (s *EventSubscription) Close() { s.hub.unsubscribe(s.q, nil) }

// SubscribeEvents adds a reader of the page's events from now on.
func (p *Page) SubscribeEvents() *EventSubscription {
	return &EventSubscription{q: p.events.subscribe(), hub: &p.events}
}

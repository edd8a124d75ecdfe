package lkbrowser

import "time"

// Event is something that happened to a page: *URLChanged, *TitleChanged,
// *LoadFinished, *LoadFailed, *CursorChanged, *Message, *PopupRequested,
// *AudioStreamStarted, *AudioStreamStopped, *AudioFailed, *Crashed,
// *Restarted, *EgressRefused, and last *Closed. Use a type switch.
type Event interface {
	// Time is when lkbrowser observed the event.
	Time() time.Time
}

// EventTime carries the time of an event; it is embedded in every event.
type EventTime struct{ At time.Time }

// Time returns when lkbrowser observed the event.
func (e EventTime) Time() time.Time { return e.At }

// URLChanged reports a new address in the main frame (navigation, history
// change, fragment change), like CEF's OnAddressChange. For a page that failed
// to load it carries the URL that failed, not Chromium's error page.
type URLChanged struct {
	EventTime
	URL string
}

// TitleChanged reports a new document title.
type TitleChanged struct {
	EventTime
	Title string
}

// LoadFinished reports that the main frame's load event fired.
type LoadFinished struct {
	EventTime
	URL string
}

// LoadFailed reports that the main frame failed to load, e.g. with
// net::ERR_CONNECTION_REFUSED. The page stays usable.
type LoadFailed struct {
	EventTime
	URL   string
	Error string
}

// Crashed reports that the page can no longer render: its renderer crashed,
// or its browser or display process died. Reason says which (a dead display
// is named, e.g. "display :12 (Xvfb) exited: signal: killed"). Control calls
// then return ErrCrashed; Close still cleans up.
//
// A renderer crash is Recoverable: Navigate and Reload bring the page back
// (until then other calls return ErrCrashed), and with PageOptions.Restart
// the page does so by itself, reporting Restarted instead of Crashed until
// its restarts are used up. A dead browser or display is final: close the
// page and open a new one.
type Crashed struct {
	EventTime
	Reason string
	// Recoverable is true for a renderer crash, which Navigate or Reload
	// can recover from, and false when the page's browser or display died.
	Recoverable bool
}

// Restarted reports that the page's renderer crashed and that the page,
// following PageOptions.Restart, loaded its last address again: the page
// works again from this event on.
type Restarted struct {
	EventTime
	// Attempt counts the restarts within RestartPolicy.Window, from 1.
	Attempt int
	// URL is the address loaded again.
	URL string
	// Reason is why the page had to restart, e.g. "renderer crashed".
	Reason string
}

// Message carries a string that page JavaScript sent to Go with
// window.lkbrowser.send(data) (the counterpart of CEF's message router).
// Non-string data arrives as JSON; messages over MaxMessageSize are dropped.
type Message struct {
	EventTime
	Data string
}

// MaxMessageSize is the largest Message delivered, in bytes.
const MaxMessageSize = 1 << 20

// Closed is the last event of a page, sent when Close has finished; the
// Events channel is closed right after it.
type Closed struct {
	EventTime
}

// emit hands ev to every events reader without ever blocking: a reader
// whose queue is full loses ev, counted in its Dropped.
func (f *fanout[T]) emit(ev T) {
	for _, q := range f.list() {
		q.offer(ev, nil)
	}
}

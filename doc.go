// Package lkbrowser renders real web pages off-screen and hands them to Go as
// raw BGRA frames with dirty rectangles, plus page events, the way CEF's
// off-screen rendering does, using Debian's Chromium on a private Xvfb
// display instead of CEF.
//
// # Lifecycle
//
// NewEngine finds Chromium and Xvfb (see ResolveChromium) and makes a private
// runtime directory; it starts no process. Engine.NewPage starts one Xvfb
// display and one Chromium for the page, so a crashed or hung page never
// disturbs another. That cold start takes about two seconds, most of it
// Chromium's own; with Options.WarmPages the engine keeps pages started
// ahead on about:blank, and a NewPage whose options match takes one and
// only navigates it. Page.Close stops them and removes the page's files;
// Engine.Close closes every page and removes the runtime directory. Both
// Close methods are idempotent and return errors.Join of what failed. A
// context.Context bounds each start-up and each blocking call; it does not
// bound the life of the page. If the host process dies, even by SIGKILL, its
// Xvfb, Chromium and PulseAudio processes die with it within about half a
// second, and the next NewEngine with the same TempDir removes the dead
// engine's runtime directory.
//
// # Frames
//
// Page.Frames delivers *Frame values: the whole page image (BGRX, 4 bytes a
// pixel) in a pooled shared-memory buffer, the rectangles that changed since
// the previous frame, a timestamp on the engine's monotonic clock, a sequence
// number and a count of frames dropped before it. Frames are captured when
// the screen changes, at most Page.FrameRate per second; a static page sends
// nothing. The channel holds one frame and the newest frame wins: capture
// never waits for a slow receiver. Page.Snapshot returns the current picture
// on demand.
//
// # Many readers
//
// A page can be read by several readers at once: the program, a webm.Recorder
// and an lksession, say. Each calls Page.SubscribeFrames, SubscribeAudio or
// SubscribeEvents and gets a subscription with its own bounded queue and
// its own drop counter (Dropped): for frames the newest frame wins per
// reader, and the dirty rectangles of the frames a reader skipped carry
// over into the one it gets; audio keeps about a second per reader and
// drops the oldest; events keep 256 per reader and drop the newest. No
// reader ever blocks the page or another reader. Frames, Audio and Events
// are the page's default subscriptions, made when the page opens (so they
// see its first frames and events); Page.Stats reports their drops. A
// subscription receives what the page produces after it was made (use
// Snapshot for the picture of now), until its Close or the page's Close,
// which close its channel.
//
// # Ownership
//
// A received Frame belongs to its reader until it calls Frame.Release.
// Readers share the frame's buffer, not a copy: every reader gets its own
// *Frame handle (its own Dirty, Dropped and Release) over the same Pix,
// which all treat as read-only. The buffer goes back to the page's pool
// (4 buffers) when the last reader released its handle, and is then
// reused, so a frame must not be touched after Release. When every buffer
// is held, capture pauses until one is released; an unread subscription
// holds at most one buffer (its waiting frame), so close subscriptions you
// no longer read. Closing a subscription releases its waiting frame; frames
// already received, and frames held when the page closes, stay valid until
// released.
//
// Every delivery is a fresh *Frame handle: Release may be called from any
// goroutine, also while the page resizes or closes, and a second Release
// of the same handle (or of a copy of it) does nothing, even after the
// buffer was lent to other readers. Release never touches the X
// connection: buffers that are not kept for reuse are freed by the capture
// goroutine, or only detached from the process once the page is closing.
//
// # Audio
//
// The engine runs one private PulseAudio server (started with the first page,
// again if it dies); each page plays into a null sink of its own, so pages
// never hear each other. Page.Audio delivers *AudioFrame values: 10 ms of
// interleaved 16-bit stereo PCM at 48 kHz with a PTS on the same clock as
// Frame.PTS, corrected for the measured pipeline delay so that a sound and
// the picture drawn at the same instant carry PTSs within about 40 ms. The
// channel holds about a second; the oldest frames are dropped beyond that.
// Each reader gets its own *AudioFrame, which is the reader's; its PCM is
// shared with the other readers and read-only. Options.NoAudio turns sound
// off.
//
// # Recording
//
// Package webm records a page to WebM (VP8 through libvpx, Opus through
// media-sdk) and package lksession publishes it into a LiveKit room; both
// read the page through subscriptions of their own, so the program can
// record, publish and read the page at the same time. This package links
// neither: a program that only reads frames needs no codec.
//
// # Events and errors
//
// Page.Events carries URLChanged, TitleChanged, LoadFinished, LoadFailed,
// CursorChanged, Message, PopupRequested, AudioStreamStarted,
// AudioStreamStopped, AudioFailed, Restarted, Crashed, EgressRefused and,
// last, Closed; it drops (and counts) events rather than block.
// A page whose browser or display dies reports Crashed and its control calls
// return ErrCrashed; the host process is never taken down. A crashed
// renderer is recoverable (Crashed.Recoverable): Navigate or Reload brings
// the tab back, and PageOptions.Restart does so by itself, with a limit and
// back-off, reporting Restarted. Calls after Close
// return ErrClosed. Refused arguments return *InvalidArgumentError matching
// ErrInvalidURL, ErrInvalidSize or ErrInvalidFrameRate.
//
// # Network egress
//
// By default a page reaches whatever Chromium can reach, as a local
// developer expects (localhost included), with no cost. A page driven by
// strangers or a model should not reach what the operator protects: give
// the engine (Options.Egress) or the page (PageOptions.Egress) an
// EgressPolicy, e.g. BlockPrivate. Such a page's every connection goes
// through a filtering proxy of its own that decides on the address it
// resolved and actually connects to; refusals fail like network errors in
// the page and arrive as EgressRefused events. The CLI's publish and
// worker commands turn BlockPrivate on by default.
//
// # Concurrency
//
// Engine and Page methods are safe for concurrent use. The library never
// panics on bad input, never prints and never exits: it logs through the
// *slog.Logger given in Options.
package lkbrowser

// Package webm records an lkbrowser page to a WebM file or stream: VP8
// video through libvpx (the same page-to-VP8 pipeline as package lksession)
// and Opus sound (48 kHz stereo, 20 ms packets) through media-sdk.
//
//	rec, err := webm.RecordFile(page, "out.webm", webm.Options{})
//	...
//	err = rec.Stop() // finalises the file: seek index and duration
//
// # Lifecycle
//
// NewRecorder (any io.WriteCloser) and RecordFile start recording at once,
// with the page as it is now as the first picture, and run until Stop, the
// page's close, or a failed write; Done tells when. Stop is idempotent, safe
// for concurrent use, finalises the stream, closes the writer and returns
// the first error met.
//
// # Concurrency and ownership
//
// A Recorder reads the page through subscriptions of its own
// (Page.SubscribeFrames, SubscribeAudio), so the program, a LiveKit session
// and other recorders keep reading the same page, each with its own queue
// and drops (Progress.FramesDropped counts the recorder's). Each frame is
// converted and released at once; the recorder keeps no frame. The page
// stays the caller's: close it after Stop (closing it first ends the
// recording, which is still finalised). Stats and Done are safe for
// concurrent use; Options.Progress is called from the recorder's goroutine
// and must return quickly.
package webm

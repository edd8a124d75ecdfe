package webm

import (
	"log/slog"
	"time"
)

// Options tunes a Recorder. The zero value records video and sound
// at the default bitrates.
type Options struct {
	// VideoBitrate is the VP8 target bitrate in kbit/s, 100..50000.
	// Default lkbrowser.DefaultVideoBitrate of the page's size.
	VideoBitrate int
	// AudioBitrate is the Opus bitrate in kbit/s, 16..510. Default 96.
	AudioBitrate int
	// NoAudio records video only and leaves Page.Audio to the caller. A page
	// of an engine with Options.NoAudio is recorded without sound anyway.
	NoAudio bool
	// Progress, when set, is called about once a second from the
	// recorder's goroutine (so it must return quickly) and once more when
	// the recording ends.
	Progress func(Progress)
	// Logger receives the recorder's logs (start, resize, stop, muxer
	// warnings); they are discarded when nil.
	Logger *slog.Logger
}

// Progress tells how far a recording is.
type Progress struct {
	// Elapsed is the time recorded so far: since the recording started
	// while it runs, the length of the file once it stopped.
	Elapsed time.Duration
	// Frames is the number of video frames written, including the repeats
	// of a still picture (two a second).
	Frames uint64
	// AudioPackets is the number of 20 ms Opus packets written.
	AudioPackets uint64
	// Bytes is the number of bytes written to the output.
	Bytes int64
	// FramesDropped is the number of the page's frames the recorder's own
	// reader did not take in time (each reader of a page has its own
	// count; the newest frame replaced them).
	FramesDropped uint64
}

// Package chromium fetches and finds Chromium builds for lkbrowser: Download
// installs a Chrome-for-Testing archive into a cache directory (checksummed,
// atomic, safe against concurrent downloads), and Downloaded finds the
// newest build installed there, which lkbrowser.ResolveChromium uses when no
// system Chromium is given.
//
// Errors are typed: DownloadError (network and HTTP), OptionError (a bad
// Options field), UnsafeArchivePathError (an archive entry escaping the
// install directory), and the sentinels ErrChecksumMismatch,
// ErrCorruptArchive and ErrIncompleteDownload, all usable with errors.Is
// and errors.As. Every function is safe for concurrent use; nothing is kept
// between calls but the files in the cache directory.
package chromium

package chromium

import (
	"errors"
	"fmt"
)

// ErrChecksumMismatch is returned (wrapped, with the expected and actual
// digests in the message) when Options.SHA256 is set and the archive
// does not match it. Nothing is installed in that case.
var ErrChecksumMismatch = errors.New("chromium: archive checksum mismatch")

// ErrCorruptArchive is returned (wrapped) when the downloaded archive is not a
// zip file, is truncated or damaged, or contains unsafe entries such as paths
// escaping the install directory (see UnsafeArchivePathError).
var ErrCorruptArchive = errors.New("chromium: corrupt archive")

// ErrIncompleteDownload is returned (wrapped in a *DownloadError) when the
// server announced a Content-Length but the connection ended before that many
// bytes arrived. It is deliberately distinct from ErrCorruptArchive: the
// archive itself may be fine and retrying the download is reasonable.
var ErrIncompleteDownload = errors.New("incomplete download")

// DownloadError reports a failure to fetch the archive over HTTP. StatusCode
// is set when the server answered with a status other than 200 OK; it is 0
// for transport errors and incomplete bodies (Err then wraps
// ErrIncompleteDownload). When the download is aborted by the context, Err
// wraps ctx.Err().
type DownloadError struct {
	URL        string
	StatusCode int
	Err        error
}

// Error implements error; the message contains the URL and the HTTP status.
func (e *DownloadError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("chromium: download %s: HTTP %d: %v", e.URL, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("chromium: download %s: %v", e.URL, e.Err)
}

// Unwrap returns the underlying error.
func (e *DownloadError) Unwrap() error { return e.Err }

// OptionError reports an invalid field of Options.
type OptionError struct {
	Field  string // name of the Options field, e.g. "Version"
	Value  string // offending value
	Reason string // human readable explanation
}

// Error implements error.
func (e *OptionError) Error() string {
	return fmt.Sprintf("chromium: invalid chromium.Options.%s %q: %s", e.Field, e.Value, e.Reason)
}

// UnsafeArchivePathError reports an archive entry that would be written, or a
// symbolic link that would point, outside the install directory ("zip slip").
// It matches ErrCorruptArchive with errors.Is.
type UnsafeArchivePathError struct {
	Name   string // entry name inside the archive
	Target string // symlink target, empty for regular entries
}

// Error implements error.
func (e *UnsafeArchivePathError) Error() string {
	if e.Target != "" {
		return fmt.Sprintf("%v: symlink %q -> %q escapes the install directory", ErrCorruptArchive, e.Name, e.Target)
	}
	return fmt.Sprintf("%v: entry %q escapes the install directory", ErrCorruptArchive, e.Name)
}

// Unwrap returns ErrCorruptArchive.
func (e *UnsafeArchivePathError) Unwrap() error { return ErrCorruptArchive }

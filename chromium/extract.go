package chromium

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// extractZip extracts the zip archive r (size bytes) into the directory dst.
// All writes go through os.Root, so even a symlink planted by an earlier
// entry cannot redirect a write outside dst.
func extractZip(ctx context.Context, r io.ReaderAt, size int64, dst string) error {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil || !bytes.Equal(magic[:2], []byte("PK")) {
		what := "not a zip archive"
		if magic[0] == 0x1f && magic[1] == 0x8b {
			what = "got a gzip/tar.gz file, only zip archives are supported"
		}
		return fmt.Errorf("%w: %s", ErrCorruptArchive, what)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // insecure names are checked below
		return fmt.Errorf("%w: %w", ErrCorruptArchive, err)
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return fmt.Errorf("chromium: %w", err)
	}
	defer root.Close()
	var links []string
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("chromium: extract: %w", err)
		}
		name := strings.TrimSuffix(f.Name, "/")
		// Backslashes are rejected too: they are separators on Windows.
		if !filepath.IsLocal(name) || strings.Contains(name, `\`) {
			return &UnsafeArchivePathError{Name: f.Name}
		}
		if name == markerFile {
			continue // never let the archive fake completeness
		}
		mode := f.Mode()
		if mode.IsDir() {
			if err := root.MkdirAll(name, 0o755); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
			}
			continue
		}
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
			}
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			target, err := readLink(f, 4096)
			if err != nil {
				return err
			}
			t := string(target)
			if t == "" || filepath.IsAbs(t) || strings.Contains(t, `\`) || !filepath.IsLocal(path.Join(path.Dir(name), t)) {
				return &UnsafeArchivePathError{Name: f.Name, Target: t}
			}
			if err := root.Symlink(t, name); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
			}
			links = append(links, name)
		case mode.IsRegular():
			if err := writeEntry(root, f, name); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: %s: unsupported entry type %v", ErrCorruptArchive, f.Name, mode.Type())
		}
	}
	// A lexically local target can still escape through another link (e.g.
	// "x" -> "." and "y" -> "x/.."), so resolve every link inside the root
	// once all entries exist. Dangling links that stay inside are tolerated.
	for _, name := range links {
		if _, err := root.Stat(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t, _ := root.Readlink(name)
			return &UnsafeArchivePathError{Name: name, Target: t}
		}
	}
	return nil
}

// writeEntry extracts the regular file f to name, preserving its permission
// bits (minus setuid/setgid/sticky, and subject to the umask).
func writeEntry(root *os.Root, f *zip.File, name string) error {
	perm := f.Mode().Perm()
	if perm == 0 { // archives made without Unix attributes
		perm = 0o644
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	defer rc.Close()
	// O_EXCL: a duplicate entry or a pre-planted symlink is an error rather
	// than something to write through.
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	// archive/zip checks the declared size and CRC-32 while reading.
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("chromium: %w", err)
	}
	return nil
}

func readLink(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errors.New("symlink target too long")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, f.Name, err)
	}
	return b, nil
}

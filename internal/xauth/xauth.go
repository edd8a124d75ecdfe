package xauth

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// FamilyWild is the Xauthority address family that matches any host.
const FamilyWild = 0xffff

// NewCookie returns a fresh 16-byte MIT-MAGIC-COOKIE-1 from crypto/rand.
func NewCookie() ([]byte, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("xauth: new cookie: %w", err)
	}
	return b, nil
}

// WriteAuthority writes an Xauthority file (for Xvfb -auth, or XAUTHORITY)
// holding one MIT-MAGIC-COOKIE-1 entry of family FamilyWild with an empty
// address, for display number number ("" = any display), with mode 0600.
// The file is replaced atomically.
func WriteAuthority(path string, number string, cookie []byte) error {
	if len(cookie) == 0 {
		return errors.New("xauth: write authority: empty cookie")
	}
	for _, r := range number {
		if r < '0' || r > '9' {
			return fmt.Errorf("xauth: write authority: bad display number %q", number)
		}
	}
	var buf []byte
	buf = binary.BigEndian.AppendUint16(buf, FamilyWild)
	for _, field := range [][]byte{nil, []byte(number), []byte("MIT-MAGIC-COOKIE-1"), cookie} {
		if len(field) > math.MaxUint16 {
			return errors.New("xauth: write authority: field too long")
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(field)))
		buf = append(buf, field...)
	}

	// CreateTemp makes the file with mode 0600.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("xauth: write authority: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(buf)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("xauth: write authority: %w", err)
	}
	return nil
}

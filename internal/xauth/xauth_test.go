package xauth

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteAuthority(t *testing.T) {
	cookie, err := NewCookie()
	if err != nil {
		t.Fatal(err)
	}
	if len(cookie) != 16 {
		t.Fatalf("cookie length %d", len(cookie))
	}
	if other, _ := NewCookie(); bytes.Equal(other, cookie) {
		t.Fatal("two cookies are equal")
	}
	path := filepath.Join(t.TempDir(), "auth")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAuthority(path, "7", cookie); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xff, 0xff, 0, 0, 0, 1, '7', 0, 18}
	want = append(want, "MIT-MAGIC-COOKIE-1"...)
	want = append(want, 0, 16)
	want = append(want, cookie...)
	if !bytes.Equal(got, want) {
		t.Fatalf("file = %x\nwant   %x", got, want)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary file left behind: %v", ents)
	}

	if err := WriteAuthority(path, ":7", cookie); err == nil {
		t.Error("accepted display number \":7\"")
	}
	if err := WriteAuthority(path, "", nil); err == nil {
		t.Error("accepted empty cookie")
	}

	// Cross-check with xauth(1) if installed.
	if err := WriteAuthority(path, "", cookie); err != nil {
		t.Fatal(err)
	}
	xauth, err := exec.LookPath("xauth")
	if err != nil {
		t.Skip("xauth not installed")
	}
	out, err := exec.Command(xauth, "-f", path, "list").CombinedOutput()
	if err != nil {
		t.Fatalf("xauth list: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "MIT-MAGIC-COOKIE-1") ||
		!strings.Contains(string(out), hex.EncodeToString(cookie)) {
		t.Errorf("xauth list = %q", out)
	}
	t.Logf("xauth list: %s", strings.TrimSpace(string(out)))
}

package lkbrowser

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// withXDir points the display locks at a directory of the test's own.
func withXDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".X11-unix"), 0o1777); err != nil {
		t.Fatal(err)
	}
	old := xDir
	xDir = dir
	t.Cleanup(func() { xDir = old })
	return dir
}

func TestDisplayLockSkipsNumbersInUse(t *testing.T) {
	dir := withXDir(t)
	// A foreign lock file on the first number, a foreign socket without a
	// lock file on the second.
	if err := os.WriteFile(filepath.Join(dir, ".X100-lock"), []byte("         1\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, ".X11-unix", "X101"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l, err := lockDisplayNumber(displayBase)
	if err != nil {
		t.Fatal(err)
	}
	if l.num != 102 {
		t.Fatalf("took :%d, want :102 (100 locked, 101 has a socket)", l.num)
	}
	b, err := os.ReadFile(filepath.Join(dir, ".X102-lock"))
	if err != nil {
		t.Fatal(err)
	}
	// The X servers' format: the owner's pid in 10 columns and a newline.
	if want := strings.Repeat(" ", 10-len(strconv.Itoa(os.Getpid()))) + strconv.Itoa(os.Getpid()) + "\n"; string(b) != want {
		t.Errorf("lock file holds %q, want %q", b, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, ".X102-lock")); err != nil || fi.Mode().Perm() != 0o444 {
		t.Errorf("lock file mode %v, %v; want 0444", fi.Mode().Perm(), err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".X100-lock")); string(b) != "         1\n" {
		t.Errorf("the foreign lock file changed: %q", b)
	}
	// The next caller gets the next number; release gives it back.
	l2, err := lockDisplayNumber(displayBase)
	if err != nil || l2.num != 103 {
		t.Fatalf("second lock: %v, %v; want :103", l2, err)
	}
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	l3, err := lockDisplayNumber(displayBase)
	if err != nil || l3.num != 102 {
		t.Fatalf("after release: %v, %v; want :102 again", l3, err)
	}
	l2.release()
	l3.release()
	left, _ := filepath.Glob(filepath.Join(dir, ".*lock*"))
	if len(left) != 1 {
		t.Errorf("files left: %v, want only the foreign lock", left)
	}
}

func TestDisplayLockConcurrent(t *testing.T) {
	withXDir(t)
	const n = 32
	nums := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			l, err := lockDisplayNumber(displayBase)
			if err != nil {
				t.Error(err)
				return
			}
			nums[i] = l.num
		})
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, v := range nums {
		if seen[v] {
			t.Fatalf("display :%d handed out twice: %v", v, nums)
		}
		seen[v] = true
	}
}

func TestDisplayBusy(t *testing.T) {
	out := "_XSERVTransSocketUNIXCreateListener: ...SocketCreateListener() failed\n" +
		"_XSERVTransMakeAllCOTSServerListeners: server already running\n(EE) \nFatal server error:\n" +
		"(EE) Cannot establish any listening sockets - Make sure an X server isn't already running(EE) \n"
	if !displayBusy(out) {
		t.Error("Xvfb's message for a display in use not recognised")
	}
	if displayBusy("(EE) Fatal server error:\n(EE) no screens found(EE)") {
		t.Error("another start-up failure taken for a display in use")
	}
}

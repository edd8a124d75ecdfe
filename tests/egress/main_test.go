// Package egress tests lkbrowser's egress policy end to end: real
// Chromium pages from an allowed host try to reach forbidden servers by
// every way a page reaches the network, under every spelling of their
// addresses. The test binary runs inside a private network namespace of
// its own (internal/testing/netns); every forbidden target is an address
// of a dummy interface inside it, with servers that record every
// connection, so a request that slipped through never leaves the machine
// and the test sees it.
package egress

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/proc"
	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
)

// Addresses of the namespace's interface d0: forbidden ones, and one
// that stands for a public server (BlockPrivate allows it).
const (
	addrPrivate  = "10.203.0.1"
	addrCGNAT    = "100.64.0.1"
	addrMetadata = "169.254.169.254"
	addrULA      = "fd00::1"
	addrPublic   = "93.184.216.34"
)

var (
	engine  *lkbrowser.Engine // BlockPrivate, allowing only the page server
	openEng *lkbrowser.Engine // no policy: the control that shows the servers can be reached
	pages   *pageServer       // the allowed test pages on 127.0.0.1
	targets []*target         // the forbidden servers, and the public one
	public  *target
	testLog *slog.Logger
	tmpDir  string
)

// names is the test's DNS: names that resolve to forbidden addresses (as
// a rebinding attacker's name would), and one public name.
var names = map[string][]netip.Addr{
	"rebind.test":   {netip.MustParseAddr(addrPrivate)},
	"cgnat.test":    {netip.MustParseAddr(addrCGNAT)},
	"metadata.test": {netip.MustParseAddr(addrMetadata)},
	"ula.test":      {netip.MustParseAddr(addrULA)},
	"loop.test":     {netip.MustParseAddr("127.0.0.1")},
	"mixed.test":    {netip.MustParseAddr(addrPrivate), netip.MustParseAddr("127.0.0.1")},
	"public.test":   {netip.MustParseAddr(addrPublic)},
}

// testResolver answers from names, and for other names (localhost) from
// the system's resolver, which inside the namespace has no DNS server.
type testResolver struct{}

func (testResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, ok := names[strings.ToLower(host)]; ok {
		return a, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

func TestMain(m *testing.M) {
	netns.Main(func() int { return run(m) })
}

func run(m *testing.M) int {
	level := slog.LevelWarn
	if os.Getenv("LKBROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	testLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := dummyInterface(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var err error
	if tmpDir, err = os.MkdirTemp("", "lkbrowser-egress-tests-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmpDir)
	for _, a := range []string{"127.0.0.1", "::1", addrPrivate, addrCGNAT, addrMetadata, addrULA, addrPublic} {
		t, err := startTarget(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer t.close()
		if a == addrPublic {
			public = t
		} else {
			targets = append(targets, t)
		}
	}
	if pages, err = startPageServer(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pages.close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	engine, err = lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: testLog, NoAudio: true,
		TempDir: mkdir("engine"), CacheDir: filepath.Join(tmpDir, "cache"),
		Egress: &lkbrowser.EgressPolicy{BlockPrivate: true, Allow: []string{pages.hostPort}, Resolver: testResolver{}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	openEng, err = lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: testLog, NoAudio: true,
		TempDir: mkdir("open"), CacheDir: filepath.Join(tmpDir, "cache")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 1
	}
	code := m.Run()
	for _, e := range []*lkbrowser.Engine{engine, openEng} {
		if err := e.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "engine close:", err)
			code = 1
		}
	}
	if kids := proc.Children(os.Getpid()); len(kids) > 0 {
		fmt.Fprintln(os.Stderr, "leaked child processes:", kids)
		code = 1
	}
	pages.close()
	for _, t := range append(targets, public) {
		t.close()
	}
	if err := goleak.Find(goleak.IgnoreCurrent()); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
		code = 1
	}
	return code
}

// mkdir makes a directory under tmpDir.
func mkdir(name string) string {
	d := filepath.Join(tmpDir, name)
	if err := os.Mkdir(d, 0o700); err != nil {
		panic(err)
	}
	return d
}

// dummyInterface makes d0 (one end of a veth pair d0/d1 inside the
// namespace) with the forbidden addresses and the public one.
func dummyInterface() error {
	if !netns.Inside() {
		return fmt.Errorf("not inside the test's network namespace")
	}
	steps := [][]string{
		// This kernel may lack the dummy driver; a veth pair (which netns
		// itself uses) holds addresses the same way.
		{"link", "add", "d0", "type", "veth", "peer", "name", "d1"},
		{"addr", "add", addrPrivate + "/32", "dev", "d0"},
		{"addr", "add", addrCGNAT + "/32", "dev", "d0"},
		{"addr", "add", addrMetadata + "/32", "dev", "d0"},
		{"addr", "add", addrPublic + "/32", "dev", "d0"},
		{"-6", "addr", "add", addrULA + "/128", "dev", "d0", "nodad"},
		{"link", "set", "d0", "up"},
		{"link", "set", "d1", "up"},
	}
	for _, args := range steps {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// waitHTTP waits until url answers, for at most d.
func waitHTTP(url string, d time.Duration) error {
	c := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: time.Second}
	deadline := time.Now().Add(d)
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			c.CloseIdleConnections()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package netns

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	inside, code, err := Enter()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(code)
	}
	if !inside {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestInside(t *testing.T) {
	if !Inside() {
		t.Fatal("Inside() = false in the namespaced test binary")
	}
}

func TestOnlyPrivateInterfaces(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
		if i.Flags&net.FlagUp == 0 {
			t.Errorf("interface %s is down", i.Name)
		}
	}
	slices.Sort(names)
	if want := []string{"lkt0", "lkt1", "lo"}; !slices.Equal(names, want) {
		t.Fatalf("interfaces = %v, want %v", names, want)
	}

	veth, err := net.InterfaceByName(Veth)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := veth.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.String() == Addr {
			found = true
			if ones, _ := n.Mask.Size(); ones != 24 {
				t.Errorf("%s has prefix /%d, want /24", Addr, ones)
			}
		}
	}
	if !found {
		t.Errorf("%s has addresses %v, want %s/24", Veth, addrs, Addr)
	}
}

// No route leaves the namespace: connecting to a public address fails at
// once in the kernel's route lookup, before any packet is sent.
func TestNoRouteOut(t *testing.T) {
	c, err := net.DialTimeout("tcp", "1.1.1.1:80", 10*time.Second)
	if err == nil {
		c.Close()
		t.Fatal("connected to 1.1.1.1:80 from inside the namespace")
	}
	if !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("dial 1.1.1.1:80: %v, want network is unreachable", err)
	}
}

// The namespace's own addresses work: a listener on Addr is reachable.
func TestLocalTraffic(t *testing.T) {
	for _, host := range []string{"127.0.0.1", Addr} {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Close()
			}
		}()
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 10*time.Second)
		if err != nil {
			t.Errorf("dial %s: %v", ln.Addr(), err)
		} else {
			c.Close()
		}
		ln.Close()
	}
}

// A copy of the marker in a process that is still in the parent's namespace
// must not make Enter touch that namespace's interfaces.
func TestMarkerInSameNamespaceRefused(t *testing.T) {
	self, err := currentNS()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envParent, self)
	inside, code, err := Enter()
	if err == nil || inside || code != 1 {
		t.Fatalf("Enter() = %v, %d, %v; want an error", inside, code, err)
	}
	if Inside() {
		t.Error("Inside() = true with the marker naming this namespace")
	}
}

// Enter inside the namespace again is harmless: the pair is reused.
func TestEnterAgainInside(t *testing.T) {
	inside, code, err := Enter()
	if err != nil || !inside || code != 0 {
		t.Fatalf("Enter() = %v, %d, %v; want true, 0, nil", inside, code, err)
	}
}

package netns

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
)

// setup brings up lo and the veth pair inside the namespace. It is
// idempotent: an existing pair is reused.
func setup() error {
	steps := [][]string{{"link", "set", "lo", "up"}}
	if _, err := net.InterfaceByName(Veth); err != nil {
		steps = append(steps, []string{"link", "add", Veth, "type", "veth", "peer", "name", VethPeer})
	}
	steps = append(steps,
		[]string{"addr", "replace", Addr + "/24", "dev", Veth},
		[]string{"link", "set", Veth, "up"},
		[]string{"link", "set", VethPeer, "up"},
	)
	for _, args := range steps {
		if err := ip(args...); err != nil {
			return err
		}
	}
	return nil
}

// ip runs the ip command with args.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("netns: ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Package netns runs a test binary inside a private network namespace, so
// that tests which move media through LiveKit keep all their traffic on the
// namespace's own interfaces (design.md §4.7).
//
// The LiveKit Go SDK never offers loopback ICE candidates, so on the host it
// would connect through the machine's real interface address. Inside the
// namespace made here there is only lo and a veth pair, lkt0 (with Addr) and
// lkt1, and no route out.
//
// A test binary makes Main its TestMain:
//
//	func TestMain(m *testing.M) { netns.Main(m.Run) }
//
// It needs the unshare (util-linux) and ip (iproute2) commands, and either
// root or unprivileged user namespaces.
package netns

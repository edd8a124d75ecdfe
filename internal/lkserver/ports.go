package lkserver

import (
	"fmt"
	"net"
	"strconv"
)

// pickPorts returns the ports for cfg: the configured ones, and free ones
// for those that are 0. A port found free is only released for the server
// to take, so another process may still take it first; Start retries then.
func pickPorts(cfg Config) (ports, error) {
	var p ports
	var err error
	p.signal = cfg.Port
	if p.signal == 0 {
		if p.signal, err = freeSignalPort(cfg.BindAddresses); err != nil {
			return p, err
		}
	}
	p.udp = cfg.RTCPort
	if p.udp == 0 {
		if p.udp, err = freeUDPPort(); err != nil {
			return p, err
		}
	}
	// livekit-server listens for ICE over TCP on all addresses.
	if p.udp < 65535 && tcpFree(p.udp+1) {
		p.tcp = p.udp + 1
	} else if p.tcp, err = freeTCPPort(); err != nil {
		return p, err
	}
	return p, nil
}

// freeSignalPort returns a TCP port free on every bind address.
func freeSignalPort(addrs []string) (int, error) {
	var lastErr error
	for range 20 {
		ln, err := net.Listen("tcp", net.JoinHostPort(addrs[0], "0"))
		if err != nil {
			return 0, fmt.Errorf("lkserver: find a free port on %s: %w", addrs[0], err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		held := []net.Listener{ln}
		ok := true
		for _, a := range addrs[1:] {
			l, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(port)))
			if err != nil {
				lastErr, ok = err, false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if ok {
			return port, nil
		}
	}
	return 0, fmt.Errorf("lkserver: find a port free on all of %v: %w", addrs, lastErr)
}

// freeUDPPort returns a UDP port free on all addresses. The server binds its
// single UDP port on each local address it uses.
func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", ":0")
	if err != nil {
		return 0, fmt.Errorf("lkserver: find a free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// freeTCPPort returns a TCP port free on all addresses.
func freeTCPPort() (int, error) {
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		return 0, fmt.Errorf("lkserver: find a free TCP port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tcpFree reports whether TCP port is free on all addresses.
func tcpFree(port int) bool {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// Package lkserver runs a real livekit-server process: for tests, and for
// `lkbrowser publish` when no LiveKit URL is given.
//
// Start writes a config file (0600, in a private directory), starts the
// server in its own process group through internal/proc and returns once it
// answers its health check. The server keeps no state outside that
// directory: no TURN, and no Redis unless Config.Redis names one shared by
// the nodes of a multi-node deployment. Close stops the process group and removes
// the directory if Start made it.
//
// The binary is livekit-server v1.13.5, which `bash scripts/setup.sh`
// builds and installs as /usr/local/bin/livekit-server.
package lkserver

// Package pulsecap controls a private PulseAudio server and records from it:
// one null sink per page (Chromium plays into it, PULSE_SINK=<sink>), and a
// Recorder on the sink's ".monitor" source that returns interleaved s16le
// samples.
//
// Both Ctl and Recorder run libpulse's asynchronous API on their own
// pa_threaded_mainloop, so every wait has a deadline and a dead server
// shows up as ErrConnectionLost instead of a hang; libpulse never exits or
// aborts the process on a broken connection. There is no global state: one
// process may talk to many servers.
//
// A typical page, given a server started as
//
//	pulseaudio -n --daemonize=no --exit-idle-time=-1 --disallow-exit \
//		--use-pid-file=no -L "module-native-protocol-unix socket=R/native auth-anonymous=1"
//
// is:
//
//	ctl, err := pulsecap.Dial("unix:R/native", 5*time.Second)
//	mod, err := ctl.LoadNullSink("page1", 48000, 2)
//	// start Chromium with PULSE_SERVER=unix:R/native PULSE_SINK=page1
//	rec, err := pulsecap.Record("unix:R/native", "page1.monitor", 48000, 2,
//		10*time.Millisecond, 5*time.Second)
//	buf := make([]byte, 480*4) // 10 ms of 48 kHz stereo
//	for running.Load() {
//		if err := rec.Read(buf); err != nil { ... } // a null sink's monitor
//		// ... always delivers: silence while nothing plays
//	}
//	rec.Close()
//	ctl.UnloadModule(mod)
//
// Client limit: PulseAudio's native protocol accepts at most 64 connections
// per server (a compile-time constant, MAX_CONNECTIONS in protocol-native.c;
// no daemon option changes it). Every Ctl, Recorder and Player is one
// connection, and so is each libpulse context in Chromium. Beyond the limit
// the server accepts the socket and closes it at once; Dial and Record then
// fail quickly with ErrTooManyClients.
//
// File descriptors run out first: pulseaudio lowers its RLIMIT_NOFILE to
// 256 (daemon.conf rlimit-nofile), and a page (null sink + one playing
// stream + one Recorder) holds about 10 of the server's descriptors, so
// about 24 pages fit. Near the limit connections are refused like above;
// at the limit the server cannot accept, spins on its listening socket
// (~50 % of a core, measured) and clients time out (ErrTimeout). Start the
// server with PULSE_CONFIG=<file> (or HOME=R and R/.config/pulse/daemon.conf)
// containing "rlimit-nofile = 4096" to lift this.
//
// A fresh null sink renders 2 s ahead and sleeps, which delays the first
// samples both of a new player and of a new recorder by up to 2 s; Record
// restarts such a sink's clock (see Record), so start a page's Recorder
// right after LoadNullSink, before the page plays.
//
// The C side lives in bridge.c; bridge.h documents who owns every pointer.
// Play and PlayBuffered (pa_simple playback) stand in for a browser in
// tests. On platforms without Linux and cgo, every constructor returns an
// error wrapping errors.ErrUnsupported.
package pulsecap

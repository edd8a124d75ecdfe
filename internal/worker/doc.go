// Package worker runs lkbrowser pages as LiveKit agent jobs: the program
// behind `lkbrowser worker`.
//
// A Runner registers with livekit-server through internal/agentworker under
// an agent name (default "lkbrowser") and a capacity. Each job it accepts
// carries a dispatch.Page in its metadata (JSON: URL, size, frame rate,
// identity); the Runner opens that page on its engine, publishes it into
// the job's room with lksession (joining with the job's token), tells the
// server the job runs, and stamps the page's participant with the dispatch
// id, the worker's name and a heartbeat that it bumps every
// dispatch.HeartbeatInterval, so that the requesting side can tell a live
// page from a dead worker's.
//
// A job ends when the server terminates it (its dispatch was deleted, the
// page's participant left, or the room closed: livekit-server closes a room
// 20 s after its last viewer left, agents do not count), when its dispatch
// no longer exists (checked every 10 s: the server forgets the jobs of a
// worker whose connection dropped), when the page crashes or its session
// ends, or when the Runner stops. The page and its session are then closed
// and the slot is free again.
//
// Metrics (Runner.Handler, Prometheus text format) cover the worker (pages
// running, capacity, reported load, draining, machine CPU, jobs) and each
// page (frames captured, dropped and sent, encode time, CPU time of its
// browser and display).
package worker

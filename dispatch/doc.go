// Package dispatch is the requesting side of lkbrowser's scale-out: it asks
// LiveKit to place a page on one of the `lkbrowser worker` processes
// registered with the server (agent dispatch), checks that the page really
// is published, and keeps it published.
//
// Client.Start creates an agent dispatch for the worker agent name (default
// "lkbrowser") in a room, with the page to open (Page, sent as the job's
// JSON metadata). The open-source livekit-server drops a job that no worker
// accepts and never offers it again, so Start watches for the job to be
// assigned (ListDispatch) and for the page's participant to appear with its
// video track (ListParticipants); a dispatch that no worker took within
// Config.AssignWait is deleted and created again, until
// Config.AcceptTimeout, after which Start deletes it and returns a
// *NotAcceptedError (errors.Is ErrNotAccepted).
//
// The returned Dispatch keeps watching the page. The worker stamps the
// page's participant with the dispatch id (attribute AttrDispatchID) and
// bumps a heartbeat attribute (AttrHeartbeat) every HeartbeatInterval. When
// the participant leaves while the dispatch should run, or its heartbeat
// stops for Config.LivenessTimeout (a worker killed outright: the server
// itself notices only 20 to 30 s later), the Dispatch removes the silent
// participant, deletes the dispatch and creates a new one, which the server
// gives to another worker, retrying until it is placed or the Dispatch is
// closed. A room that no longer exists (closed when it emptied, or
// deleted) ends the Dispatch with ErrRoomClosed.
//
// Dispatch.Close deletes the dispatch: the server terminates the job, the
// worker closes the page and frees the slot.
//
// The package never prints, panics or exits; it logs through
// Config.Logger. All network calls are bounded by a context.
package dispatch

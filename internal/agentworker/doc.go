// Package agentworker is a LiveKit agent worker: the client side of the
// worker protocol (version 1) that livekit-server serves on /agent, as
// livekit-server v1.13.5 implements it (see shared research notes,
// scaleout.md).
//
// A Worker dials ws(s)://HOST/agent?protocol=1 with a fresh JWT carrying the
// video.agent grant, registers for room jobs (JT_ROOM) under a non-empty
// agent name, so that it only receives jobs dispatched to that name
// explicitly (AgentDispatchService.CreateDispatch), and then:
//
//   - answers each availability request at once: it accepts while a slot is
//     free (jobs running plus jobs accepted but not yet assigned below
//     Config.Capacity) and Config.Accept agrees, and declines otherwise, so
//     that the server offers the job to another worker;
//   - runs each assignment through Config.Run with the assignment's token,
//     reports JS_RUNNING when the job says it runs (Job.Running) and
//     JS_SUCCESS or JS_FAILED when Run returns;
//   - cancels a job's context on the server's termination;
//   - reports its status and load right after every change and every
//     Config.StatusInterval: WS_FULL at capacity or while draining, else
//     WS_AVAILABLE with a load of TargetLoad·slots/capacity, which stays
//     below the server's target load (0.7) while a slot is free, or the
//     measured CPU pressure (Config.CPULoad) when that is higher;
//   - sends an application ping every Config.PingInterval and treats a
//     connection silent for three intervals as lost;
//   - reconnects with back-off (0.5 s doubling to 10 s) and registers again
//     when the connection is lost. Running jobs go on meanwhile; note that
//     livekit-server forgets a worker's jobs with its connection, so it will
//     not terminate them later (the program must watch its jobs itself).
//
// Drain goes FULL at once, lets running jobs finish until its context ends
// and then cancels them. Run returns when its context ends, after
// cancelling the jobs that are left and waiting for them.
//
// A frame that does not decode, or a message that makes no sense (an
// assignment that was not accepted, a termination of an unknown job, an
// empty message) is logged at warning level and counted (Stats) and
// otherwise ignored: the server's messages can never make the worker panic
// or stop. DecodeServerMessage is the decoder, fuzzed by the tests.
//
// The package never prints, panics or exits; it logs through the
// *slog.Logger of Config.
package agentworker

package proc

import (
	"os/exec"
	"runtime"
)

// Why every child is forked on one locked thread
//
// Start gives each child SIGKILL as its parent-death signal
// (PR_SET_PDEATHSIG). Linux sends that signal when the *thread* that forked
// the child exits, not when the process does (golang/go#27505). A goroutine
// may run on any OS thread, and Go ends a thread when a goroutine that
// locked it (runtime.LockOSThread) returns without unlocking, so a child
// forked from an arbitrary goroutine could be killed at a random moment
// while the host runs on.
//
// So every cmd.Start runs on the spawner goroutine below, which locks its
// thread for good and never returns: its thread lives exactly as long as the
// process, and the signal fires exactly when the host dies, however it dies
// (SIGKILL included). A child forked there is not tied to the caller's
// thread in any other way.
//
// The spawner starts with the package rather than on first use, so that
// leak checkers that snapshot the running goroutines before a test (goleak's
// IgnoreCurrent) see it as part of the process, not as a goroutine the test
// left behind. It costs one parked goroutine and one idle thread.

// spawnReq asks the spawner to start cmd and reply with the result.
type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

var spawnCh = make(chan spawnReq)

func init() { go spawnLoop(spawnCh) }

// spawnLoop starts the commands it receives, forever, on one locked thread.
// It must never unlock the thread or return: either would end the thread
// (or let others use it) and break the parent-death signal of the children
// it forked.
func spawnLoop(reqs <-chan spawnReq) {
	runtime.LockOSThread()
	for {
		r := <-reqs
		r.done <- r.cmd.Start()
	}
}

// spawn runs cmd.Start on the spawner's thread.
func spawn(cmd *exec.Cmd) error {
	r := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnCh <- r
	return <-r.done
}

package agentworker

import "sync/atomic"

// Stats counts what a worker did since New.
type Stats struct {
	// Accepted and Declined count the availability answers, Ended the jobs
	// that ended, Failed those of them reported JS_FAILED.
	Accepted, Declined, Ended, Failed uint64
	// Malformed counts server frames that did not decode, Unexpected the
	// messages that made no sense (and were ignored).
	Malformed, Unexpected uint64
}

// counters are the live values behind Stats.
type counters struct {
	accepted, declined, ended, failed atomic.Uint64
	malformed, unexpected             atomic.Uint64
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats {
	c := &w.stats
	return Stats{
		Accepted: c.accepted.Load(), Declined: c.declined.Load(), Ended: c.ended.Load(), Failed: c.failed.Load(),
		Malformed: c.malformed.Load(), Unexpected: c.unexpected.Load(),
	}
}

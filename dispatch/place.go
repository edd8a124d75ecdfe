package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/livekit/protocol/livekit"
)

// placed is a page published for a dispatch.
type placed struct {
	id     string // dispatch id
	worker string // AttrWorker of the page
	took   time.Duration
}

// place creates dispatches for page in room until one is published,
// giving up after timeout (0: only when ctx ends) with a
// *NotAcceptedError.
func (c *Client) place(ctx context.Context, room string, page Page, meta string, timeout time.Duration) (placed, error) {
	began := time.Now()
	var deadline time.Time
	if timeout > 0 {
		deadline = began.Add(timeout)
	}
	nae := &NotAcceptedError{Room: room, AgentName: c.cfg.AgentName}
	for {
		ad, err := call(ctx, func(ctx context.Context) (*livekit.AgentDispatch, error) {
			return c.agents.CreateDispatch(ctx, &livekit.CreateAgentDispatchRequest{AgentName: c.cfg.AgentName, Room: room, Metadata: meta})
		})
		if err != nil {
			return placed{}, fmt.Errorf("dispatch: create dispatch in %q: %w", room, err)
		}
		nae.Attempts++
		log := c.log.With("room", room, "dispatch", ad.Id, "attempt", nae.Attempts)
		log.Debug("dispatch created")
		p, assigned, why, err := c.await(ctx, room, page.Identity, ad.Id, deadline)
		if err == nil && why == "" {
			p.took = time.Since(began)
			log.Info("page published", "worker", p.worker, "took", p.took.Round(time.Millisecond))
			return p, nil
		}
		// Not placed: the dispatch goes, with whatever it started.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), apiTimeout)
		derr := c.deleteDispatch(dctx, room, ad.Id)
		cancel()
		if derr != nil {
			log.Warn("could not delete an unplaced dispatch", "err", derr)
		}
		if err != nil {
			return placed{}, err
		}
		nae.Assigned, nae.Last = nae.Assigned || assigned, why
		log.Info("page not placed", "why", why)
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			nae.Waited = time.Since(began)
			return placed{}, nae
		}
	}
}

// await watches one dispatch until its page is published (why == ""), it
// has no job after AssignWait, its job's page is not published within
// StartTimeout, or deadline passes before a worker took the job (why says
// which), or ctx ends (err).
func (c *Client) await(ctx context.Context, room, identity, id string, deadline time.Time) (p placed, assigned bool, why string, err error) {
	began := time.Now()
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	for {
		if ps, lerr := c.participants(ctx, room); lerr == nil {
			if pi := pageOf(ps, identity, id); pi != nil && hasVideo(pi) {
				return placed{id: id, worker: pi.Attributes[AttrWorker]}, true, "", nil
			}
		} else {
			c.log.Debug("polling participants", "room", room, "err", lerr)
		}
		if !assigned {
			if a, aerr := c.assigned(ctx, room, id); aerr == nil {
				assigned = a
			}
		}
		elapsed := time.Since(began)
		switch {
		case !assigned && elapsed > c.cfg.AssignWait:
			return p, false, fmt.Sprintf("no worker took the job within %v", c.cfg.AssignWait), nil
		case assigned && elapsed > c.cfg.StartTimeout:
			return p, true, fmt.Sprintf("the page was not published within %v of the job", c.cfg.StartTimeout), nil
		case !assigned && !deadline.IsZero() && time.Now().After(deadline):
			return p, assigned, "timeout", nil
		}
		select {
		case <-ctx.Done():
			return p, assigned, "", fmt.Errorf("dispatch: waiting for the page in %q: %w", room, ctx.Err())
		case <-tick.C:
		}
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/dispatch"
	"github.com/lkbrowser/lkbrowser/internal/agentworker"
	"github.com/lkbrowser/lkbrowser/internal/worker"
)

const workerSynopsis = "--livekit-url URL --api-key K [flags]"

const workerHelp = `Registers with a LiveKit server as an agent worker and publishes the pages
dispatched to its agent name (see 'lkbrowser dispatch'): each job opens the
page its metadata describes and publishes it into the job's room. At most
--capacity pages run at once; the worker reports itself full at capacity.

SIGTERM or Ctrl-C drains: the worker takes no new job at once, lets its
pages run until their dispatches end or --drain-timeout passes, then closes
them and exits 0. A second signal during the drain closes them at once.

Pages cannot reach private addresses (--block-private, on by default),
whatever a dispatch's URL is; only --allow-host entries are let through.

--metrics-addr serves Prometheus metrics on /metrics.`

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("worker")
	var (
		lkURL, key, secret, agentName, name, metricsAddr string
		capacity                                         int
		drain                                            time.Duration
		reportCPU, noAudio                               bool
	)
	defCap := max(1, runtime.NumCPU()*3/2)
	flags.StringVar(&lkURL, "livekit-url", os.Getenv("LIVEKIT_URL"), "LiveKit server URL (env LIVEKIT_URL)")
	flags.StringVar(&key, "api-key", os.Getenv("LIVEKIT_API_KEY"), "API key (env LIVEKIT_API_KEY)")
	flags.StringVar(&secret, "api-secret", "", "API secret (env LIVEKIT_API_SECRET, preferred: flags show in ps)")
	flags.StringVar(&agentName, "agent-name", dispatch.DefaultAgentName, "agent name that dispatches use")
	flags.StringVar(&name, "name", "", "this worker's name on its pages (default the host name)")
	flags.IntVar(&capacity, "capacity", defCap, "most pages at once (1.5 per CPU by default)")
	flags.DurationVar(&drain, "drain-timeout", 10*time.Minute, "on SIGTERM, how long running pages may go on")
	flags.BoolVar(&reportCPU, "report-cpu", true, "report the machine's CPU load when higher than the pages' share")
	flags.BoolVar(&noAudio, "no-audio", false, "no sound for any page (no PulseAudio)")
	flags.StringVar(&metricsAddr, "metrics-addr", "", "host:port for Prometheus metrics on /metrics; empty for none")
	var egress egressFlags
	egress.register(flags, true)
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	if _, err := parseCommand(flags, args, "worker", workerSynopsis, workerHelp, 0, stdout); err != nil {
		return err
	}
	if secret == "" {
		secret = os.Getenv("LIVEKIT_API_SECRET")
	}
	if lkURL == "" || key == "" || secret == "" {
		return usageErrorf("worker: give --livekit-url, --api-key and --api-secret (or LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET)")
	}
	if capacity < 1 {
		return usageErrorf("worker: --capacity must be at least 1")
	}
	if drain <= 0 {
		return usageErrorf("worker: --drain-timeout must be more than 0")
	}
	log := newLogger(*verbose, stderr)

	start, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	// The pages' egress policy is the worker's flags alone: a dispatch's
	// metadata (its URL among it) cannot loosen it.
	policy := egress.policy("")
	eng, err := lkbrowser.NewEngine(start, lkbrowser.Options{Logger: log, NoAudio: noAudio, MaxPages: capacity, Egress: policy})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, describeEgress(policy))
	r, err := worker.New(worker.Config{
		Engine: eng, URL: lkURL, APIKey: key, APISecret: secret, AgentName: agentName, Name: name,
		Capacity: capacity, ReportCPU: reportCPU, Version: "lkbrowser", Logger: log,
		OnRegistered: func(id string) {
			fmt.Fprintf(stdout, "registered %s as %q with capacity %d\n", id, agentName, capacity)
		},
	})
	if err != nil {
		return errors.Join(usageErrorf("worker: %v", err), eng.Close())
	}

	var metrics *http.Server
	if metricsAddr != "" {
		ln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			return errors.Join(fmt.Errorf("metrics: %w", err), eng.Close())
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", r.Handler())
		metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go metrics.Serve(ln)
		fmt.Fprintf(stdout, "metrics: http://%s/metrics\n", ln.Addr())
	}

	runCtx, stopRun := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.Run(runCtx) }()

	var drainErr error
	select {
	case <-ctx.Done():
		r.StopTaking() // report WS_FULL before announcing the drain
		fmt.Fprintf(stdout, "draining: %d pages running, taking no new job\n", r.Pages())
		dctx, dcancel := context.WithTimeout(context.Background(), drain)
		// A second signal cuts the drain short.
		again := make(chan os.Signal, 1)
		notifyAgain(again)
		go func() {
			select {
			case <-again:
				dcancel()
			case <-dctx.Done():
			}
		}()
		drainErr = r.Drain(dctx)
		dcancel()
		stopNotify(again)
		if errors.Is(drainErr, agentworker.ErrDrainTimeout) {
			fmt.Fprintln(stdout, "drain cut short: remaining pages closed")
			drainErr = nil
		} else {
			fmt.Fprintln(stdout, "drained")
		}
	case err := <-ran:
		stopRun()
		return errors.Join(err, eng.Close())
	}
	stopRun()
	err = errors.Join(drainErr, <-ran)
	if metrics != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
		if metrics.Shutdown(sctx) != nil {
			metrics.Close()
		}
		scancel()
	}
	return errors.Join(err, eng.Close())
}

// notifyAgain routes further SIGINT and SIGTERM to ch.
func notifyAgain(ch chan os.Signal) { signal.Notify(ch, os.Interrupt, syscall.SIGTERM) }

// stopNotify undoes notifyAgain.
func stopNotify(ch chan os.Signal) { signal.Stop(ch) }

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/agent/room"
	"github.com/lkbrowser/lkbrowser/computer"
)

const agentSynopsis = "[--model M] [--task TEXT] [publish's flags] URL"

const agentHelp = `Publishes URL into a LiveKit room as the publish command does (the same
flags; without --livekit-url a local livekit-server and the viewer page)
and lets an AI agent (Anthropic's computer use) drive it while people
watch: it works on --task, then on each message people write to it in the
viewer's chat. Its status, its text and its cursor show in the viewer.

A person who takes control stops the agent before its next action; it
goes on when they give control back, or when they write to it again.

Needs ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL, if set, names another
endpoint of the Messages API). Runs until Ctrl-C (SIGINT) or SIGTERM, then
leaves the room and stops everything it started.`

func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("agent")
	var p pub
	p.addFlags(flags)
	model := flags.String("model", anthropic.DefaultModel, "the Anthropic model")
	task := flags.String("task", "", "the agent's first task; without it, it waits for a chat message")
	verbose := flags.Bool("verbose", false, "log what happens to stderr")
	pos, err := parseCommand(flags, args, "agent", agentSynopsis, agentHelp, 1, stdout)
	if err != nil {
		return err
	}
	if err := p.parsed(pos); err != nil {
		return err
	}
	if strings.TrimSpace(*model) == "" {
		return usageErrorf("agent: --model must not be empty")
	}
	if os.Getenv("ANTHROPIC_API_KEY") == "" && os.Getenv("ANTHROPIC_AUTH_TOKEN") == "" {
		return errors.New("agent: ANTHROPIC_API_KEY is not set: the agent needs an Anthropic API key")
	}
	return runAgentIn(ctx, &p, *model, strings.TrimSpace(*task), *verbose, stdout, stderr)
}

// runAgentIn publishes the page and serves the agent in its room until ctx
// is cancelled or the session ends.
func runAgentIn(ctx context.Context, p *pub, model, task string, verbose bool, stdout, stderr io.Writer) (err error) {
	log := newLogger(verbose, stderr)
	provider, err := anthropic.New(anthropic.Options{Model: model, Logger: log})
	if err != nil {
		return err
	}
	up, err := p.start(ctx, log, stdout)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, up.close()) }()
	comp, err := computer.New(up.page, computer.Options{Logger: log})
	if err != nil {
		return err
	}
	r := room.New(up.sess, room.Options{Logger: log})
	ag, err := agent.New(up.page, comp, provider, agent.Options{Gate: r.Gate, Observer: printingObserver{r, stdout, &sync.Mutex{}}, Logger: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "agent: %s\n", model)
	if task == "" {
		fmt.Fprintln(stdout, "agent: waiting for a message in the viewer's chat")
	}
	fmt.Fprintln(stdout, "press Ctrl-C to stop")
	err = r.Serve(ctx, ag, task)
	if ctx.Err() != nil {
		log.Info("agent: interrupted; leaving the room")
		return nil
	}
	return err
}

// printingObserver is the room's observer, and also prints what the agent
// says on stdout, one "agent says: " line per line of text.
type printingObserver struct {
	*room.Room
	out io.Writer
	mu  *sync.Mutex
}

// Said tells the room and prints the text.
func (o printingObserver) Said(text string) {
	o.Room.Said(text)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		fmt.Fprintf(o.out, "agent says: %s\n", line)
	}
}

package agent

import (
	"context"
	"image"
	"log/slog"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
)

// Status is what the agent is doing, as the room's browser-agent-status
// topic names it.
type Status string

// Statuses.
const (
	StatusThinking Status = "thinking" // waiting for the model
	StatusActing   Status = "acting"   // performing a tool call
	StatusIdle     Status = "idle"     // the turn ended; waiting for a message
)

// Observer is told what the agent does. Its methods are called
// synchronously from the agent's loop, in order: a slow observer slows the
// agent and never loses a call. They must not call back into the Agent.
type Observer interface {
	// Status reports a change of status.
	Status(s Status)
	// Said reports text the model addressed to the user.
	Said(text string)
	// Acting reports an action about to be performed; at is its point in
	// page pixels (nil for actions without one); display is the page size.
	// Besides the computer's actions, a computer.Kind of ActionNavigate
	// (Text is the URL), ActionGoBack or ActionGoForward reports a function
	// tool's call.
	Acting(a computer.Action, at *image.Point, pageWidth, pageHeight int)
	// Acted reports that the action finished (err nil) or was refused.
	Acted(a computer.Action, err error)
}

// Options configure an Agent.
type Options struct {
	// Instructions are the system prompt; DefaultInstructions when empty.
	Instructions string
	// MaxSteps bounds the model calls of one Run. Default 50.
	MaxSteps int
	// KeepScreenshots is how many of the newest screenshots stay in the
	// conversation; older ones are replaced by a short text. Default 3.
	KeepScreenshots int
	// NavigateSchemes are the URL schemes the navigate tool may load (the
	// model's choice, which a page's text can sway). Default http and
	// https. The engine's URL policy applies as well.
	NavigateSchemes []string
	// Gate, when set, is called before every action; it blocks while the
	// agent may not act (a person holds the page) and returns an error to
	// end the Run, or one matching ErrPageChanged to skip the action and
	// show the model the page as it is now. The room glue (package
	// agent/room) sets it.
	Gate func(ctx context.Context) error
	// Observer, when set, is told what the agent does.
	Observer Observer
	// Logger receives debug logs; discarded when nil.
	Logger *slog.Logger
}

// DefaultNavigateSchemes are the schemes the navigate tool loads by
// default.
var DefaultNavigateSchemes = []string{"http", "https"}

// Defaults.
const (
	DefaultMaxSteps        = 50
	DefaultKeepScreenshots = 3
)

// Agent drives one page with a model: see the package documentation.
type Agent struct {
	nav      navigator
	comp     actor
	provider Provider
	opts     Options
	log      *slog.Logger
	obs      Observer

	run chan struct{} // holds a token while a Run is under way

	// Owned by the Run under way.
	history     []Message
	status      Status
	cursor      image.Point // the pointer in display pixels, when cursorKnown
	cursorKnown bool
	// looked is set once the agent looked at the page: its first look waits
	// for the page to settle, since a page just opened may not have painted.
	looked bool
}

// actor is what the agent needs of a *computer.Computer.
type actor interface {
	Do(ctx context.Context, a computer.Action) (computer.Result, error)
	Display() (width, height int)
}

// navigator is what the agent needs of a *lkbrowser.Page.
type navigator interface {
	Navigate(ctx context.Context, url string) error
	GoBack(ctx context.Context) error
	GoForward(ctx context.Context) error
	Width() int
	Height() int
}

// New returns an agent that drives page through comp with the model behind
// provider. comp must be a Computer of page. New starts nothing; the agent
// holds no goroutine between Runs and needs no Close.
func New(page *lkbrowser.Page, comp *computer.Computer, provider Provider, opts Options) (*Agent, error) {
	if page == nil {
		return nil, invalidArg("page", "nil")
	}
	if comp == nil {
		return nil, invalidArg("computer", "nil")
	}
	a, err := newAgent(page, comp, provider, opts)
	if err == nil && page.Egress() == nil {
		// A model follows what pages tell it: give it a page that cannot
		// reach the operator's network (lkbrowser agent does).
		a.log.Warn("the page has no egress policy: the model can make it reach private addresses (give the page an EgressPolicy with BlockPrivate)")
	}
	return a, err
}

// newAgent is New over the interfaces the agent needs.
func newAgent(nav navigator, comp actor, provider Provider, opts Options) (*Agent, error) {
	if provider == nil {
		return nil, invalidArg("provider", "nil")
	}
	if opts.MaxSteps < 0 {
		return nil, invalidArg("MaxSteps", "negative")
	}
	if opts.KeepScreenshots < 0 {
		return nil, invalidArg("KeepScreenshots", "negative")
	}
	if opts.MaxSteps == 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	if opts.KeepScreenshots == 0 {
		opts.KeepScreenshots = DefaultKeepScreenshots
	}
	if opts.Instructions == "" {
		opts.Instructions = DefaultInstructions
	}
	if len(opts.NavigateSchemes) == 0 {
		opts.NavigateSchemes = DefaultNavigateSchemes
	}
	a := &Agent{
		nav:      nav,
		comp:     comp,
		provider: provider,
		opts:     opts,
		log:      opts.Logger,
		obs:      opts.Observer,
		run:      make(chan struct{}, 1),
		status:   StatusIdle,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.obs == nil {
		a.obs = nopObserver{}
	}
	return a, nil
}

// Run gives the agent a user message (a task, or a chat message) and runs
// the loop until the model ends its turn, MaxSteps is reached, Gate
// returns an error or ctx is done. The conversation carries over to the
// next Run. Runs are serialised: a Run waits (bounded by ctx) for the one
// under way.
//
// An empty text adds no message: after a Run that was cut short (Gate,
// cancel, MaxSteps) the agent picks up where it stopped; otherwise it asks
// the model to continue.
//
// The error is nil when the model ended its turn or MaxSteps was reached;
// otherwise it is ctx's error (Reason ReasonCanceled), the Gate's error as
// it returned it (ReasonGate), an error matching ErrModel (ReasonError),
// or the page's error when the page closed under the agent (ReasonError).
// Tool calls that fail never end the Run: they go back to the model.
func (a *Agent) Run(ctx context.Context, text string) (Outcome, error) {
	select {
	case a.run <- struct{}{}:
	case <-ctx.Done():
		return Outcome{Reason: ReasonCanceled}, ctx.Err()
	}
	defer func() { <-a.run }()
	return a.loop(ctx, text)
}

// Outcome summarises one Run.
type Outcome struct {
	Steps   int    // model calls made
	Actions int    // tool calls answered (performed, refused or skipped)
	Errors  int    // tool calls answered with an error result
	Final   string // the model's last text
	Reason  string // "end_turn", "max_steps", "canceled", "gate", "error"
}

// Reasons a Run ends (Outcome.Reason).
const (
	ReasonEndTurn  = "end_turn"  // the model answered without a tool call
	ReasonMaxSteps = "max_steps" // Options.MaxSteps model calls were made
	ReasonCanceled = "canceled"  // ctx was done
	ReasonGate     = "gate"      // Options.Gate returned an error
	ReasonError    = "error"     // the model call failed, or the page closed
)

// Provider is one vendor's model behind a vendor-neutral interface: see
// provider.go.
type Provider interface {
	// Step sends the conversation and returns the model's next message.
	Step(ctx context.Context, req Request) (Message, error)
}

// nopObserver is the Observer of an agent without one.
type nopObserver struct{}

func (nopObserver) Status(Status)                                  {}
func (nopObserver) Said(string)                                    {}
func (nopObserver) Acting(computer.Action, *image.Point, int, int) {}
func (nopObserver) Acted(computer.Action, error)                   {}

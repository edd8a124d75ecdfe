package openai

import (
	"context"
	"fmt"
	"log/slog"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/lkbrowser/lkbrowser/agent"
)

// DefaultModel is the model of a Provider without Options.Model: the
// model the GA computer tool came with.
const DefaultModel = oai.ChatModelGPT5_4

// DefaultMaxOutputTokens bounds each answer of a Provider without
// Options.MaxOutputTokens.
const DefaultMaxOutputTokens = 4096

// ToolVersion selects the computer tool declared to the model.
type ToolVersion string

// Tool versions.
const (
	// Computer is the GA computer tool ("computer"): no display size
	// (coordinates are the screenshots' pixels, which are the display's),
	// and each computer_call may batch several actions.
	Computer ToolVersion = "computer"
	// ComputerUsePreview is the preview tool ("computer_use_preview",
	// model computer-use-preview): declared with the display size and the
	// browser environment, one action per call.
	ComputerUsePreview ToolVersion = "computer_use_preview"
)

// Options configure a Provider. The zero value is usable.
type Options struct {
	// Model is the model's name. Default DefaultModel (with Tool
	// ComputerUsePreview: computer-use-preview).
	Model string
	// Tool is the computer tool's version. Default Computer.
	Tool ToolVersion
	// MaxOutputTokens bounds each answer. Default DefaultMaxOutputTokens.
	MaxOutputTokens int
	// AcknowledgeSafetyChecks, when set, is asked about each safety check
	// the API attaches to a computer call (a page that may be malicious,
	// an off-task domain...); true acknowledges it and lets the call run.
	// When nil, or when it returns false, the call is answered as an error
	// and nothing is done.
	AcknowledgeSafetyChecks func(code, message string) bool
	// RequestOptions are given to the SDK's client after its defaults,
	// which read OPENAI_API_KEY and OPENAI_BASE_URL from the environment.
	RequestOptions []option.RequestOption
	// Logger receives debug logs; discarded when nil.
	Logger *slog.Logger
}

// Provider is an agent.Provider on OpenAI's Responses API through the
// official Go SDK. It keeps no state on the server (store false): each
// Step sends the whole conversation, with the encrypted reasoning the API
// returned.
type Provider struct {
	client oai.Client
	opts   Options
	log    *slog.Logger
}

// New returns a Provider. It makes no request.
func New(opts Options) (*Provider, error) {
	switch opts.Tool {
	case "":
		opts.Tool = Computer
	case Computer, ComputerUsePreview:
	default:
		return nil, fmt.Errorf("%w: Tool %q: want %s or %s", ErrInvalidOptions, opts.Tool, Computer, ComputerUsePreview)
	}
	if opts.Model == "" {
		opts.Model = DefaultModel
		if opts.Tool == ComputerUsePreview {
			opts.Model = responses.ResponsesModelComputerUsePreview
		}
	}
	if opts.MaxOutputTokens < 0 {
		return nil, fmt.Errorf("%w: MaxOutputTokens %d: negative", ErrInvalidOptions, opts.MaxOutputTokens)
	}
	if opts.MaxOutputTokens == 0 {
		opts.MaxOutputTokens = DefaultMaxOutputTokens
	}
	p := &Provider{client: oai.NewClient(opts.RequestOptions...), opts: opts, log: opts.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// Model returns the model's name.
func (p *Provider) Model() string { return p.opts.Model }

// Step sends the conversation and returns the model's answer, its
// computer calls split into one ToolUse per action and mapped onto
// computer.Actions. ctx bounds the whole call.
func (p *Provider) Step(ctx context.Context, req agent.Request) (agent.Message, error) {
	params, err := p.params(req)
	if err != nil {
		return agent.Message{}, err
	}
	resp, err := p.client.Responses.New(ctx, params)
	if err != nil {
		return agent.Message{}, fmt.Errorf("openai: %w", err)
	}
	switch resp.Status {
	case "failed", "cancelled":
		return agent.Message{}, fmt.Errorf("%w: status %s: %s", ErrResponse, resp.Status, resp.Error.Message)
	}
	msg, err := p.message(resp)
	if err != nil {
		return agent.Message{}, err
	}
	p.log.Debug("openai: answer", "id", resp.ID, "status", resp.Status, "items", len(resp.Output),
		"input_tokens", resp.Usage.InputTokens, "output_tokens", resp.Usage.OutputTokens)
	return msg, nil
}

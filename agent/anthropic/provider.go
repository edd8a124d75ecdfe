package anthropic

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/lkbrowser/lkbrowser/agent"
)

// DefaultModel is the model of a Provider without Options.Model: a current
// model that takes the computer_20251124 tool.
const DefaultModel = sdk.ModelClaudeSonnet4_6

// DefaultMaxTokens bounds each answer of a Provider without
// Options.MaxTokens.
const DefaultMaxTokens = 4096

// ToolVersion selects the computer tool declared to the model.
type ToolVersion string

// Tool versions.
const (
	// Computer20251124 is the computer tool computer_20251124 (beta header
	// computer-use-2025-11-24), declared with the display size and zoom
	// enabled; its calls are tool_use blocks named "computer" with an
	// "action" field.
	Computer20251124 ToolVersion = "computer_20251124"
	// ComputerToolset20260801 is the GA computer toolset that followed it
	// (no beta header, no display size: coordinates are the screenshots'
	// pixels, which are the display's); its calls are tool_use blocks named
	// after the action ("left_click") with toolset_name "computer". Newer
	// models take it.
	ComputerToolset20260801 ToolVersion = "computer_toolset_20260801"
)

// Options configure a Provider. The zero value is usable.
type Options struct {
	// Model is the model's name. Default DefaultModel.
	Model string
	// Tool is the computer tool's version. Default Computer20251124.
	Tool ToolVersion
	// MaxTokens bounds each answer. Default DefaultMaxTokens.
	MaxTokens int
	// RequestOptions are given to the SDK's client after its defaults,
	// which read ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) and
	// ANTHROPIC_BASE_URL from the environment: option.WithAPIKey,
	// option.WithBaseURL, option.WithHTTPClient, option.WithMaxRetries...
	// override them.
	RequestOptions []option.RequestOption
	// Logger receives debug logs; discarded when nil.
	Logger *slog.Logger
}

// Provider is an agent.Provider on Anthropic's Messages API (the beta
// endpoint, streamed) through the official Go SDK.
type Provider struct {
	client sdk.Client
	opts   Options
	log    *slog.Logger
}

// New returns a Provider. It makes no request: a missing API key shows at
// the first Step.
func New(opts Options) (*Provider, error) {
	if opts.Model == "" {
		opts.Model = DefaultModel
	}
	switch opts.Tool {
	case "":
		opts.Tool = Computer20251124
	case Computer20251124, ComputerToolset20260801:
	default:
		return nil, fmt.Errorf("%w: Tool %q: want %s or %s", ErrInvalidOptions, opts.Tool, Computer20251124, ComputerToolset20260801)
	}
	if opts.MaxTokens < 0 {
		return nil, fmt.Errorf("%w: MaxTokens %d: negative", ErrInvalidOptions, opts.MaxTokens)
	}
	if opts.MaxTokens == 0 {
		opts.MaxTokens = DefaultMaxTokens
	}
	p := &Provider{client: sdk.NewClient(opts.RequestOptions...), opts: opts, log: opts.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// Model returns the model's name.
func (p *Provider) Model() string { return p.opts.Model }

// Tool returns the computer tool's version.
func (p *Provider) Tool() ToolVersion { return p.opts.Tool }

// Step sends the conversation (streamed) and returns the model's answer,
// its computer-tool calls mapped onto computer.Actions. ctx bounds the
// whole call; the SDK retries a failed connection and 429 and 5xx answers
// (twice, by default).
func (p *Provider) Step(ctx context.Context, req agent.Request) (agent.Message, error) {
	params, err := p.params(req)
	if err != nil {
		return agent.Message{}, err
	}
	stream := p.client.Beta.Messages.NewStreaming(ctx, params)
	defer stream.Close()
	var acc accumulator
	for stream.Next() {
		if err := acc.add(stream.Current()); err != nil {
			return agent.Message{}, fmt.Errorf("anthropic: reading the answer: %w", err)
		}
	}
	if err := stream.Err(); err != nil {
		return agent.Message{}, fmt.Errorf("anthropic: %w", err)
	}
	if !acc.stopped {
		return agent.Message{}, ErrIncomplete
	}
	msg := p.message(&acc)
	p.log.Debug("anthropic: answer", "id", acc.msg.ID, "stop", msg.StopReason, "blocks", len(msg.Content),
		"input_tokens", acc.msg.Usage.InputTokens, "output_tokens", acc.msg.Usage.OutputTokens)
	return msg, nil
}

// toolsetName is the toolset_name of the computer toolset's calls.
const toolsetName = "computer"

// computerToolName is the name of the computer_20251124 tool.
const computerToolName = "computer"

// toolNames lists names for an error message.
func toolNames(tools []agent.Tool) string {
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

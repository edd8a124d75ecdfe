package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser/agent"
)

// params converts a vendor-neutral request into the SDK's.
func (p *Provider) params(req agent.Request) (sdk.BetaMessageNewParams, error) {
	out := sdk.BetaMessageNewParams{
		Model:     p.opts.Model,
		MaxTokens: int64(p.opts.MaxTokens),
	}
	if req.System != "" {
		out.System = []sdk.BetaTextBlockParam{{Text: req.System}}
	}
	tools, betas, err := p.tools(req)
	if err != nil {
		return out, err
	}
	out.Tools, out.Betas = tools, betas
	toolsets := map[string]string{} // tool_use ID → its toolset, for the results
	for i, m := range req.Messages {
		blocks := make([]sdk.BetaContentBlockParamUnion, 0, len(m.Content))
		for _, b := range m.Content {
			pb, ok, err := block(b, toolsets)
			if err != nil {
				return out, fmt.Errorf("%w: message %d: %v", ErrInvalidRequest, i, err)
			}
			if ok {
				blocks = append(blocks, pb)
			}
		}
		if len(blocks) == 0 {
			return out, fmt.Errorf("%w: message %d is empty", ErrInvalidRequest, i)
		}
		switch m.Role {
		case agent.RoleUser:
			out.Messages = append(out.Messages, sdk.BetaMessageParam{OfUser: &sdk.BetaUserMessageParam{Content: blocks}})
		case agent.RoleAssistant:
			out.Messages = append(out.Messages, sdk.BetaMessageParam{OfAssistant: &sdk.BetaAssistantMessageParam{Content: blocks}})
		default:
			return out, fmt.Errorf("%w: message %d: role %q", ErrInvalidRequest, i, m.Role)
		}
	}
	return out, nil
}

// block converts one block; ok is false for a block that is dropped (an
// empty text, another provider's opaque block).
func block(b agent.Block, toolsets map[string]string) (sdk.BetaContentBlockParamUnion, bool, error) {
	switch b.Type {
	case agent.BlockText:
		if b.Text == "" {
			return sdk.BetaContentBlockParamUnion{}, false, nil
		}
		return sdk.NewBetaTextBlock(b.Text), true, nil
	case agent.BlockImage:
		if b.Image == nil {
			return sdk.BetaContentBlockParamUnion{}, false, fmt.Errorf("image block without an image")
		}
		return sdk.BetaContentBlockParamUnion{OfImage: imageParam(b.Image)}, true, nil
	case agent.BlockToolUse:
		u := b.ToolUse
		if u == nil {
			return sdk.BetaContentBlockParamUnion{}, false, fmt.Errorf("tool_use block without a call")
		}
		input := u.Input
		if len(input) == 0 || !json.Valid(input) {
			input = json.RawMessage(`{}`)
		}
		pu := sdk.BetaToolUseBlockParam{ID: u.ID, Name: u.Name, Input: input}
		if u.Toolset != "" {
			pu.ToolsetName = sdk.String(u.Toolset)
			toolsets[u.ID] = u.Toolset
		}
		return sdk.BetaContentBlockParamUnion{OfToolUse: &pu}, true, nil
	case agent.BlockToolResult:
		r := b.ToolResult
		if r == nil {
			return sdk.BetaContentBlockParamUnion{}, false, fmt.Errorf("tool_result block without a result")
		}
		pr := sdk.BetaToolResultBlockParam{ToolUseID: r.ToolUseID}
		if r.IsError {
			pr.IsError = sdk.Bool(true)
		}
		if ts := toolsets[r.ToolUseID]; ts != "" {
			pr.ToolsetName = sdk.String(ts)
		}
		for _, c := range r.Content {
			switch {
			case c.Type == agent.BlockText && c.Text != "":
				pr.Content = append(pr.Content, sdk.BetaToolResultBlockParamContentUnion{OfText: &sdk.BetaTextBlockParam{Text: c.Text}})
			case c.Type == agent.BlockImage && c.Image != nil:
				pr.Content = append(pr.Content, sdk.BetaToolResultBlockParamContentUnion{OfImage: imageParam(c.Image)})
			}
		}
		return sdk.BetaContentBlockParamUnion{OfToolResult: &pr}, true, nil
	case agent.BlockOpaque:
		if pb, ok := b.Opaque.(sdk.BetaContentBlockParamUnion); ok {
			return pb, true, nil
		}
		return sdk.BetaContentBlockParamUnion{}, false, nil
	}
	return sdk.BetaContentBlockParamUnion{}, false, fmt.Errorf("block type %q", b.Type)
}

// imageParam is a base64 image block.
func imageParam(img *agent.Image) *sdk.BetaImageBlockParam {
	mt := img.MediaType
	if mt == "" {
		mt = "image/png"
	}
	return &sdk.BetaImageBlockParam{Source: sdk.BetaImageBlockParamSourceUnion{OfBase64: &sdk.BetaBase64ImageSourceParam{
		Data:      base64.StdEncoding.EncodeToString(img.Data),
		MediaType: sdk.BetaBase64ImageSourceMediaType(mt),
	}}}
}

// tools declares the computer tool of the provider's version and the
// function tools, with the beta headers they need.
func (p *Provider) tools(req agent.Request) ([]sdk.BetaToolUnionParam, []sdk.AnthropicBeta, error) {
	var (
		tools []sdk.BetaToolUnionParam
		betas []sdk.AnthropicBeta
	)
	switch p.opts.Tool {
	case Computer20251124:
		if req.DisplayWidth <= 0 || req.DisplayHeight <= 0 {
			return nil, nil, fmt.Errorf("%w: display %dx%d", ErrInvalidRequest, req.DisplayWidth, req.DisplayHeight)
		}
		tools = append(tools, sdk.BetaToolUnionParam{OfComputerUseTool20251124: &sdk.BetaToolComputerUse20251124Param{
			DisplayWidthPx:  int64(req.DisplayWidth),
			DisplayHeightPx: int64(req.DisplayHeight),
			EnableZoom:      sdk.Bool(true),
		}})
		betas = append(betas, sdk.AnthropicBetaComputerUse2025_11_24)
	case ComputerToolset20260801:
		tools = append(tools, sdk.BetaToolUnionParam{OfComputerToolset20260801: &sdk.BetaComputerToolset20260801Param{}})
	}
	for _, t := range req.Tools {
		if t.Name == computerToolName && p.opts.Tool == Computer20251124 {
			return nil, nil, fmt.Errorf("%w: function tool %q clashes with the computer tool (tools: %s)", ErrInvalidRequest, t.Name, toolNames(req.Tools))
		}
		var schema struct {
			Properties any      `json:"properties"`
			Required   []string `json:"required"`
		}
		if len(t.InputSchema) > 0 {
			if err := json.Unmarshal(t.InputSchema, &schema); err != nil {
				return nil, nil, fmt.Errorf("%w: tool %q: input schema: %v", ErrInvalidRequest, t.Name, err)
			}
		}
		if schema.Properties == nil {
			schema.Properties = map[string]any{}
		}
		tp := sdk.BetaToolParam{Name: t.Name, InputSchema: sdk.BetaToolInputSchemaParam{Properties: schema.Properties, Required: schema.Required}}
		if t.Description != "" {
			tp.Description = sdk.String(t.Description)
		}
		tools = append(tools, sdk.BetaToolUnionParam{OfTool: &tp})
	}
	return tools, betas, nil
}

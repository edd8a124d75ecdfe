package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/lkbrowser/lkbrowser/computer"
)

// continueText is the user message of a Run with no text after a turn the
// model ended.
const continueText = "Continue."

// loop is Run once it holds the agent.
func (a *Agent) loop(ctx context.Context, text string) (out Outcome, err error) {
	defer a.setStatus(StatusIdle)
	if err := ctx.Err(); err != nil {
		return Outcome{Reason: ReasonCanceled}, err
	}
	a.addUserText(text)
	for {
		if out.Steps >= a.opts.MaxSteps {
			out.Reason = ReasonMaxSteps
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			out.Reason = ReasonCanceled
			return out, err
		}
		a.setStatus(StatusThinking)
		dw, dh := a.comp.Display()
		msg, err := a.provider.Step(ctx, Request{
			System:        a.opts.Instructions,
			Messages:      a.history,
			Tools:         functionTools,
			DisplayWidth:  dw,
			DisplayHeight: dh,
		})
		out.Steps++
		if err != nil {
			if ctx.Err() != nil {
				out.Reason = ReasonCanceled
				return out, ctx.Err()
			}
			out.Reason = ReasonError
			return out, fmt.Errorf("%w: %w", ErrModel, err)
		}
		msg.Role = RoleAssistant
		var uses []*ToolUse
		for _, b := range msg.Content {
			switch {
			case b.Type == BlockText && b.Text != "":
				out.Final = b.Text
				a.obs.Said(b.Text)
			case b.Type == BlockToolUse && b.ToolUse != nil:
				uses = append(uses, b.ToolUse)
			}
		}
		a.log.Debug("agent: model step", "step", out.Steps, "stop", msg.StopReason, "calls", len(uses))
		if len(msg.Content) > 0 { // an empty assistant message is not sent back
			a.history = append(a.history, msg)
		}
		if len(uses) == 0 {
			out.Reason = ReasonEndTurn
			return out, nil
		}
		results, reason, err := a.perform(ctx, uses, &out)
		a.history = append(a.history, Message{Role: RoleUser, Content: results})
		prune(a.history, a.opts.KeepScreenshots)
		if reason != "" {
			out.Reason = reason
			return out, err
		}
	}
}

// perform answers a turn's tool calls in order. After a call fails, the
// turn's later calls are answered ErrNotExecuted (they assumed it had
// worked); the model sees why and tries again. A Gate error, a done ctx or
// a closed page ends the Run: reason says which, and every call left is
// answered too, so that the conversation stays whole.
func (a *Agent) perform(ctx context.Context, uses []*ToolUse, out *Outcome) (results []Block, reason string, err error) {
	results = make([]Block, 0, len(uses))
	var failed error // the call that failed, for the ones after it
	for _, use := range uses {
		out.Actions++
		if reason != "" || failed != nil {
			why := "the run ended first"
			if reason == "" {
				why = "an earlier action of this turn failed: " + failed.Error()
			}
			results = append(results, errorResult(use.ID, fmt.Sprintf("%v: %s", ErrNotExecuted, why)))
			out.Errors++
			continue
		}
		content, cerr := a.call(ctx, use)
		if cerr == nil {
			results = append(results, Block{Type: BlockToolResult, ToolResult: &ToolResult{ToolUseID: use.ID, Content: content}})
			continue
		}
		out.Errors++
		var g *gateError
		switch {
		case errors.Is(cerr, ErrPageChanged):
			// The model planned on a page that is gone: it sees the page
			// now, and the turn's later calls are not performed.
			failed = cerr
			results = append(results, a.pageChangedResult(ctx, use.ID, cerr))
		case errors.As(cerr, &g):
			reason, err = ReasonGate, g.err
			if ctx.Err() != nil {
				reason, err = ReasonCanceled, ctx.Err()
			}
			results = append(results, errorResult(use.ID, fmt.Sprintf("%v: the run ended first", ErrNotExecuted)))
		case ctx.Err() != nil:
			reason, err = ReasonCanceled, ctx.Err()
			results = append(results, errorResult(use.ID, "interrupted: the run ended before this action finished"))
		case pageGone(cerr):
			reason, err = ReasonError, cerr
			results = append(results, errorResult(use.ID, cerr.Error()))
		default:
			failed = cerr
			results = append(results, errorResult(use.ID, cerr.Error()))
		}
	}
	return results, reason, err
}

// call performs one tool call: it reads it, waits for the Gate, tells the
// Observer and acts.
func (a *Agent) call(ctx context.Context, use *ToolUse) ([]Block, error) {
	if use.Err != nil {
		a.log.Debug("agent: unreadable tool call", "tool", use.Name, "err", use.Err)
		return nil, use.Err
	}
	var act computer.Action
	switch {
	case use.Action != nil:
		act = *use.Action
	case use.Toolset != "":
		return nil, &InputError{Tool: use.Name, Reason: "not a member of toolset " + use.Toolset, Err: ErrUnknownTool}
	default:
		var err error
		if act, err = functionAction(use); err != nil {
			return nil, err
		}
		if act.Kind == ActionNavigate {
			if err := checkURL(act.Text, a.opts.NavigateSchemes); err != nil {
				return nil, err
			}
		}
	}
	if a.opts.Gate != nil {
		if err := a.opts.Gate(ctx); err != nil {
			if errors.Is(err, ErrPageChanged) && ctx.Err() == nil {
				return nil, err
			}
			return nil, &gateError{err: err}
		}
	}
	a.setStatus(StatusActing)
	pw, ph := a.nav.Width(), a.nav.Height()
	a.obs.Acting(act, a.pagePoint(act, pw, ph), pw, ph)
	content, err := a.execute(ctx, act)
	a.obs.Acted(act, err)
	if err != nil {
		a.log.Debug("agent: action failed", "action", act.Kind, "err", err)
	}
	return content, err
}

// pageChangedResult answers a call the Gate skipped because someone else
// used the page: an error result with the page as it is now.
func (a *Agent) pageChangedResult(ctx context.Context, id string, cause error) Block {
	content := []Block{TextBlock(fmt.Sprintf("%v: not executed; someone else used the page meanwhile. This is the page now: look before you act.", cause))}
	if shot, err := a.shot(ctx); err == nil {
		content = append(content, shot...)
	}
	return Block{Type: BlockToolResult, ToolResult: &ToolResult{ToolUseID: id, Content: content, IsError: true}}
}

// gateError carries the Gate's error out of call.
type gateError struct{ err error }

func (e *gateError) Error() string { return "agent: gate: " + e.err.Error() }

// errorResult is an error tool result.
func errorResult(id, text string) Block {
	return Block{Type: BlockToolResult, ToolResult: &ToolResult{ToolUseID: id, Content: []Block{TextBlock(text)}, IsError: true}}
}

// addUserText starts the Run's turn. The text joins the last message when
// that is the user's (the tool results of a Run cut short), so roles keep
// alternating; an empty text adds nothing then, and "Continue." after a
// turn the model ended.
func (a *Agent) addUserText(text string) {
	n := len(a.history)
	if n > 0 && a.history[n-1].Role == RoleUser {
		if text != "" {
			a.history[n-1].Content = append(a.history[n-1].Content, TextBlock(text))
		}
		return
	}
	if text == "" {
		text = continueText
	}
	a.history = append(a.history, Message{Role: RoleUser, Content: []Block{TextBlock(text)}})
}

// setStatus tells the Observer a change of status.
func (a *Agent) setStatus(s Status) {
	if s == a.status {
		return
	}
	a.status = s
	a.obs.Status(s)
}

package lkbrowser

import (
	"context"
	"encoding/json"
	"fmt"

	cdpruntime "github.com/chromedp/cdproto/runtime"
)

// MaxEvalResult is the largest JSON result Eval returns, in bytes.
const MaxEvalResult = 16 << 20

// EvalError reports a JavaScript exception thrown by an Eval expression.
type EvalError struct {
	// Text is the exception's message, e.g. "Uncaught Error: boom".
	Text string
}

func (e *EvalError) Error() string { return "lkbrowser: eval: " + e.Text }

// Eval evaluates a JavaScript expression in the page's main frame, awaits it
// if it is a promise, and returns its value as JSON ("null" for undefined).
// A thrown exception returns an *EvalError with the exception's text. A
// result larger than MaxEvalResult returns an error matching
// ErrResultTooLarge; the page is unharmed (a 50 MB string costs a few
// seconds of transfer, and the memory of a copy, before it is refused).
func (p *Page) Eval(ctx context.Context, expr string) (json.RawMessage, error) {
	if err := p.usable(); err != nil {
		return nil, err
	}
	yes := true
	res, err := cdpCall(ctx, p, cdpruntime.Evaluate, cdpruntime.EvaluateParams{
		Expression: expr, ReturnByValue: &yes, AwaitPromise: &yes,
	})
	if err != nil {
		return nil, err
	}
	if ex := res.ExceptionDetails; ex != nil {
		text := ex.Text
		if ex.Exception != nil && ex.Exception.Description != "" {
			text = ex.Exception.Description
		}
		return nil, &EvalError{Text: text}
	}
	if res.Result == nil || len(res.Result.Value) == 0 {
		if res.Result != nil && res.Result.UnserializableValue != "" {
			// NaN, Infinity, -0, bigints: JSON cannot hold them; quote them.
			return json.Marshal(string(res.Result.UnserializableValue))
		}
		return json.RawMessage("null"), nil
	}
	if len(res.Result.Value) > MaxEvalResult {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrResultTooLarge, len(res.Result.Value), MaxEvalResult)
	}
	return json.RawMessage(res.Result.Value), nil
}

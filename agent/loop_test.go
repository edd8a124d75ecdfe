package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/computer"
)

// newTestAgent makes an agent over fakes: a 640x360 display on a 1280x720
// page.
func newTestAgent(t *testing.T, p *scripted, opts Options) (*Agent, *fakeComputer, *fakePage) {
	t.Helper()
	comp := &fakeComputer{w: 640, h: 360}
	page := &fakePage{w: 1280, h: 720}
	p.t = t
	a, err := newAgent(page, comp, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a, comp, page
}

func TestRunEndTurn(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(use(computer.Action{Kind: computer.Screenshot})),
		calls(use(computer.Action{Kind: computer.Click, Point: pt(10, 20)})),
		say("Clicked the button."),
	}}
	obs := &recorder{}
	a, comp, _ := newTestAgent(t, p, Options{Observer: obs})
	out, err := a.Run(context.Background(), "click the button")
	if err != nil {
		t.Fatal(err)
	}
	want := Outcome{Steps: 3, Actions: 2, Final: "Clicked the button.", Reason: ReasonEndTurn}
	if out != want {
		t.Errorf("outcome %+v, want %+v", out, want)
	}
	if got, want := comp.kinds(), []computer.Kind{computer.Wait, computer.Screenshot, computer.Click, computer.Screenshot}; !slices.Equal(got, want) {
		t.Errorf("computer did %v, want %v (the first look settles first; a screenshot after the click)", got, want)
	}
	reqs := p.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	if reqs[0].DisplayWidth != 640 || reqs[0].DisplayHeight != 360 || reqs[0].System != DefaultInstructions || len(reqs[0].Tools) != 3 {
		t.Errorf("first request: display %dx%d, %d tools", reqs[0].DisplayWidth, reqs[0].DisplayHeight, len(reqs[0].Tools))
	}
	if m := reqs[0].Messages; len(m) != 1 || m[0].Content[0].Text != "click the button" {
		t.Errorf("first request's messages: %+v", m)
	}
	for i, wantImg := range []string{"png-1", "png-2"} {
		rs := results(reqs[i+1])
		if len(rs) != 1 || rs[0].IsError || resultImage(rs[0]) != wantImg {
			t.Errorf("request %d: results %+v, want one image %s", i+1, rs, wantImg)
		}
	}
	wantObs := []string{
		"status thinking",
		"status acting", "acting screenshot nil 1280x720", "acted screenshot false",
		"status thinking",
		"status acting", "acting click 21,41 1280x720", "acted click false", // (10,20) of 640x360 on 1280x720
		"status thinking",
		"said Clicked the button.",
		"status idle",
	}
	if got := obs.list(); !slices.Equal(got, wantObs) {
		t.Errorf("observer:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantObs, "\n"))
	}
}

func TestToolErrorsGoBackToTheModel(t *testing.T) {
	offDisplay := errors.New("computer: click: Point (700,20) is outside the 640x360 display")
	bad := &ToolUse{ID: "toolu_bad", Name: "computer", Input: []byte(`{}`),
		Err: &InputError{Tool: "computer", Action: "fly", Err: ErrUnknownAction}}
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(bad),
		calls(fn("teleport", `{}`)),
		calls(&ToolUse{ID: "toolu_ts", Name: "fly", Toolset: "computer", Input: []byte(`{}`)}),
		calls(fn(ToolNavigate, `{}`)),
		calls(fn(ToolNavigate, `{"url": 5}`)),
		// A refused action; the turn's next call is not executed.
		calls(use(computer.Action{Kind: computer.Click, Point: pt(700, 20)}), use(computer.Action{Kind: computer.Type, Text: "x"})),
		say("I could not."),
	}}
	a, comp, page := newTestAgent(t, p, Options{})
	comp.refuse = func(a computer.Action) error {
		if a.Point != nil && a.Point.X >= 640 {
			return offDisplay
		}
		return nil
	}
	out, err := a.Run(context.Background(), "go")
	if err != nil {
		t.Fatal(err)
	}
	if out.Reason != ReasonEndTurn || out.Steps != 7 || out.Actions != 7 || out.Errors != 7 {
		t.Errorf("outcome %+v", out)
	}
	if len(comp.kinds()) != 0 || len(page.visited) != 0 {
		t.Errorf("the page was acted on: %v %v", comp.kinds(), page.visited)
	}
	reqs := p.requests()
	wants := [][]string{
		{"unknown action", "fly"},
		{"unknown tool", "teleport"},
		{"unknown tool", "fly"},
		{"invalid tool input", "url", "required"},
		{"invalid tool input", "navigate"},
		{"outside the 640x360 display"},
	}
	for i, want := range wants {
		rs := results(reqs[i+1])
		if len(rs) == 0 || !rs[0].IsError {
			t.Errorf("request %d: results %+v, want an error", i+1, rs)
			continue
		}
		for _, w := range want {
			if !strings.Contains(resultText(rs[0]), w) {
				t.Errorf("request %d: error %q does not say %q", i+1, resultText(rs[0]), w)
			}
		}
	}
	rs := results(reqs[6])
	if len(rs) != 2 || !rs[1].IsError || !strings.Contains(resultText(rs[1]), "not executed") {
		t.Errorf("the call after a refused one: %+v", rs)
	}
}

func TestMaxStepsAndResume(t *testing.T) {
	shot := use(computer.Action{Kind: computer.Screenshot})
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(shot), calls(shot), calls(shot), say("done"),
	}}
	a, _, _ := newTestAgent(t, p, Options{MaxSteps: 3})
	out, err := a.Run(context.Background(), "loop")
	if err != nil || out.Reason != ReasonMaxSteps || out.Steps != 3 || out.Actions != 3 {
		t.Fatalf("Run = %+v, %v; want 3 steps, max_steps", out, err)
	}
	// An empty text resumes: the tool results stay the last message.
	out, err = a.Run(context.Background(), "")
	if err != nil || out.Reason != ReasonEndTurn || out.Steps != 1 {
		t.Fatalf("second Run = %+v, %v", out, err)
	}
	last := p.requests()[3].Messages
	if m := last[len(last)-1]; m.Role != RoleUser || len(m.Content) != 1 || m.Content[0].Type != BlockToolResult {
		t.Errorf("resumed request ends with %+v, want the tool result alone", m)
	}
	// A text after the end of a turn is a new user message.
	p.turns = append(p.turns, say("hi"))
	if _, err := a.Run(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	last = p.requests()[4].Messages
	if m := last[len(last)-1]; m.Role != RoleUser || m.Content[0].Text != "hello" {
		t.Errorf("last message %+v", m)
	}
}

func TestCancelWhileThinking(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		func(ctx context.Context, _ Request) (Message, error) { <-ctx.Done(); return Message{}, ctx.Err() },
	}}
	obs := &recorder{}
	a, _, _ := newTestAgent(t, p, Options{Observer: obs})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	out, err := a.Run(ctx, "wait")
	if !errors.Is(err, context.Canceled) || out.Reason != ReasonCanceled {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %v after cancel", d)
	}
	if got := obs.list(); !slices.Equal(got, []string{"status thinking", "status idle"}) {
		t.Errorf("observer %v", got)
	}
}

func TestCancelWhileActing(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(use(computer.Action{Kind: computer.Wait, Duration: time.Hour}), use(computer.Action{Kind: computer.Screenshot})),
		say("resumed"),
	}}
	a, comp, _ := newTestAgent(t, p, Options{})
	comp.blockOn = computer.Wait
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	out, err := a.Run(ctx, "wait")
	if !errors.Is(err, context.DeadlineExceeded) || out.Reason != ReasonCanceled || out.Actions != 2 {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	// Both calls are answered, so the next Run sends a valid conversation.
	comp.blockOn = ""
	if out, err := a.Run(context.Background(), "go on"); err != nil || out.Final != "resumed" {
		t.Fatalf("next Run = %+v, %v", out, err)
	}
	last := p.requests()[1].Messages
	m := last[len(last)-1]
	if len(m.Content) != 3 || !m.Content[0].ToolResult.IsError || !m.Content[1].ToolResult.IsError || m.Content[2].Text != "go on" {
		t.Errorf("last message %+v", m)
	}
}

func TestGateEndsTheRun(t *testing.T) {
	stop := errors.New("a person took the page")
	calls2 := 0
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(use(computer.Action{Kind: computer.Screenshot}), use(computer.Action{Kind: computer.Click, Point: pt(1, 1)}), use(computer.Action{Kind: computer.Screenshot})),
		say("ok"),
	}}
	a, comp, _ := newTestAgent(t, p, Options{Gate: func(ctx context.Context) error {
		if calls2++; calls2 == 2 {
			return stop
		}
		return nil
	}})
	out, err := a.Run(context.Background(), "go")
	if !errors.Is(err, stop) || out.Reason != ReasonGate || out.Actions != 3 {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	if got := comp.kinds(); !slices.Equal(got, []computer.Kind{computer.Wait, computer.Screenshot}) {
		t.Errorf("computer did %v: the gate did not stop the click", got)
	}
	if _, err := a.Run(context.Background(), "again"); err != nil {
		t.Fatal(err)
	}
}

func TestPageClosedEndsTheRun(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(use(computer.Action{Kind: computer.Click, Point: pt(1, 1)})),
	}}
	a, comp, _ := newTestAgent(t, p, Options{})
	comp.refuse = func(computer.Action) error { return lkbrowser.ErrClosed }
	out, err := a.Run(context.Background(), "go")
	if !errors.Is(err, lkbrowser.ErrClosed) || out.Reason != ReasonError {
		t.Fatalf("Run = %+v, %v", out, err)
	}
}

func TestModelError(t *testing.T) {
	boom := errors.New("overloaded")
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		func(context.Context, Request) (Message, error) { return Message{}, boom },
	}}
	a, _, _ := newTestAgent(t, p, Options{})
	out, err := a.Run(context.Background(), "go")
	if !errors.Is(err, ErrModel) || !errors.Is(err, boom) || out.Reason != ReasonError {
		t.Fatalf("Run = %+v, %v", out, err)
	}
}

func TestNavigateTools(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(fn(ToolNavigate, `{"url":"https://example.com/"}`), fn(ToolGoBack, `{}`), fn(ToolGoForward, ``)),
		say("ok"),
	}}
	obs := &recorder{}
	a, comp, page := newTestAgent(t, p, Options{Observer: obs})
	if out, err := a.Run(context.Background(), "go"); err != nil || out.Errors != 0 {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	if got := page.visited; !slices.Equal(got, []string{"https://example.com/", "back", "forward"}) {
		t.Errorf("visited %v", got)
	}
	// Each waits for the page to settle, then takes a screenshot.
	want := []computer.Kind{computer.Wait, computer.Screenshot, computer.Wait, computer.Screenshot, computer.Wait, computer.Screenshot}
	if got := comp.kinds(); !slices.Equal(got, want) {
		t.Errorf("computer did %v, want %v", got, want)
	}
	rs := results(p.requests()[1])
	if len(rs) != 3 || resultImage(rs[0]) != "png-1" || resultImage(rs[2]) != "png-3" {
		t.Errorf("results %+v", rs)
	}
	got := obs.list()
	for _, w := range []string{"acting navigate nil 1280x720", "acting go_back nil 1280x720", "acting go_forward nil 1280x720"} {
		if !slices.Contains(got, w) {
			t.Errorf("observer %v lacks %q", got, w)
		}
	}
}

func TestNavigateFails(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(fn(ToolNavigate, `{"url":"https://unreachable.invalid/"}`)),
		say("ok"),
	}}
	a, comp, page := newTestAgent(t, p, Options{})
	page.fail = errors.New(`lkbrowser: load of https://unreachable.invalid/ failed: net::ERR_NAME_NOT_RESOLVED`)
	out, err := a.Run(context.Background(), "go")
	if err != nil || out.Errors != 1 {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	if rs := results(p.requests()[1]); len(rs) != 1 || !rs[0].IsError || !strings.Contains(resultText(rs[0]), "ERR_NAME_NOT_RESOLVED") {
		t.Errorf("results %+v", rs)
	}
	if len(comp.kinds()) != 0 {
		t.Errorf("computer did %v", comp.kinds())
	}
}

func TestKeepScreenshots(t *testing.T) {
	shot := use(computer.Action{Kind: computer.Screenshot})
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(shot), calls(shot), calls(shot), calls(shot), calls(shot), say("seen"),
	}}
	a, _, _ := newTestAgent(t, p, Options{KeepScreenshots: 2})
	if _, err := a.Run(context.Background(), "look"); err != nil {
		t.Fatal(err)
	}
	last := p.requests()[5]
	if n := countImages(last.Messages); n != 2 {
		t.Errorf("%d images in the last request, want 2", n)
	}
	var texts []string
	for _, m := range last.Messages {
		for _, b := range m.Content {
			if b.ToolResult != nil {
				texts = append(texts, resultText(b.ToolResult)+resultImage(b.ToolResult))
			}
		}
	}
	want := []string{omittedText, omittedText, omittedText, "png-4", "png-5"}
	if !slices.Equal(texts, want) {
		t.Errorf("results %v, want %v", texts, want)
	}
}

func TestCursorPosition(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(use(computer.Action{Kind: computer.MouseMove, Point: pt(30, 40)}), use(computer.Action{Kind: computer.CursorPosition})),
		say("ok"),
	}}
	a, _, _ := newTestAgent(t, p, Options{})
	if _, err := a.Run(context.Background(), "where"); err != nil {
		t.Fatal(err)
	}
	rs := results(p.requests()[1])
	if len(rs) != 2 || resultImage(rs[0]) != "png-1" || resultText(rs[1]) != "X=30,Y=40" {
		t.Errorf("results %+v %+v", rs[0], rs[1])
	}
}

func TestNewRefuses(t *testing.T) {
	comp := &fakeComputer{w: 10, h: 10}
	page := &fakePage{w: 10, h: 10}
	for _, c := range []struct {
		name string
		p    Provider
		o    Options
	}{
		{"nil provider", nil, Options{}},
		{"negative MaxSteps", &scripted{}, Options{MaxSteps: -1}},
		{"negative KeepScreenshots", &scripted{}, Options{KeepScreenshots: -1}},
	} {
		if _, err := newAgent(page, comp, c.p, c.o); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := New(nil, nil, &scripted{}, Options{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("New(nil page): %v", err)
	}
}

func TestRunsAreSerialised(t *testing.T) {
	release := make(chan struct{})
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		func(context.Context, Request) (Message, error) {
			<-release
			return Message{Content: []Block{TextBlock("a")}}, nil
		},
		say("b"),
	}}
	a, _, _ := newTestAgent(t, p, Options{})
	done := make(chan error, 1)
	go func() { _, err := a.Run(context.Background(), "first"); done <- err }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if out, err := a.Run(ctx, "second"); !errors.Is(err, context.DeadlineExceeded) || out.Reason != ReasonCanceled {
		t.Errorf("a Run during a Run = %+v, %v; want it to wait until ctx is done", out, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := a.Run(context.Background(), "second"); err != nil {
		t.Fatal(err)
	}
}

func TestNavigateSchemes(t *testing.T) {
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(fn(ToolNavigate, `{"url":"file:///etc/passwd"}`)),
		calls(fn(ToolNavigate, `{"url":"javascript:alert(1)"}`)),
		calls(fn(ToolNavigate, `{"url":"https:///nohost"}`)),
		calls(fn(ToolNavigate, `{"url":"HTTPS://example.com/"}`)),
		say("ok"),
	}}
	a, _, page := newTestAgent(t, p, Options{})
	out, err := a.Run(context.Background(), "go")
	if err != nil || out.Errors != 3 {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	for i := 1; i <= 3; i++ {
		if rs := results(p.requests()[i]); !rs[0].IsError || !strings.Contains(resultText(rs[0]), "URL not allowed") {
			t.Errorf("request %d: %+v", i, rs[0])
		}
	}
	if !slices.Equal(page.visited, []string{"HTTPS://example.com/"}) {
		t.Errorf("visited %v", page.visited)
	}
	// A program may allow more.
	p2 := &scripted{turns: []func(context.Context, Request) (Message, error){calls(fn(ToolNavigate, `{"url":"file:///tmp/x.html"}`)), say("ok")}}
	a, _, page = newTestAgent(t, p2, Options{NavigateSchemes: []string{"file"}})
	if out, err := a.Run(context.Background(), "go"); err != nil || out.Errors != 0 || len(page.visited) != 1 {
		t.Errorf("file allowed: %+v, %v, %v", out, err, page.visited)
	}
}

// TestGatePageChanged: a Gate that reports the page changed while the agent
// waited skips the planned click (and the turn's later calls), answers it
// with an error result holding a fresh screenshot, and the Run goes on.
func TestGatePageChanged(t *testing.T) {
	gates := 0
	p := &scripted{turns: []func(context.Context, Request) (Message, error){
		calls(use(computer.Action{Kind: computer.Click, Point: pt(1, 1)}), use(computer.Action{Kind: computer.Type, Text: "x"})),
		calls(use(computer.Action{Kind: computer.Click, Point: pt(2, 2)})),
		say("done"),
	}}
	a, comp, _ := newTestAgent(t, p, Options{Gate: func(ctx context.Context) error {
		if gates++; gates == 1 {
			return fmt.Errorf("a person used the page: %w", ErrPageChanged)
		}
		return nil
	}})
	out, err := a.Run(context.Background(), "go")
	if err != nil || out.Reason != ReasonEndTurn || out.Actions != 3 || out.Errors != 2 {
		t.Fatalf("Run = %+v, %v; want end_turn after 3 calls, 2 answered with errors", out, err)
	}
	if got := comp.kinds(); !slices.Equal(got, []computer.Kind{computer.Screenshot, computer.Click, computer.Screenshot}) {
		t.Errorf("computer did %v; want the skipped click's screenshot, then the second click and its screenshot", got)
	}
	res := results(p.requests()[1])
	if len(res) != 2 || !res[0].IsError || !strings.Contains(resultText(res[0]), "someone else used the page") ||
		!slices.ContainsFunc(res[0].Content, func(b Block) bool { return b.Type == BlockImage }) {
		t.Fatalf("results of the skipped turn %+v; want an error with the page's screenshot", res)
	}
	if !res[1].IsError || !strings.Contains(resultText(res[1]), "not executed") {
		t.Errorf("the turn's second call: %+v, want not executed", res[1])
	}
}

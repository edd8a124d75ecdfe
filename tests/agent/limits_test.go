package agent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lkbrowser/lkbrowser/agent"
	"github.com/lkbrowser/lkbrowser/agent/anthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
)

// A model that never ends its turn stops at MaxSteps; the next Run with no
// text picks up where it stopped.
func TestAgentStepLimit(t *testing.T) {
	page := openForm(t, "form.html")
	fake := fakeanthropic.New()
	for range 3 {
		fake.Append(fakeanthropic.Call(fakeanthropic.Computer("t", "screenshot", nil)))
	}
	defer fake.Close()
	a := newAgent(t, page, fake, anthropic.Options{}, agent.Options{MaxSteps: 3})
	out, err := runAgent(t, a, "look forever")
	if err != nil || out.Reason != agent.ReasonMaxSteps || out.Steps != 3 || out.Actions != 3 {
		t.Fatalf("Run = %+v, %v (refused %v)", out, err, fake.Refused())
	}
	if n := len(fake.Requests()); n != 3 {
		t.Errorf("%d model calls, want 3", n)
	}
	fake.Append(func(r *fakeanthropic.Request) fakeanthropic.Reply {
		// The last screenshot's result is answered, and nothing was added.
		if res := r.Results(); len(res) != 1 || res[0].IsError || len(r.Messages[len(r.Messages)-1].Content) != 1 {
			t.Errorf("resumed with %+v", r.Messages[len(r.Messages)-1])
		}
		return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("seen")}}
	})
	if out, err := runAgent(t, a, ""); err != nil || out.Reason != agent.ReasonEndTurn || out.Final != "seen" {
		t.Errorf("resumed Run = %+v, %v", out, err)
	}
	noRefusals(t, fake)
}

// Cancelling the context ends the Run promptly, whether the agent waits
// for the model or acts (a long wait), and the conversation stays valid.
func TestAgentCancel(t *testing.T) {
	page := openForm(t, "form.html")
	fake := fakeanthropic.New(
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			<-r.Context.Done() // a model that takes forever
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("late")}}
		},
		fakeanthropic.Call(fakeanthropic.Computer("t1", "wait", map[string]any{"duration": 60})),
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			if res := r.Results(); len(res) != 1 || !res[0].IsError {
				t.Errorf("the cut wait answered %+v", res)
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("ok")}}
		},
	)
	defer fake.Close()
	obs := &observed{}
	a := newAgent(t, page, fake, anthropic.Options{}, agent.Options{Observer: obs})
	for i, task := range []string{"think long", "wait long"} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		start := time.Now()
		out, err := a.Run(ctx, task)
		took := time.Since(start)
		cancel()
		if !errors.Is(err, context.Canceled) || out.Reason != agent.ReasonCanceled {
			t.Errorf("Run %d = %+v, %v; want canceled", i, out, err)
		}
		if took > 2500*time.Millisecond {
			t.Errorf("Run %d took %v, cancelled after 500ms", i, took)
		}
		if ev := obs.list(); ev[len(ev)-1] != "status idle" {
			t.Errorf("Run %d ended with %q, want status idle", i, ev[len(ev)-1])
		}
	}
	if out, err := runAgent(t, a, "go on"); err != nil || out.Final != "ok" {
		t.Errorf("Run after the cancels = %+v, %v (refused %v)", out, err, fake.Refused())
	}
	noRefusals(t, fake)
}

// Only the newest KeepScreenshots screenshots stay in the conversation.
func TestAgentKeepScreenshots(t *testing.T) {
	page := openForm(t, "form.html")
	fake := fakeanthropic.New()
	for range 4 {
		fake.Append(fakeanthropic.Call(fakeanthropic.Computer("t", "screenshot", nil)))
	}
	var last *fakeanthropic.Request
	fake.Append(func(r *fakeanthropic.Request) fakeanthropic.Reply {
		last = r
		return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("seen")}}
	})
	defer fake.Close()
	a := newAgent(t, page, fake, anthropic.Options{}, agent.Options{KeepScreenshots: 2})
	if _, err := runAgent(t, a, "look"); err != nil {
		t.Fatalf("Run: %v (refused %v)", err, fake.Refused())
	}
	var kinds []string
	for _, m := range last.Messages {
		for _, b := range m.Content {
			if b.Type != "tool_result" {
				continue
			}
			if len(b.Content.Images()) == 1 {
				shot(t, b.Content.Images()[0])
				kinds = append(kinds, "image")
			} else {
				kinds = append(kinds, b.Content.Text())
			}
		}
	}
	want := []string{"[screenshot omitted]", "[screenshot omitted]", "image", "image"}
	if len(kinds) != 4 || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] || kinds[3] != want[3] {
		t.Errorf("the last request's results: %q, want %q", kinds, want)
	}
	if n := len(last.Images()); n != 2 {
		t.Errorf("%d images in the last request, want 2", n)
	}
	noRefusals(t, fake)
}

package room

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lkbrowser/lkbrowser/internal/testing/fakeanthropic"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// `lkbrowser agent` with ANTHROPIC_BASE_URL on the scripted model:
// publishes the page, runs --task (the click lands, the room hears the
// agent, the CLI prints what it said), takes a chat message as a new task,
// and Ctrl-C while the model is thinking ends it at once, exit 0, with
// nothing but its own lines.
func TestAgentCLI(t *testing.T) {
	clicked.Store(0)
	thinking := make(chan struct{})
	model := fakeanthropic.New(
		fakeanthropic.Call(fakeanthropic.Computer("t1", "screenshot", nil)),
		fakeanthropic.Call(fakeanthropic.Computer("t2", "left_click", map[string]any{"coordinate": []int{120, 280}})),
		fakeanthropic.Say("Done: clicked it."),
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			close(thinking)
			<-r.Context.Done() // thinks until the client goes away
			return fakeanthropic.Reply{Status: 500, ErrorType: "api_error"}
		},
	)
	defer model.Close()
	room := roomName(t)
	cli := startCLI(t, []string{"ANTHROPIC_API_KEY=test-key", "ANTHROPIC_BASE_URL=" + model.URL, "LIVEKIT_API_SECRET=" + lk.APISecret()},
		"agent", "--task", "Click the green button.", "--model", "claude-test-model", "--viewer-addr", "off",
		"--livekit-url", lk.URL(), "--api-key", lk.APIKey(), "--room", room, "--width", "640", "--height", "360",
		web.URL+"/page.html#silent")
	if got := cli.line(t, "publishing", 90*time.Second); !strings.Contains(got, `into room "`+room+`"`) {
		t.Errorf("publishing line %q", got)
	}
	sub := subscribe(t, lk, "cli-person")
	if got := cli.line(t, "agent says:", 60*time.Second); got != "Done: clicked it." {
		t.Errorf("agent says %q", got)
	}
	if !eventually(10*time.Second, func() bool { return clicked.Load() == 1 }) {
		t.Errorf("the agent's click did not reach the page: %d clicks", clicked.Load())
	}
	waitColour(t, sub, 120, 280, yellow, 15*time.Second)
	reqs := model.Requests()
	if len(reqs) < 3 || reqs[0].Model != "claude-test-model" || lastUserText(reqs[0]) != "Click the green button." {
		t.Fatalf("requests %d (refused %v); first: model %q, text %q", len(reqs), model.Refused(), reqs[0].Model, lastUserText(reqs[0]))
	}

	// A person's chat message: the model gets it, and thinks (forever).
	msg, _ := json.Marshal(lksession.AgentChat{Text: "And now?"})
	if err := sub.Send(lksession.DefaultIdentity, lksession.TopicAgentChat, msg); err != nil {
		t.Fatal(err)
	}
	select {
	case <-thinking:
	case <-time.After(30 * time.Second):
		t.Fatalf("the chat message did not reach the model; requests %d, refused %v\nstderr:\n%s", len(model.Requests()), model.Refused(), cli.errors())
	}
	if got := lastUserText(model.Requests()[3]); got != "And now?" {
		t.Errorf("the chat message reached the model as %q", got)
	}
	waitPayload(t, sub, lksession.TopicAgentStatus, `{"status":"thinking"}`, 5*time.Second)

	start := time.Now()
	if code := cli.interrupt(5 * time.Second); code != 0 {
		t.Fatalf("exit %d after Ctrl-C (-1: still running after 5 s)\nstderr:\n%s", code, cli.errors())
	}
	t.Logf("Ctrl-C to exit: %v", time.Since(start).Round(time.Millisecond))
	if stderr := cli.errors(); stderr != "" {
		t.Errorf("agent without --verbose wrote to stderr:\n%s", stderr)
	}
	if l := testsupport.SDKLogLine(cli.errors()); l != "" {
		t.Errorf("SDK logging: %q", l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Wait(ctx, "the publisher to leave", func() bool { return sub.LeftLocked(lksession.DefaultIdentity) }); err != nil {
		t.Error(err)
	}
}

// Without ANTHROPIC_API_KEY, agent says so in one line on stderr and
// exits 1, before starting anything.
func TestAgentCLIWithoutKey(t *testing.T) {
	cmd := exec.Command(cliBinary(t), "agent", "--viewer-addr", "off", "--task", "x", web.URL+"/page.html")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANTHROPIC_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("exit %v (%v), want 1; stderr:\n%s", cmd.ProcessState, err, stderr.String())
	}
	if got := stderr.String(); got != "lkbrowser: agent: ANTHROPIC_API_KEY is not set: the agent needs an Anthropic API key\n" {
		t.Errorf("stderr %q", got)
	}
	if stdout.Len() != 0 || time.Since(start) > 5*time.Second {
		t.Errorf("stdout %q after %v", stdout.String(), time.Since(start))
	}
}

// `lkbrowser agent` seen through its viewer page (real livekit-client in
// headless Chromium), opened after the agent started: its status and
// cursor (over the picture, at the page pixel it clicked), its words; a
// message typed in the viewer's chat reaches the model and the answer
// shows.
func TestAgentViewer(t *testing.T) {
	clicked.Store(0)
	seen := make(chan struct{})
	model := fakeanthropic.New(
		fakeanthropic.Call(fakeanthropic.Computer("t1", "screenshot", nil)),
		fakeanthropic.Call(fakeanthropic.Text("Clicking."), fakeanthropic.Computer("t2", "left_click", map[string]any{"coordinate": []int{480, 90}})),
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			select { // thinks, its cursor shown, until the viewer has seen it
			case <-seen:
			case <-r.Context.Done():
			}
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("Done.")}}
		},
		func(r *fakeanthropic.Request) fakeanthropic.Reply {
			return fakeanthropic.Reply{Content: []fakeanthropic.Block{fakeanthropic.Text("Got: " + lastUserText(r))}}
		},
	)
	defer model.Close()
	cli := startCLI(t, []string{"ANTHROPIC_API_KEY=test-key", "ANTHROPIC_BASE_URL=" + model.URL},
		"agent", "--task", "Click the blue side.", "--viewer-addr", "127.0.0.1:0", "--width", "640", "--height", "360",
		web.URL+"/page.html#silent")
	viewerURL := cli.line(t, "viewer:", 90*time.Second)

	ctx := headlessChromium(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	wait := func(what, expr string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({...document.body.dataset, chat: document.getElementById('chat-log').innerText})`))
			t.Fatalf("viewer: waiting for %s: %v; page %s\nCLI stderr:\n%s", what, err, state, cli.errors())
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(viewerURL)); err != nil {
		t.Fatal(err)
	}
	wait("video", `document.body.dataset.video === 'playing'`)
	// The viewer joined after the agent clicked: the room's announcements
	// tell it the status and the cursor (the chat before it joined is gone).
	wait("the agent's status and cursor", `document.body.dataset.agent === 'present' && document.body.dataset.agentStatus === 'thinking' &&
		document.getElementById('agent-cursor').dataset.visible === 'true'`)
	// The cursor's centre is on page pixel (480, 90) of the displayed video.
	off, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const v = document.getElementById('video').getBoundingClientRect(), vid = document.getElementById('video');
		const s = Math.min(v.width / vid.videoWidth, v.height / vid.videoHeight);
		const x = v.left + (v.width - vid.videoWidth * s) / 2 + 480 * s, y = v.top + (v.height - vid.videoHeight * s) / 2 + 90 * s;
		const c = document.getElementById('agent-cursor').getBoundingClientRect();
		return [c.left + c.width / 2 - x, c.top + c.height / 2 - y];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(off) != 2 || off[0]*off[0]+off[1]*off[1] > 4 {
		t.Errorf("the agent's cursor is %v CSS pixels off page pixel (480, 90)", off)
	}
	close(seen)
	wait("idle", `document.body.dataset.agentStatus === 'idle' && document.getElementById('agent-cursor').dataset.visible === 'false' &&
		document.querySelector('#chat-log li:last-child').textContent.endsWith('Done.')`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#chat-input")), chromedp.KeyEvent("What now?\r")); err != nil {
		t.Fatal(err)
	}
	wait("the answer", `document.querySelector('#chat-log li:last-child').textContent.endsWith('Got: What now?')`)
	if code := cli.interrupt(10 * time.Second); code != 0 {
		t.Fatalf("exit %d after Ctrl-C\nstderr:\n%s", code, cli.errors())
	}
}

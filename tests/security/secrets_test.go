package security

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/livekit/protocol/auth"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// leaks lists what text must not contain: any of secrets, a JWT (a token
// minted from the secret is as good as the secret for its lifetime) or a
// token in a URL.
func leaks(text string, secrets ...string) []string {
	var found []string
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			found = append(found, fmt.Sprintf("%.12s...", s))
		}
	}
	for _, marker := range []string{"eyJhbGciOi", "access_token="} { // base64 of `{"alg":`
		if strings.Contains(text, marker) {
			found = append(found, marker)
		}
	}
	return found
}

// checkNoLeak fails the test when text leaks one of secrets.
func checkNoLeak(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	if found := leaks(text, secrets...); len(found) > 0 {
		i := strings.Index(text, strings.TrimSuffix(found[0], "..."))
		lo, hi := max(0, i-200), min(len(text), i+100)
		t.Errorf("%s shows %v; around it: %q", where, found, text[lo:hi])
	}
}

// publishToken mints a token that lets identity publish in room.
func publishToken(key, secret, room, identity string) (string, error) {
	yes := true
	return auth.NewAccessToken(key, secret).SetIdentity(identity).SetValidFor(time.Hour).
		SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: room, CanPublish: &yes, CanSubscribe: &yes, CanPublishData: &yes}).
		ToJWT()
}

// The API secret and join tokens appear in no log line (everything, the
// LiveKit SDK's own included, captured at debug level) and in no error:
// sessions that join with a key and secret or with a token, and sessions
// refused for a wrong secret, a forged token or an unreachable server.
func TestSessionNeverLogsSecrets(t *testing.T) {
	srv := liveKit(t)
	var logs testsupport.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lksdk.SetLogger(protoLogger.LogRLogger(logr.FromSlogHandler(log.Handler())))
	t.Cleanup(func() { lksdk.SetLogger(protoLogger.GetDiscardLogger()) })

	const room = "secrets"
	token, err := publishToken(srv.APIKey(), lkSecret, room, "page-with-token")
	if err != nil {
		t.Fatal(err)
	}
	wrongSecret := "lkb-wrong-secret-" + strings.Repeat("9", 32)
	forged, err := publishToken(srv.APIKey(), wrongSecret, room, "forger")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{lkSecret, token, wrongSecret, forged}

	p := openPage(t, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0xff, 0, 0})
	sub := subscribe(t, room, "watcher")

	start := func(opts lksession.Options) (*lksession.Session, error) {
		opts.Room, opts.Logger = room, log
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return lksession.Start(ctx, p, opts)
	}
	// Joins that work: the page is seen in the room, then leaves.
	for name, opts := range map[string]lksession.Options{
		"key and secret": {URL: srv.URL(), APIKey: srv.APIKey(), APISecret: lkSecret, Identity: "page-with-secret"},
		"token":          {URL: srv.URL(), Token: token},
	} {
		sess, err := start(opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := sub.WaitColour(ctx, 10, 10, 0xff, 0, 0, 28); err != nil {
			t.Errorf("%s: the page is not seen in the room: %v", name, err)
		}
		cancel()
		if err := sess.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	}
	// Joins that fail.
	for name, opts := range map[string]lksession.Options{
		"wrong secret":       {URL: srv.URL(), APIKey: srv.APIKey(), APISecret: wrongSecret},
		"forged token":       {URL: srv.URL(), Token: forged},
		"no server (token)":  {URL: "ws://127.0.0.1:1", Token: token},
		"no server (secret)": {URL: "ws://127.0.0.1:1", APIKey: srv.APIKey(), APISecret: lkSecret},
		"bad URL":            {URL: "nope", APIKey: srv.APIKey(), APISecret: lkSecret},
	} {
		sess, err := start(opts)
		if err == nil {
			sess.Close()
			t.Errorf("%s: joined", name)
			continue
		}
		t.Logf("%s: %v", name, err)
		checkNoLeak(t, name+": the error", fmt.Sprintf("%v %+v %#v", err, err, err), secrets...)
	}
	text := logs.String()
	t.Logf("%d bytes of logs captured, %d lines", len(text), strings.Count(text, "\n"))
	if !strings.Contains(text, "level=DEBUG") || !strings.Contains(text, "component=livekit-sdk") {
		t.Errorf("the capture holds no debug lines of the SDK: the check would prove little")
	}
	checkNoLeak(t, "the logs", text, secrets...)
}

// `lkbrowser publish --verbose` prints neither the API secret (given
// through LIVEKIT_API_SECRET or --api-secret) nor any token: not while it
// publishes and serves viewers their tokens, not when it is refused.
func TestPublishCLINeverPrintsSecrets(t *testing.T) {
	srv := liveKit(t)
	bin := cliBinary(t)
	wrongSecret := "lkb-wrong-cli-secret-" + strings.Repeat("7", 32)

	// A session that works, with a viewer that hands out a token.
	cmd := exec.Command(bin, "publish", "--verbose", "--viewer-addr", "127.0.0.1:0",
		"--livekit-url", srv.URL(), "--api-key", srv.APIKey(), "--room", "cli-secrets",
		"--width", "320", "--height", "240", url("solid.html#00ff00"))
	cmd.Env = append(os.Environ(), "LIVEKIT_API_SECRET="+lkSecret)
	var stderr testsupport.SyncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	var out strings.Builder
	var viewer string
	timeout := time.After(90 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("publish exited early:\n%s\nstderr:\n%s", out.String(), stderr.String())
			}
			out.WriteString(l + "\n")
			if v, ok := strings.CutPrefix(l, "viewer: "); ok {
				viewer = v
			}
			if strings.HasPrefix(l, "press Ctrl-C") {
				break wait
			}
		case <-timeout:
			t.Fatalf("publish did not start:\n%s\nstderr:\n%s", out.String(), stderr.String())
		}
	}
	sub := subscribe(t, "cli-secrets", "cli-watcher")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sub.WaitColour(ctx, 10, 10, 0, 0xff, 0, 28); err != nil {
		t.Fatalf("the published page is not seen: %v", err)
	}
	// The viewer's token is one of the secrets checked below: without it
	// the check would pass having checked nothing.
	if viewer == "" {
		t.Fatalf("publish printed no viewer: line:\n%s", out.String())
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(viewer, "/")+"/api/join", nil)
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		t.Fatalf("viewer /api/join: %v", err)
	}
	var j struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&j)
	resp.Body.Close()
	viewerToken := j.Token
	if err != nil || viewerToken == "" {
		t.Fatalf("the viewer handed out no token (%v)", err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	for l := range lines {
		out.WriteString(l + "\n")
	}
	if err := <-done; err != nil {
		t.Errorf("publish after SIGINT: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("publish: %d bytes of stdout, %d bytes of stderr (debug logs)", out.Len(), len(stderr.String()))
	if !strings.Contains(stderr.String(), "level=DEBUG") {
		t.Errorf("no debug logs on stderr: the check would prove little:\n%s", stderr.String())
	}
	checkNoLeak(t, "stdout", out.String(), lkSecret, viewerToken)
	checkNoLeak(t, "stderr", stderr.String(), lkSecret, viewerToken)

	// A session refused for a wrong secret, given as a flag.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel2()
	bad := exec.CommandContext(ctx2, bin, "publish", "--verbose", "--viewer-addr", "off", "--timeout", "20s",
		"--livekit-url", srv.URL(), "--api-key", srv.APIKey(), "--api-secret", wrongSecret,
		"--width", "320", "--height", "240", url("solid.html#00ff00"))
	combined, err := bad.CombinedOutput()
	if err == nil {
		t.Fatalf("publish with a wrong secret succeeded:\n%s", combined)
	}
	lastLine := strings.TrimSpace(string(combined))
	if i := strings.LastIndex(lastLine, "\n"); i >= 0 {
		lastLine = lastLine[i+1:]
	}
	t.Logf("refused: %v: %s", err, lastLine)
	checkNoLeak(t, "the output of a refused publish", string(combined), wrongSecret, lkSecret)
}

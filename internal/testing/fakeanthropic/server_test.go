package fakeanthropic

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, beta, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/messages?beta=true", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	if beta != "" {
		req.Header.Set("Anthropic-Beta", beta)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The checks refuse what the API refuses, and a valid request gets its
// turn's stream.
func TestServerChecks(t *testing.T) {
	s := New(Call(Computer("toolu_9", "screenshot", nil)))
	defer s.Close()
	tool := `"tools":[{"type":"computer_20251124","name":"computer","display_width_px":640,"display_height_px":360}]`
	for _, c := range []struct{ beta, body, says string }{
		{"", `{"model":"m","max_tokens":10,` + tool + `,"messages":[{"role":"user","content":"hi"}]}`, "needs the anthropic-beta header"},
		{"computer-use-2025-11-24", `{"model":"m","max_tokens":10,` + tool + `,"messages":[]}`, "at least one message"},
		{"computer-use-2025-11-24", `{"model":"m","max_tokens":10,` + tool + `,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"computer","input":{}}]},{"role":"user","content":"next"}]}`, "do not answer"},
		{"computer-use-2025-11-24", `{"model":"m","max_tokens":10,` + tool + `,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"left_click","toolset_name":"computer","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]}`, "was not declared"},
		{"computer-use-2025-11-24", `{"model":"m","max_tokens":10,` + tool + `,"messages":[{"role":"user","content":[{"type":"text","text":""}]}]}`, "non-empty"},
		{"computer-use-2025-11-24", `{"model":"m","max_tokens":10,` + tool + `,"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}`, "alternate"},
	} {
		code, body := post(t, s, c.beta, c.body)
		if code != 400 || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %s; want 400 saying %q", c.body, code, body, c.says)
		}
	}
	if len(s.Requests()) != 0 {
		t.Errorf("refused requests were recorded as valid")
	}
	code, body := post(t, s, "computer-use-2025-11-24", `{"model":"m","max_tokens":10,"stream":true,`+tool+`,"messages":[{"role":"user","content":"hi"}]}`)
	if code != 200 || !strings.Contains(body, "event: message_start") || !strings.Contains(body, `"partial_json":"{\"actio"`) || !strings.Contains(body, "event: message_stop") {
		t.Errorf("stream: %d %s", code, body)
	}
	code, body = post(t, s, "computer-use-2025-11-24", `{"model":"m","max_tokens":10,`+tool+`,"messages":[{"role":"user","content":"hi"}]}`)
	if code != 400 || !strings.Contains(body, "script exhausted") {
		t.Errorf("past the script: %d %s", code, body)
	}
}

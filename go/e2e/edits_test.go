package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEditsSurviveKill is a crash drill: every acknowledged edit is in the
// history after the server is killed with SIGKILL and started again on the
// same data, on both stores.
func TestEditsSurviveKill(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { editsSurviveKill(t, t.TempDir()) })
	t.Run("postgres", func(t *testing.T) { editsSurviveKill(t, t.TempDir(), "--db", freshPostgresSchema(t)) })
}

func editsSurviveKill(t *testing.T, dataDir string, extra ...string) {
	s := startServer(t, dataDir, extra...)
	_, appTok := newApp(t, s)
	tok := register(t, s, appTok, "editor")
	var st status
	s.must(s.do("POST", "/api/v1/statuses", tok, url.Values{"status": {"version zero"}}), http.StatusOK).decode(t, &st)
	for _, text := range []string{"version one", "version two"} {
		s.must(s.do("PUT", "/api/v1/statuses/"+st.ID, tok, url.Values{"status": {text}}), http.StatusOK)
	}
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited

	s = startServer(t, dataDir, extra...)
	var history []struct {
		Content string `json:"content"`
	}
	s.must(s.do("GET", "/api/v1/statuses/"+st.ID+"/history", tok, nil), http.StatusOK).decode(t, &history)
	want := []string{"version zero", "version one", "version two"}
	if len(history) != len(want) {
		t.Fatalf("history after SIGKILL has %d versions, want %d: %+v", len(history), len(want), history)
	}
	for i, w := range want {
		if !strings.Contains(history[i].Content, w) {
			t.Errorf("version %d = %q, want %q", i, history[i].Content, w)
		}
	}
	var after struct {
		Content  string  `json:"content"`
		EditedAt *string `json:"edited_at"`
	}
	s.must(s.do("GET", "/api/v1/statuses/"+st.ID, tok, nil), http.StatusOK).decode(t, &after)
	if !strings.Contains(after.Content, "version two") || after.EditedAt == nil {
		t.Errorf("status after SIGKILL = %+v, want the last edit with edited_at", after)
	}
	s.stop()
}

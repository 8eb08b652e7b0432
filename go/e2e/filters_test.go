package e2e

import (
	"net/http"
	"net/url"
	"syscall"
	"testing"
)

// TestCrashKeepsFiltersAndConversations: a filter and a direct message,
// each acknowledged, survive kill -9 of the server: the conversation was
// written in the status's transaction, and the filter applies after the
// restart.
func TestCrashKeepsFiltersAndConversations(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	_, _, tok := users(t, s, "alice", "bob")
	s.must(s.doJSON("POST", "/api/v2/filters", tok["alice"], map[string]any{"title": "Secrets", "context": []string{"thread"},
		"keywords_attributes": []map[string]any{{"keyword": "secret"}}}), http.StatusOK)
	var dm struct {
		ID string `json:"id"`
	}
	s.must(s.do("POST", "/api/v1/statuses", tok["bob"], url.Values{"status": {"@alice a secret"}, "visibility": {"direct"}}),
		http.StatusOK).decode(t, &dm)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited

	s = startServer(t, dir)
	var conversations []struct {
		Unread     bool `json:"unread"`
		LastStatus struct {
			ID       string `json:"id"`
			Filtered []struct {
				KeywordMatches []string `json:"keyword_matches"`
			} `json:"filtered"`
		} `json:"last_status"`
	}
	s.must(s.do("GET", "/api/v1/conversations", tok["alice"], nil), http.StatusOK).decode(t, &conversations)
	if len(conversations) != 1 || conversations[0].LastStatus.ID != dm.ID || !conversations[0].Unread {
		t.Fatalf("alice's conversations after kill -9: %+v, want bob's message, unread", conversations)
	}
	var status struct {
		Filtered []struct {
			KeywordMatches []string `json:"keyword_matches"`
		} `json:"filtered"`
	}
	s.must(s.do("GET", "/api/v1/statuses/"+dm.ID, tok["alice"], nil), http.StatusOK).decode(t, &status)
	if len(status.Filtered) != 1 || len(status.Filtered[0].KeywordMatches) != 1 {
		t.Errorf("the message after kill -9 is filtered %+v, want the Secrets filter's match", status.Filtered)
	}
}

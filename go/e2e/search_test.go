package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestSearchForgetsDeletedStatuses is issue #7 §14 over HTTP on SQLite:
// posting and deleting the same words again and again must not push a
// live status out of search results (deleted statuses used to stay in the
// vector index and fill the candidates search asks it for).
func TestSearchForgetsDeletedStatuses(t *testing.T) {
	searchForgetsDeleted(t, t.TempDir())
}

// TestSearchForgetsDeletedStatusesPostgres is the same on PostgreSQL.
func TestSearchForgetsDeletedStatusesPostgres(t *testing.T) {
	searchForgetsDeleted(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

func searchForgetsDeleted(t *testing.T, dataDir string, extra ...string) {
	s := startServer(t, dataDir, append([]string{"--rate-limit", "0"}, extra...)...)
	_, _, tok := users(t, s, "alice", "bob")
	var live status
	// Not every query word is in it, so only the vector index finds it:
	// full-text search needs them all.
	s.must(s.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {"my sourdough loaf came out dense"}}), http.StatusOK).decode(t, &live)
	for range 15 {
		var spam status
		s.must(s.do("POST", "/api/v1/statuses", tok["bob"], url.Values{"status": {"sourdough loaf crumb"}}), http.StatusOK).decode(t, &spam)
		s.must(s.do("DELETE", "/api/v1/statuses/"+spam.ID, tok["bob"], nil), http.StatusOK)
	}
	var res struct {
		Statuses []status `json:"statuses"`
	}
	s.must(s.do("GET", "/api/v2/search?type=statuses&limit=1&q="+url.QueryEscape("sourdough loaf crumb"), tok["alice"], nil),
		http.StatusOK).decode(t, &res)
	if !slices.Equal(ids(res.Statuses), []string{live.ID}) {
		t.Fatalf("search after 15 post+delete rounds found %v, want the live status %s", ids(res.Statuses), live.ID)
	}
}

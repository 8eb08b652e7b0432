package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestEmbedderChangeAndMeaning drives a change of embedder in the real
// binary: statuses indexed with the hash embedder, then a restart with the
// default (built-in subword) one. The restart serves the hash index from
// its snapshot while the statuses are embedded again in the background,
// and then finds a status by meaning, with no word shared with the query
// (the hash embedder can only match it by a bucket collision).
func TestEmbedderChangeAndMeaning(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, "--rate-limit", "0", "--embedder", "hash")
	_, _, tok := users(t, s, "alice")
	var senate status
	s.must(s.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {"the senate passed the budget bill"}}), http.StatusOK).decode(t, &senate)
	for _, text := range []string{"my phone battery dies quickly", "a dull movie with a weak plot"} {
		s.must(s.do("POST", "/api/v1/statuses", tok["alice"], url.Values{"status": {text}}), http.StatusOK)
	}
	search := func(s *server, q string) []string {
		var res struct {
			Statuses []status `json:"statuses"`
		}
		s.must(s.do("GET", "/api/v2/search?type=statuses&q="+url.QueryEscape(q), tok["alice"], nil), http.StatusOK).decode(t, &res)
		return ids(res.Statuses)
	}
	const meaning = "congress approved spending" // no word in common with the senate status
	s.stop()                                     // writes the hash index's snapshot

	again := startServer(t, dir, "--rate-limit", "0")
	rec := again.startupRecord("search: embedder changed; searches use the previous embedder's index until every status is embedded again")
	if rec == nil || rec["previous"] != "hash-v1-256" || rec["vectors"] != float64(3) {
		t.Fatalf("restart with the default embedder: change record %v", rec)
	}
	// The background job re-embeds the three statuses, then searches switch.
	deadline := time.Now().Add(20 * time.Second)
	for got := search(again, meaning); len(got) == 0 || got[0] != senate.ID; got = search(again, meaning) {
		if time.Now().After(deadline) {
			t.Fatalf("the subword embedder never found the senate status for %q: %v", meaning, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := search(again, "senate"); !slices.Contains(got, senate.ID) {
		t.Fatalf("full text and vectors lost the senate status: %v", got)
	}
}

package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestFeedTwoProcesses runs two servers on one PostgreSQL and one Redis,
// with their timelines in Redis (hybrid, threshold 2): a home each
// process has cached receives the statuses posted through the other, a
// pushed author's and a celebrity's alike.
func TestFeedTwoProcesses(t *testing.T) {
	redisURL, ns := testRedis(t)
	db := freshPostgresSchema(t)
	args := []string{"--db", db, "--redis", redisURL, "--redis-channel", ns + ":stream", "--feed-redis-prefix", ns + ":feed:",
		"--feed-strategy", "hybrid", "--celebrity-threshold", "2", "--rate-limit", "0"}
	a := startServer(t, t.TempDir(), args...)
	bsrv := startServer(t, t.TempDir(), args...)

	_, appTok := newApp(t, a)
	tokens, ids := registerAll(t, a, appTok, "star", "pal", "fan1", "fan2")
	// star has two followers (a celebrity at threshold 2), pal one.
	a.must(a.do("POST", "/api/v1/accounts/"+ids["star"]+"/follow", tokens["fan1"], nil), http.StatusOK)
	bsrv.must(bsrv.do("POST", "/api/v1/accounts/"+ids["star"]+"/follow", tokens["fan2"], nil), http.StatusOK)
	a.must(a.do("POST", "/api/v1/accounts/"+ids["pal"]+"/follow", tokens["fan1"], nil), http.StatusOK)
	for _, s := range []*server{a, bsrv} { // both build the homes
		homeIDs(t, s, tokens["fan1"])
		homeIDs(t, s, tokens["fan2"])
	}
	post := func(s *server, who, text string) string {
		var st status
		s.must(s.do("POST", "/api/v1/statuses", tokens[who], url.Values{"status": {text}}), http.StatusOK).decode(t, &st)
		return st.ID
	}
	p1 := post(a, "pal", "pushed, through a")
	s1 := post(a, "star", "merged, through a")
	p2 := post(bsrv, "pal", "pushed, through b")
	s2 := post(bsrv, "star", "merged, through b")
	for _, s := range []*server{a, bsrv} {
		if got, want := homeIDs(t, s, tokens["fan1"]), []string{s2, p2, s1, p1}; !slices.Equal(got, want) {
			t.Fatalf("fan1's home on %s = %v, want %v", s.base, got, want)
		}
		if got, want := homeIDs(t, s, tokens["fan2"]), []string{s2, s1}; !slices.Equal(got, want) {
			t.Fatalf("fan2's home on %s = %v, want %v", s.base, got, want)
		}
	}
}

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPresenceTwoProcesses runs two servers on one PostgreSQL and one
// Redis (--redis): an account marked online through one (a heartbeat) is
// online for a follower asking the other, until its mark expires
// (--presence-ttl); an account not followed is never reported.
func TestPresenceTwoProcesses(t *testing.T) {
	redisURL, ns := testRedis(t)
	db := freshPostgresSchema(t)
	args := []string{"--db", db, "--redis", redisURL, "--redis-channel", ns + ":stream", "--feed-redis-prefix", ns + ":feed:",
		"--presence-redis-prefix", ns + ":presence:", "--presence-ttl", "2s", "--rate-limit", "0"}
	a := startServer(t, t.TempDir(), args...)
	b := startServer(t, t.TempDir(), args...)
	_, appTok := newApp(t, a)
	tokens, ids := registerAll(t, a, appTok, "alice", "bob", "carol")
	a.must(a.do("POST", "/api/v1/accounts/"+ids["bob"]+"/follow", tokens["alice"], nil), http.StatusOK)
	ask := func(s *server) string {
		t.Helper()
		var got []struct {
			ID     string `json:"id"`
			Online bool   `json:"online"`
		}
		s.must(s.do("GET", "/api/v1/starling/presence?id[]="+ids["bob"]+"&id[]="+ids["carol"], tokens["alice"], nil), http.StatusOK).decode(t, &got)
		var parts []string
		for _, p := range got {
			parts = append(parts, fmt.Sprintf("%s:%v", p.ID, p.Online))
		}
		return strings.Join(parts, ",")
	}
	offline, online := ids["bob"]+":false", ids["bob"]+":true"
	if got := ask(b); got != offline {
		t.Fatalf("before any heartbeat: %s, want %s", got, offline)
	}
	for _, name := range []string{"bob", "carol"} {
		a.must(a.do("POST", "/api/v1/starling/presence/heartbeat", tokens[name], nil), http.StatusOK)
	}
	if got := ask(b); got != online {
		t.Fatalf("process b after bob's heartbeat on a: %s, want %s (carol, not followed, left out)", got, online)
	}
	// The mark expires in Redis: wait (bounded) for it.
	deadline := time.Now().Add(15 * time.Second)
	for ask(b) != offline {
		if time.Now().After(deadline) {
			t.Fatal("bob still online 15 s after a 2 s mark")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

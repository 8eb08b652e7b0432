package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/internal/redistest"
)

// TestFeedTwoProcesses runs two servers on one PostgreSQL and one Redis,
// with their timelines in Redis (hybrid, threshold 2): a home each
// process has cached receives the statuses posted through the other, a
// pushed author's and a celebrity's alike.
func TestFeedTwoProcesses(t *testing.T) {
	redisURL, ns := testRedis(t)
	twoProcessHomes(t, ns, "--redis", redisURL)
}

// e2eCluster is the Redis Cluster of the e2e tests; its ports are theirs
// alone (go/feed and go/presence keep 7101-7103 and 7121-7123).
var e2eCluster = &redistest.Cluster{Ports: []int{7131, 7132, 7133}}

// TestFeedTwoProcessesCluster is the same with --redis-cluster on a real
// three-master Redis Cluster: timelines, the streaming bus, rate limits
// and presence all run on it, and the timelines land on more than one
// master.
func TestFeedTwoProcessesCluster(t *testing.T) {
	rdb := e2eCluster.Client(t) // starts the cluster; skips without STARLING_TEST_REDIS
	_, ns := testRedis(t)
	u := fmt.Sprintf("redis://127.0.0.1:%d?addr=127.0.0.1:%d&addr=127.0.0.1:%d", e2eCluster.Ports[0], e2eCluster.Ports[1], e2eCluster.Ports[2])
	a, appTok := twoProcessHomes(t, ns, "--redis", u, "--redis-cluster")
	// More homes, so their keys hash to every master: a client that did
	// not follow the cluster's slots would fail on two thirds of them.
	names := make([]string, 16)
	for i := range names {
		names[i] = fmt.Sprintf("reader%d", i)
	}
	tokens, _ := registerAll(t, a, appTok, names...)
	for _, tok := range tokens {
		homeIDs(t, a, tok)
	}

	// The timelines the servers wrote are spread over the masters.
	var keysMu sync.Mutex
	masters := 0
	err := rdb.(*redis.ClusterClient).ForEachMaster(context.Background(), func(ctx context.Context, node *redis.Client) error {
		n, err := node.Keys(ctx, ns+":feed:*").Result()
		if len(n) > 0 {
			keysMu.Lock()
			masters++
			keysMu.Unlock()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if masters < 2 {
		t.Fatalf("timeline keys on %d of 3 masters, want them spread (18 homes)", masters)
	}
}

// TestMain stops the e2e Redis Cluster if a test started it.
func TestMain(m *testing.M) {
	code := m.Run()
	e2eCluster.Stop()
	os.Exit(code)
}

// twoProcessHomes checks the homes of two processes sharing the Redis the
// arguments name, and returns the first process and its app token.
func twoProcessHomes(t *testing.T, ns string, redisArgs ...string) (*server, string) {
	t.Helper()
	db := freshPostgresSchema(t)
	args := append([]string{"--db", db, "--redis-channel", ns + ":stream", "--feed-redis-prefix", ns + ":feed:",
		"--feed-strategy", "hybrid", "--celebrity-threshold", "2", "--rate-limit", "0"}, redisArgs...)
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
	return a, appTok
}

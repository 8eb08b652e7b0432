package e2e

import (
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestReadyzChecksRedis runs the server with --redis against the real Redis
// (STARLING_TEST_REDIS) and against an address where nothing listens: Redis
// is optional, so the second is ready but "degraded".
func TestReadyzChecksRedis(t *testing.T) {
	redisURL := os.Getenv("STARLING_TEST_REDIS")
	if redisURL == "" {
		t.Skip("STARLING_TEST_REDIS not set: .ci/run sets it to the local Redis")
	}
	up := startServer(t, t.TempDir(), "--redis", redisURL)
	r := up.must(up.do("GET", "/readyz", "", nil), http.StatusOK)
	if !strings.Contains(string(r.body), `"redis":"ok"`) || !strings.Contains(string(r.body), `"database":"ok"`) ||
		!strings.Contains(string(r.body), `"status":"ok"`) {
		t.Fatalf("readyz with Redis up: %s", r.body)
	}

	// A port that was free a moment ago: nothing answers there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "redis://" + l.Addr().String() + "/0"
	l.Close()
	down := startServer(t, t.TempDir(), "--redis", dead)
	// Redis is optional: the server serves without it, degraded.
	r = down.must(down.do("GET", "/readyz", "", nil), http.StatusOK)
	if !strings.Contains(string(r.body), `"redis":"error`) || !strings.Contains(string(r.body), `"database":"ok"`) ||
		!strings.Contains(string(r.body), `"status":"degraded"`) {
		t.Fatalf("readyz with Redis down: %s", r.body)
	}
	// Liveness does not depend on Redis.
	down.must(down.do("GET", "/healthz", "", nil), http.StatusOK)
}

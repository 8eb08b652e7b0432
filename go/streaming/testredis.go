package streaming

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestRedis is for tests that need the real Redis: it returns the options
// of STARLING_TEST_REDIS and a pub/sub channel name of the test's own
// (other tests and engineers share that Redis), or skips t when the
// variable is unset.
func TestRedis(t testing.TB) (*redis.Options, string) {
	t.Helper()
	url := os.Getenv("STARLING_TEST_REDIS")
	if url == "" {
		t.Skip("STARLING_TEST_REDIS not set: .ci/run sets it to the local Redis")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return opts, "starling:test:" + hex.EncodeToString(b[:])
}

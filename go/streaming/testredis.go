package streaming

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/internal/redistest"
)

// TestRedis is for tests that need the real Redis: it returns the options
// of STARLING_TEST_REDIS and a pub/sub channel name of the test's own
// (other tests and engineers share that Redis), or skips t when the
// variable is unset.
func TestRedis(t testing.TB) (*redis.Options, string) {
	t.Helper()
	return redistest.Options(t), strings.TrimSuffix(redistest.Prefix(), ":")
}

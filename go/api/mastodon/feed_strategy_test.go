package mastodon

import (
	"log/slog"
	"os"
	"testing"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// strategyEnv names the home strategy the handler tests run with (pull
// when unset), so that the whole suite can be run per strategy:
// STARLING_TEST_FEED_STRATEGY=push go test ./go/api/mastodon/.
const strategyEnv = "STARLING_TEST_FEED_STRATEGY"

// feedStrategies are the strategies the tests that loop over them run:
// hybrid with a threshold of 2 followers, so that a test world holds both
// pushed authors and celebrities merged at read time.
var feedStrategies = []string{feed.StrategyPull, feed.StrategyPush, feed.StrategyHybrid}

// testStrategy is the strategy strategyEnv names.
func testStrategy(t *testing.T) string {
	t.Helper()
	if s := os.Getenv(strategyEnv); s != "" {
		return s
	}
	return feed.StrategyPull
}

// newTestHome returns the home feed of strategy over st.
func newTestHome(t *testing.T, st store.Store, strategy string) social.HomeFeed {
	t.Helper()
	cfg := feed.DefaultConfig()
	cfg.Strategy, cfg.CelebrityThreshold, cfg.Cap = strategy, 2, 20
	home, err := feed.New(st, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return home
}

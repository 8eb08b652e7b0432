package readcache_test

import (
	"os"
	"testing"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres/pgtest"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
	"github.com/starling-social/starling/go/store/storetest"
)

// The whole conformance suite, through the cache: every write-then-read
// the suite makes must see the write, on both backends.
func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return readcache.New(sqlitetest.NewStore(t), 0) })
}

func TestConformancePostgres(t *testing.T) {
	url := os.Getenv("STARLING_TEST_PG")
	if url == "" {
		t.Skip("STARLING_TEST_PG not set")
	}
	storetest.Run(t, func(t *testing.T) store.Store { return readcache.New(pgtest.NewStore(t, url), 0) })
}

package e2e

import (
	"os"
	"testing"

	"github.com/starling-social/starling/go/store/postgres/pgtest"
)

// freshPostgresSchema returns a URL of STARLING_TEST_PG whose connections
// use an empty schema of this test's own, dropped when the test ends.
func freshPostgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("STARLING_TEST_PG")
	if base == "" {
		t.Skip("STARLING_TEST_PG not set: .ci/run sets it to the local PostgreSQL")
	}
	return pgtest.NewSchema(t, base)
}

package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
)

// TestMigrateRefusesNewerSchema: a database carrying a migration this
// binary lacks (written by a newer release) is refused, by name.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := newTestStore(t)
	if _, err := postgres.Pool(s).Exec(t.Context(),
		`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_from_the_future.sql')`); err != nil {
		t.Fatal(err)
	}
	err := s.Migrate(t.Context())
	if !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "9999_from_the_future.sql") {
		t.Fatalf("Migrate on a newer schema: %v", err)
	}
}

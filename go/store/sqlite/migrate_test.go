package sqlite

import (
	"errors"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestMigrateRefusesNewerSchema: a database carrying a migration this
// binary lacks (written by a newer release) is refused, by name, and left
// as it is.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.w.ExecContext(t.Context(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	err := s.Migrate(t.Context())
	if !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "9999_from_the_future.sql") {
		t.Fatalf("Migrate on a newer schema: %v", err)
	}
}

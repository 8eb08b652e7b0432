package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/starling-social/starling/go/store"
)

// translate needs no server.
func TestTranslate(t *testing.T) {
	other := errors.New("connection reset")
	for _, c := range []struct {
		name string
		in   error
		want error // sentinel, or nil for "passed through"
	}{
		{"NoRows", pgx.ErrNoRows, store.ErrNotFound},
		{"WrappedNoRows", fmt.Errorf("scan: %w", pgx.ErrNoRows), store.ErrNotFound},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, store.ErrConflict},
		{"WrappedUniqueViolation", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), store.ErrConflict},
		{"ForeignKeyViolation", &pgconn.PgError{Code: "23503"}, nil},
		{"SerializationFailure", &pgconn.PgError{Code: "40001"}, nil},
		{"Other", other, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := translate(c.in)
			for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict} {
				if is, want := errors.Is(got, sentinel), sentinel == c.want; is != want {
					t.Errorf("translate(%v) = %v; errors.Is(_, %v) = %t, want %t", c.in, got, sentinel, is, want)
				}
			}
			if c.want == nil && got != c.in {
				t.Errorf("translate(%v) = %v, want it unchanged", c.in, got)
			}
		})
	}
	if translate(nil) != nil {
		t.Error("translate(nil) != nil")
	}
}

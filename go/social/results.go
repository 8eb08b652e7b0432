package social

import (
	"errors"

	"github.com/starling-social/starling/go/store"
)

// cursorOf is the Cursor of a newest-first page of rows with IDs id.
func cursorOf[T any](rows []T, id func(T) int64) Cursor {
	if len(rows) == 0 {
		return Cursor{}
	}
	return Cursor{Newest: id(rows[0]), Oldest: id(rows[len(rows)-1])}
}

// removed maps the outcome of a store delete: a row that is not there is
// not found (Mastodon's 404), other failures are internal.
func removed(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return notFound(op, "Record not found")
	default:
		return internal(op, err)
	}
}

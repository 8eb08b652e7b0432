package store

import (
	"fmt"
	"slices"
)

// Placeholder renders the SQL placeholder of the n-th bound argument
// (counting from 1): "?" for SQLite, "$n" for PostgreSQL. It is the only
// thing about a page window that differs between the backends.
type Placeholder func(n int) string

// Check reports a page no query can answer: Limit must be above zero.
func (p Page) Check() error {
	if p.Limit <= 0 {
		return fmt.Errorf("limit %d, want > 0", p.Limit)
	}
	return nil
}

// Window is the SQL that puts a query (one ending in a WHERE clause) inside
// p's ID window on col: each nonzero bound as an exclusive AND condition,
// then the order and the limit. Without MinID the rows are the Limit
// highest below MaxID, descending. With MinID they are the Limit lowest
// above MinID, ascending, so the caller must pass them through NewestFirst.
// The bounds are appended to args, their placeholders numbered after those
// already there.
func (p Page) Window(col string, args []any, ph Placeholder) (string, []any) {
	var sql string
	arg := func(v any) string {
		args = append(args, v)
		return ph(len(args))
	}
	if p.MaxID != 0 {
		sql += ` AND ` + col + ` < ` + arg(p.MaxID)
	}
	if p.SinceID != 0 {
		sql += ` AND ` + col + ` > ` + arg(p.SinceID)
	}
	if p.MinID != 0 {
		sql += ` AND ` + col + ` > ` + arg(p.MinID) + ` ORDER BY ` + col + ` ASC LIMIT ` + arg(p.Limit)
	} else {
		sql += ` ORDER BY ` + col + ` DESC LIMIT ` + arg(p.Limit)
	}
	return sql, args
}

// NewestFirst puts rows read through p's Window newest first: it reverses
// them, in place, when the window ran ascending (MinID set).
func NewestFirst[T any](p Page, rows []T) []T {
	if p.MinID != 0 {
		slices.Reverse(rows)
	}
	return rows
}

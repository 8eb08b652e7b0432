package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"golang.org/x/sync/singleflight"
)

// maxCachedStmts bounds the prepared statements a readDB keeps. The read
// queries are constant texts (lists travel as one JSON argument), a few
// hundred at most; a query beyond the bound runs unprepared.
const maxCachedStmts = 1024

// readDB is the read-only pool with its statements prepared once: the
// driver otherwise compiles a query on every call, which cost about a
// tenth of the server's CPU on a home timeline read (bench http, profile).
// database/sql prepares a Stmt lazily on each connection it runs on and
// re-prepares it on a new connection, so one Stmt per text serves the
// whole pool.
type readDB struct {
	*sql.DB
	mu       sync.RWMutex
	stmts    map[string]*sql.Stmt
	prepares singleflight.Group // by query text
}

func newReadDB(db *sql.DB) *readDB {
	return &readDB{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns query prepared, or nil when the cache is full.
//
// It prepares outside the lock: preparing takes a connection from the
// pool, and right after a restart, with every connection busy, holding the
// lock meanwhile stalled every query behind one new text. Concurrent first
// uses of one text wait for a single preparation (prepares); other texts
// go on.
func (d *readDB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	d.mu.RLock()
	st, ok := d.stmts[query]
	full := len(d.stmts) >= maxCachedStmts
	d.mu.RUnlock()
	if ok {
		return st, nil
	}
	if full {
		return nil, nil
	}
	v, err, _ := d.prepares.Do(query, func() (any, error) {
		d.mu.RLock()
		st, ok := d.stmts[query] // prepared by a flight that just ended
		d.mu.RUnlock()
		if ok {
			return st, nil
		}
		// Prepared outside the request's deadline: the statement
		// outlives the request that first needed it.
		st, err := d.DB.PrepareContext(context.WithoutCancel(ctx), query)
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		if len(d.stmts) >= maxCachedStmts {
			return (*sql.Stmt)(nil), st.Close()
		}
		d.stmts[query] = st
		return st, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*sql.Stmt), nil
}

// QueryContext runs query as database/sql's does, prepared once.
func (d *readDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return d.DB.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query as database/sql's does, prepared once. A
// failed preparation surfaces from the row's Scan, as it would unprepared.
func (d *readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.stmt(ctx, query)
	if err != nil || st == nil {
		return d.DB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Close closes the statements, then the pool.
func (d *readDB) Close() error {
	d.mu.Lock()
	var errs []error
	for q, st := range d.stmts {
		errs = append(errs, st.Close())
		delete(d.stmts, q)
	}
	d.mu.Unlock()
	return errors.Join(append(errs, d.DB.Close())...)
}

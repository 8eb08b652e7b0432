package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"

	"github.com/mattn/go-sqlite3"
	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/tracing"
)

// The pools open connections through tracedConnector, which wraps
// go-sqlite3's driver so that every statement run inside a recording span
// gets a child span (see tracing.StartSQL). Outside a recording span the
// wrapper only forwards the call.

type tracedConnector struct {
	dsn string
	drv *sqlite3.SQLiteDriver
}

func (c tracedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return tracedConn{conn.(*sqlite3.SQLiteConn)}, nil
}

func (c tracedConnector) Driver() driver.Driver { return c.drv }

// tracedConn implements the context-aware interfaces database/sql prefers,
// so every call passes through it.
type tracedConn struct{ c *sqlite3.SQLiteConn }

var (
	_ driver.ConnBeginTx        = tracedConn{}
	_ driver.ConnPrepareContext = tracedConn{}
	_ driver.ExecerContext      = tracedConn{}
	_ driver.QueryerContext     = tracedConn{}
	_ driver.Pinger             = tracedConn{}
)

const dbSystem = "sqlite"

func (t tracedConn) Prepare(query string) (driver.Stmt, error) { return t.c.Prepare(query) }
func (t tracedConn) Close() error                              { return t.c.Close() }
func (t tracedConn) Ping(ctx context.Context) error            { return t.c.Ping(ctx) }

//nolint:staticcheck // driver.Conn requires Begin; database/sql calls BeginTx.
func (t tracedConn) Begin() (driver.Tx, error) { return t.c.Begin() }

// PrepareContext wraps the statement, so statements prepared once and run
// many times (the reader pool's cache) are traced at each run.
func (t tracedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := t.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return tracedStmt{SQLiteStmt: st.(*sqlite3.SQLiteStmt), query: query}, nil
}

func (t tracedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	bctx, span := tracing.StartSQL(ctx, dbSystem, "BEGIN")
	tx, err := t.c.BeginTx(bctx, opts)
	tracing.End(span, err)
	if err != nil {
		return nil, err
	}
	// database/sql gives Commit no context: the transaction keeps the one
	// it began with, so COMMIT is a sibling of the statements.
	return tracedTx{tx: tx, ctx: ctx}, nil
}

func (t tracedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx, span := tracing.StartSQL(ctx, dbSystem, query)
	res, err := t.c.ExecContext(ctx, query, args)
	tracing.End(span, err)
	return res, err
}

func (t tracedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx, span := tracing.StartSQL(ctx, dbSystem, query)
	rows, err := t.c.QueryContext(ctx, query, args)
	return traceRows(rows, err, span)
}

// traceRows ends span now if there are no rows to read, else when they are
// closed: SQLite computes rows as they are read, so the span covers the
// real work.
func traceRows(rows driver.Rows, err error, span trace.Span) (driver.Rows, error) {
	if err != nil || !span.IsRecording() {
		tracing.End(span, err)
		return rows, err
	}
	return &tracedRows{Rows: rows, span: span}, nil
}

// tracedStmt embeds go-sqlite3's statement, so it keeps every method
// database/sql looks for, and traces the two it runs with a context.
type tracedStmt struct {
	*sqlite3.SQLiteStmt
	query string
}

var (
	_ driver.StmtExecContext  = tracedStmt{}
	_ driver.StmtQueryContext = tracedStmt{}
)

func (t tracedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ctx, span := tracing.StartSQL(ctx, dbSystem, t.query)
	res, err := t.SQLiteStmt.ExecContext(ctx, args)
	tracing.End(span, err)
	return res, err
}

func (t tracedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	ctx, span := tracing.StartSQL(ctx, dbSystem, t.query)
	rows, err := t.SQLiteStmt.QueryContext(ctx, args)
	return traceRows(rows, err, span)
}

type tracedTx struct {
	tx  driver.Tx
	ctx context.Context
}

func (t tracedTx) Commit() error {
	_, span := tracing.StartSQL(t.ctx, dbSystem, "COMMIT")
	err := t.tx.Commit()
	tracing.End(span, err)
	return err
}

func (t tracedTx) Rollback() error {
	_, span := tracing.StartSQL(t.ctx, dbSystem, "ROLLBACK")
	err := t.tx.Rollback()
	tracing.End(span, err)
	return err
}

// tracedRows passes through the column-type interfaces go-sqlite3's rows
// implement, so database/sql sees the same rows with tracing on or off.
type tracedRows struct {
	driver.Rows
	span trace.Span
	err  error
}

func (r *tracedRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return err
}

func (r *tracedRows) Close() error {
	err := r.Rows.Close()
	tracing.End(r.span, errors.Join(r.err, err))
	return err
}

func (r *tracedRows) sqliteRows() *sqlite3.SQLiteRows { return r.Rows.(*sqlite3.SQLiteRows) }

func (r *tracedRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.sqliteRows().ColumnTypeDatabaseTypeName(i)
}

func (r *tracedRows) ColumnTypeNullable(i int) (bool, bool) {
	return r.sqliteRows().ColumnTypeNullable(i)
}

func (r *tracedRows) ColumnTypeScanType(i int) reflect.Type {
	return r.sqliteRows().ColumnTypeScanType(i)
}

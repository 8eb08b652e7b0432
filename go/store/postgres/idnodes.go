package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/snowflake"
)

// ErrNoFreeNode means every snowflake node of this database schema is held
// by another live process, so this one cannot make IDs.
var ErrNoFreeNode = errors.New("postgres: every ID node is held by another live process")

// errLeaseClosed is what Node answers after Close.
var errLeaseClosed = errors.New("postgres: ID node lease closed")

// DefaultLeaseTTL is NodeLease's TTL when LeaseOptions leaves it zero.
const DefaultLeaseTTL = 2 * time.Second

// pingTimeouts is how many TTLs a lease waits for an answer before it
// takes its connection for dead.
const pingTimeouts = 10

// LeaseOptions tune LeaseNode. Zero values take the defaults.
type LeaseOptions struct {
	// TTL is how long a node is used without fresh word from the database
	// that its lock is still held (DefaultLeaseTTL when zero). It is also
	// how long a new holder waits before its first ID: whoever held the
	// node before has stopped by then (see NodeLease). Shorter means a
	// faster start and a shorter stall when the connection is lost, and a
	// lease that a slow database more easily lets lapse.
	TTL time.Duration
	// Logger is told when the lease is lost and taken again (slog.Default
	// when nil).
	Logger *slog.Logger
}

// NodeLease is a snowflake.Lease on PostgreSQL: it holds a session advisory
// lock on one of the snowflake.Nodes keys of this Store's schema, on a
// connection of its own (not from the pool, whose connections come and go)
// kept for the life of the process. PostgreSQL frees the lock when that
// session ends however it ends, so a crashed process gives its node back
// and no two live processes hold one node.
//
// The process must stop using the node as soon as another may have it.
// The lease asks the database every TTL/4; a node is used only up to TTL
// after the start of the last answered query, and on a failed query at
// once no longer. PostgreSQL can free the lock (the session ended) only
// after that last answer, and a new holder waits TTL after taking the lock
// before its first ID, so the two never use the node at the same time.
// After a loss the lease reconnects and takes a node again (its old one if
// still free), waiting TTL again; meanwhile Node fails and IDs are refused.
//
// The lock keys are (hashtext('starling.idnode.' || current_schema()),
// node): Starlings in different schemas of one database (tests, for one)
// have separate tables, so they lease separately. The connection needs a
// real session: a pooler in transaction mode would lose the lock.
type NodeLease struct {
	cfg *pgx.ConnConfig
	ttl time.Duration
	log *slog.Logger

	mu    sync.Mutex
	node  int
	until time.Time // the node is used before this (monotonic clock)
	err   error     // why not, once until has passed
	pid   uint32    // backend of the lock's session, for tests

	stop context.CancelFunc
	done chan struct{}
}

var _ snowflake.Lease = (*NodeLease)(nil)

// LeaseNode takes a free node of the Store's schema and returns once it may
// be used (after the TTL wait). It fails with ErrNoFreeNode when all are
// held. Close it when the process stops making IDs.
func (s *Store) LeaseNode(ctx context.Context, opts LeaseOptions) (*NodeLease, error) {
	l := &NodeLease{cfg: s.pool.Config().ConnConfig.Copy(), ttl: opts.TTL, log: opts.Logger}
	if l.ttl <= 0 {
		l.ttl = DefaultLeaseTTL
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	conn, node, err := l.acquire(ctx, 0)
	if err != nil {
		return nil, err
	}
	if err := l.confirm(ctx, conn, node); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l.stop, l.done = stop, make(chan struct{})
	go l.run(runCtx, conn)
	return l, nil
}

// Node returns the node held, or why none may be used now.
func (l *NodeLease) Node() (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.until) {
		return l.node, nil
	}
	if l.err != nil {
		return 0, l.err
	}
	return 0, fmt.Errorf("postgres: ID node %d: no word from the database for %v", l.node, l.ttl)
}

// Close gives the node back (closing its session frees the lock). Node
// fails afterwards.
func (l *NodeLease) Close() error {
	l.stop()
	<-l.done
	return nil
}

// acquire connects and locks the first free node from prefer on.
func (l *NodeLease) acquire(ctx context.Context, prefer int) (*pgx.Conn, int, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg.Copy())
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: lease ID node: %w", err)
	}
	var schema string
	if err := conn.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, 0, fmt.Errorf("postgres: lease ID node: %w", err)
	}
	for i := range snowflake.Nodes {
		node := (prefer + i) % snowflake.Nodes
		var ok bool
		err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext('starling.idnode.' || $1), $2)`,
			schema, node).Scan(&ok)
		if err != nil {
			conn.Close(context.WithoutCancel(ctx))
			return nil, 0, fmt.Errorf("postgres: lease ID node: %w", err)
		}
		if ok {
			return conn, node, nil
		}
	}
	conn.Close(context.WithoutCancel(ctx))
	return nil, 0, fmt.Errorf("%w: all %d nodes of schema %q are taken (more server processes than nodes, or CLI commands running beside them)",
		ErrNoFreeNode, snowflake.Nodes, schema)
}

// confirm waits out the TTL after taking node (a previous holder has
// stopped using it by then), then checks the session is still there and
// starts using the node.
func (l *NodeLease) confirm(ctx context.Context, conn *pgx.Conn, node int) error {
	t := time.NewTimer(l.ttl)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("postgres: lease ID node: %w", context.Cause(ctx))
	case <-t.C:
	}
	l.mu.Lock()
	l.node, l.pid = node, conn.PgConn().PID()
	l.mu.Unlock()
	return l.ping(ctx, conn)
}

// ping asks the lock's session for a sign of life; an answer extends the
// lease to TTL after the question was asked, a failure ends it at once. A
// slow answer only lets the lease lapse meanwhile: the session (and its
// lock) is still there. Cancelling the query would close the connection
// and free the lock for nothing, so only a connection silent for
// pingTimeouts TTLs is given up as dead.
func (l *NodeLease) ping(ctx context.Context, conn *pgx.Conn) error {
	start := time.Now()
	pctx, cancel := context.WithTimeout(ctx, pingTimeouts*l.ttl)
	defer cancel()
	_, err := conn.Exec(pctx, `SELECT 1`)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.until, l.err = time.Time{}, fmt.Errorf("postgres: lost ID node %d: %w", l.node, err)
		return l.err
	}
	l.until, l.err = start.Add(l.ttl), nil
	return nil
}

// run keeps the lease until ctx ends, taking a node again after a loss.
func (l *NodeLease) run(ctx context.Context, conn *pgx.Conn) {
	defer close(l.done)
	defer func() {
		l.mu.Lock()
		l.until, l.err = time.Time{}, errLeaseClosed
		l.mu.Unlock()
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	tick := time.NewTicker(l.ttl / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if conn != nil {
			if err := l.ping(ctx, conn); err == nil || ctx.Err() != nil {
				continue
			}
			l.log.Error("ID node lease lost: refusing new IDs until a node is held again", "node", l.node, "err", l.err)
			conn.Close(context.Background())
			conn = nil
		}
		l.mu.Lock()
		prefer := l.node
		l.mu.Unlock()
		c, node, err := l.acquire(ctx, prefer)
		if err != nil {
			l.mu.Lock()
			l.err = fmt.Errorf("postgres: lost ID node %d, none taken again yet: %w", prefer, err)
			l.mu.Unlock()
			continue
		}
		if err := l.confirm(ctx, c, node); err != nil {
			c.Close(context.Background())
			continue
		}
		conn = c
		l.log.Info("ID node leased again", "node", node)
	}
}

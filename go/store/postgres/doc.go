// Package postgres implements store.Store on PostgreSQL through a pgx
// connection pool (github.com/jackc/pgx/v5/pgxpool). Use it when Starling
// outgrows one machine: several server processes sharing one database, read
// replicas, partitioning. For a single process, the sibling package
// store/sqlite needs no server and is the default; both pass the same
// conformance suite (store/storetest).
//
// Store is safe for concurrent use: every method borrows a connection from
// the pool for one statement or one transaction. Open does not change the
// schema: call Store.Migrate at start. Migrate takes a transaction-scoped
// advisory lock, so several servers starting together apply each migration
// exactly once.
//
// Each server process takes its snowflake ID node with Store.LeaseNode: a
// session advisory lock on a connection of its own (see NodeLease), so
// processes sharing the database never make the same ID.
//
// Tables are created unqualified, in the first schema of the connection's
// search_path. To run several isolated Starlings (or tests) in one database,
// give each its own schema and set search_path in the pool configuration
// (see OpenConfig).
//
// Storage choices that differ from store/sqlite: times are timestamptz
// (microsecond precision), booleans are boolean, embeddings are bytea, and
// usernames are unique on lower(username) under the database collation.
package postgres

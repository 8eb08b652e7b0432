// Package sqlite implements store.Store on an embedded SQLite database
// (github.com/mattn/go-sqlite3, so it needs cgo). It is Starling's default:
// `make run` needs no database server, and one file holds everything.
//
// Use it for a single server process. SQLite allows one writer at a time, so
// Store keeps two pools: a writer with exactly one connection, whose
// transactions begin IMMEDIATE (they take the write lock up front instead of
// failing with SQLITE_BUSY when a read turns into a write), and a read-only
// pool that WAL lets run beside it. Writes therefore queue in Go rather than
// in SQLite's busy handler. When you need several server processes, read
// replicas or partitioning, use the sibling package store/postgres instead;
// both pass the same conformance suite (store/storetest).
//
// Open does not change the schema: call Store.Migrate once at start.
// Store.LeaseNode gives a process its snowflake ID node through a lock file
// beside the database, so CLI commands writing beside the server never
// make its IDs.
//
// Storage choices that differ from store/postgres: times are INTEGER
// microseconds since the Unix epoch (UTC), booleans are INTEGER 0/1, tables
// are STRICT, and usernames are unique on lower(username), which SQLite folds
// for ASCII only (Mastodon usernames are ASCII).
package sqlite

// Package snowflake generates Starling's IDs: time-ordered 64-bit integers
// that fit in 53 bits, so they are exact as JavaScript numbers and as Redis
// sorted-set scores (float64). The API renders them as decimal strings, as
// Mastodon does.
//
// Layout, high to low: 41 bits of milliseconds since Epoch, 4 bits of node,
// 8 bits of sequence.
//
//	| 41: ms since Epoch | 4: node | 8: sequence |
//
// The milliseconds last until 2093. The node tells apart the server
// processes sharing one database: two processes making a row in the same
// millisecond must not make the same ID, and a per-process sequence alone
// cannot promise that. Sixteen nodes cover the deployments Starling runs
// (a few processes on one PostgreSQL); 256 IDs per millisecond per process
// is far more than one process writes (a status with its notifications and
// flags takes a handful). Past 256 in one millisecond the generator waits
// for the next one rather than reuse or reorder IDs.
//
// The node and sequence share the 12 low bits that were all sequence
// before, so FromTime (the smallest ID of a millisecond) and Time mean the
// same for IDs made before and after the split, and old IDs stay valid: no
// new ID can equal one made in an earlier millisecond.
//
// A Generator gets its node from a Lease, so that no two live processes use
// one node: store/postgres leases nodes with session advisory locks (a
// process that loses its lock stops handing out IDs until it holds a node
// again), store/sqlite with lock files beside the database; Fixed is for a
// process alone on a database of its own, and for tests.
// Make ONE Generator per process and pass it to everything that makes IDs:
// two generators on one node collide exactly as two processes did.
//
// Bulk loads (package seed) write IDs of past milliseconds into an empty
// database and choose them without a Generator.
package snowflake

// Package vecsearch is Starling's Go binding to the Rust vector-search
// library (rust/vecsearch, C ABI in include/vecsearch.h). It is the only
// package that links the library; everything else that needs nearest
// neighbours goes through it.
//
// An [Index] holds float32 vectors of one dimension, each with a
// caller-chosen int64 id (a post's snowflake ID, say), and answers batched
// k-nearest-neighbour searches. Only the exact flat index exists so far
// ([NewFlat]); approximate indexes will share the same methods.
//
// # Zero copy, zero allocation
//
// Search hands the library pointers to the caller's own query slice and
// preallocated output slices; the library writes results in place and keeps
// no pointer after the call. Error messages are written into a fixed-size
// array on the caller's stack and turned into a Go string only when there is
// an error, so a successful Search performs no heap allocation (the tests
// assert this with testing.AllocsPerRun).
//
// # Errors
//
// Every error is an [*Error] wrapping one sentinel, so callers test with
// errors.Is: [ErrDimension], [ErrInvalidArgument], [ErrNotTrained],
// [ErrClosed] and so on. Each library status code maps to exactly one
// sentinel. Lengths and dimensions are checked in Go before crossing into
// the library, which checks them again.
//
// # Concurrency and lifetime
//
// All methods are safe for concurrent use. Searches run in parallel; an Add
// blocks searches only while it copies its rows. An Index owns memory the Go
// garbage collector cannot see: call [Index.Close] when done. Close waits for
// calls in flight, is idempotent, and every later call returns [ErrClosed].
//
// # Rebuilding the library
//
// Go does not notice a rebuilt static library on its own. `make rust`
// writes the library's hash into zz_libhash_generated.go, which changes this
// package's source and so forces a relink of every binary and test using it.
package vecsearch

package vecsearch

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libvecsearch.a -lm -ldl -lpthread

// None of these functions keeps a pointer argument after returning or calls
// back into Go (include/vecsearch.h), so Go may keep their arguments on the
// stack: this is what makes a successful Search allocation-free.
#cgo noescape vs_index_new_flat
#cgo nocallback vs_index_new_flat
#cgo noescape vs_index_add
#cgo nocallback vs_index_add
#cgo noescape vs_index_search
#cgo nocallback vs_index_search
#cgo noescape vs_index_len
#cgo nocallback vs_index_len
#cgo noescape vs_index_memory_bytes
#cgo nocallback vs_index_memory_bytes
#cgo noescape vs_index_free
#cgo nocallback vs_index_free

#include "vecsearch.h"
*/
import "C"

import (
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// Metric says how vectors are compared.
type Metric int

// Metrics. The values are the library's VS_METRIC_* codes.
const (
	// L2 ranks by squared Euclidean distance, smallest first. Use it for
	// cosine similarity too, on unit-length vectors: the order is the same.
	L2 Metric = C.VS_METRIC_L2
	// InnerProduct ranks by inner product, largest first.
	InnerProduct Metric = C.VS_METRIC_INNER_PRODUCT
)

// String returns "l2", "inner_product" or "Metric(<n>)".
func (m Metric) String() string {
	switch m {
	case L2:
		return "l2"
	case InnerProduct:
		return "inner_product"
	case Cosine:
		return "cosine"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// Index is a vector index owned by the Rust library. It is safe for
// concurrent use; see the package documentation for locking and lifetime.
type Index struct {
	// mu guards h's lifetime, not the index contents (the library locks
	// those itself): every call holds it shared, Close holds it exclusively,
	// so Close cannot free the handle under a running call.
	mu     sync.RWMutex
	h      *C.vs_index // nil once closed
	dim    int
	metric Metric
}

// NewFlat creates an empty exact index for vectors of dimension dim: every
// search compares each query with every stored vector. The caller must
// Close it.
func NewFlat(dim int, m Metric) (*Index, error) {
	const op = "new flat"
	if dim < 1 {
		return nil, checkError(op, ErrInvalidArgument, "dimension %d, must be at least 1", dim)
	}
	var h *C.vs_index
	var msg msgBuf
	// The metric is not checked here: the library rejects unknown ones.
	rc := C.vs_index_new_flat(C.size_t(dim), C.vs_metric(m), &h, &msg[0], errBufLen)
	if rc != statusOK {
		return nil, statusError(op, rc, &msg)
	}
	return &Index{h: h, dim: dim, metric: m}, nil
}

// Dim returns the dimension every vector must have. It stays valid after
// Close.
func (x *Index) Dim() int {
	if x == nil {
		return 0
	}
	return x.dim
}

// Metric returns the metric the index ranks by.
func (x *Index) Metric() Metric {
	if x == nil {
		return 0
	}
	return x.metric
}

// Add stores len(ids) vectors, given row-major in vectors (len(ids)*Dim()
// values), with their ids. Ids must be >= 0; duplicates are not checked
// (a duplicated id can then appear twice in one result). Values must be
// finite. All or nothing: on error nothing is added. Adding no vectors is a
// no-op. The library copies the vectors; the caller may reuse the slices.
func (x *Index) Add(vectors []float32, ids []int64) error {
	const op = "add"
	if x == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	if len(vectors)%x.dim != 0 {
		return checkError(op, ErrDimension, "%d values is not a multiple of dimension %d", len(vectors), x.dim)
	}
	n := len(vectors) / x.dim
	if len(ids) != n {
		return checkError(op, ErrInvalidArgument, "%d ids for %d vectors", len(ids), n)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return &Error{Op: op, Kind: ErrClosed}
	}
	if n == 0 {
		return nil
	}
	var msg msgBuf
	rc := C.vs_index_add(x.h, C.size_t(n), C.size_t(x.dim),
		(*C.float)(unsafe.Pointer(&vectors[0])), (*C.int64_t)(unsafe.Pointer(&ids[0])),
		&msg[0], errBufLen)
	if rc != statusOK {
		return statusError(op, rc, &msg)
	}
	return nil
}

// Search finds the k best vectors for each of the n = len(queries)/Dim()
// queries (row-major) in one call.
//
// Results go into the caller's slices, which must hold at least n*k
// elements: row i, ids[i*k:(i+1)*k] and dists[i*k:(i+1)*k], is query i's
// answer, best first (smallest squared L2 distance or largest inner
// product; ties go to the lower id). Search returns how many slots of each
// row hold a result: min(k, Len()) for a flat index. The rest hold id -1
// and distance +Inf (L2) or -Inf (inner product).
//
// Nothing is copied or allocated: the library reads queries and writes ids
// and dists in place, and keeps no pointer after returning. An empty
// queries slice returns 0, nil.
func (x *Index) Search(queries []float32, k int, ids []int64, dists []float32) (int, error) {
	const op = "search"
	if x == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	if k < 1 {
		return 0, checkError(op, ErrInvalidArgument, "k = %d, must be at least 1", k)
	}
	if len(queries)%x.dim != 0 {
		return 0, checkError(op, ErrDimension, "%d values is not a multiple of dimension %d", len(queries), x.dim)
	}
	n := len(queries) / x.dim
	if n > 0 && k > math.MaxInt/n {
		return 0, checkError(op, ErrInvalidArgument, "n*k overflows (n = %d, k = %d)", n, k)
	}
	if need := n * k; len(ids) < need || len(dists) < need {
		return 0, checkError(op, ErrInvalidArgument,
			"%d queries with k = %d need %d ids and distances, have %d and %d", n, k, need, len(ids), len(dists))
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	if n == 0 {
		return 0, nil
	}
	return x.search(op, unsafe.Pointer(&queries[0]), n, k, unsafe.Pointer(&ids[0]), unsafe.Pointer(&dists[0]))
}

// SearchUnsafe is Search over raw memory, for callers whose queries or
// outputs are not Go slices (an mmap'd file, C memory). queries must point
// to n*Dim() float32 values, ids to n*k int64 values and dists to n*k
// float32 values, all valid for the duration of the call; only n, k and the
// handle are checked here (pointers are checked for NULL and alignment by
// the library). Prefer Search.
func (x *Index) SearchUnsafe(queries unsafe.Pointer, n, k int, ids, dists unsafe.Pointer) (int, error) {
	const op = "search"
	if x == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	if n < 0 || k < 1 {
		return 0, checkError(op, ErrInvalidArgument, "n = %d, k = %d", n, k)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	return x.search(op, queries, n, k, ids, dists)
}

// search makes the library call; x.mu must be held shared.
func (x *Index) search(op string, queries unsafe.Pointer, n, k int, ids, dists unsafe.Pointer) (int, error) {
	var msg msgBuf
	var found C.size_t
	rc := C.vs_index_search(x.h, C.size_t(n), C.size_t(x.dim), (*C.float)(queries), C.size_t(k),
		(*C.int64_t)(ids), (*C.float)(dists), &found, &msg[0], errBufLen)
	if rc != statusOK {
		return 0, statusError(op, rc, &msg)
	}
	return int(found), nil
}

// Len returns the number of stored vectors.
func (x *Index) Len() (int, error) {
	return x.get(getLen)
}

// MemoryBytes returns the heap bytes the library holds for this index
// (allocated capacity, vectors and ids).
func (x *Index) MemoryBytes() (int, error) {
	return x.get(getMemoryBytes)
}

// getter selects a size_t-returning library call. A switch rather than a
// function value: an indirect call would make the message buffer escape to
// the heap.
type getter int

const (
	getLen getter = iota
	getMemoryBytes
)

// get runs one of the size_t-returning library calls under the handle lock.
func (x *Index) get(which getter) (int, error) {
	op := "len"
	if which == getMemoryBytes {
		op = "memory bytes"
	}
	if x == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.h == nil {
		return 0, &Error{Op: op, Kind: ErrClosed}
	}
	var msg msgBuf
	var out C.size_t
	var rc C.vs_status
	switch which {
	case getLen:
		rc = C.vs_index_len(x.h, &out, &msg[0], errBufLen)
	case getMemoryBytes:
		rc = C.vs_index_memory_bytes(x.h, &out, &msg[0], errBufLen)
	}
	if rc != statusOK {
		return 0, statusError(op, rc, &msg)
	}
	return int(out), nil
}

// Close frees the index. It waits for calls in flight, is idempotent (later
// calls return nil), and every other method returns ErrClosed afterwards.
func (x *Index) Close() error {
	if x == nil {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.h == nil {
		return nil
	}
	var msg msgBuf
	rc := C.vs_index_free(x.h, &msg[0], errBufLen)
	x.h = nil // even on error: the library took ownership
	if rc != statusOK {
		return statusError("close", rc, &msg)
	}
	return nil
}

// LibraryHash returns the SHA-256 of the Rust static library linked into
// this binary, so bench results and bug reports name the exact library.
//
// It also makes the relink work: `make rust` writes the hash into a
// generated file, and because this function returns it, the compiled
// package changes whenever the library does. Go then relinks every binary
// and re-runs every cached test that uses the package. (An unused constant
// would not do: it compiles to nothing, so Go would see no change.)
func LibraryHash() string { return rustLibHash }

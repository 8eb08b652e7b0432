/*
 * vecsearch.h - C ABI of Starling's vector-search library (rust/vecsearch).
 *
 * Hand-written; it must match rust/vecsearch/src/ffi.rs exactly. The Rust
 * test `ffi::tests::header_matches_exports` parses both and fails on any
 * difference in function names, parameter types, status codes or metrics.
 *
 * Conventions
 * -----------
 * - Every function returns a vs_status: VS_OK (0) or a VS_ERR_* code. The
 *   codes are stable: new ones are only ever appended, never renumbered.
 * - Every function takes `char *err, size_t err_len` last. On error, if err
 *   is non-NULL and err_len > 0, a NUL-terminated message (truncated to fit)
 *   is written there; on success the buffer is left untouched. There is no
 *   thread-local "last error", so calls may come from any thread.
 * - Panics inside the library are caught and returned as VS_ERR_PANIC.
 * - Pointers are checked for NULL first (VS_ERR_NULL). A buffer whose size is
 *   0 elements may be NULL.
 * - Vectors are row-major float32: n vectors of dimension d take n*d floats.
 *   Every call that takes vectors also takes d, which must equal the index's
 *   dimension (else VS_ERR_DIMENSION), so the buffer sizes below are checked
 *   against what the caller believes, not just trusted.
 * - Values must be finite (NaN or infinity: VS_ERR_INVALID_ARGUMENT).
 * - Argument order: handle, n, d, inputs, k, outputs, err, err_len.
 * - Thread safety: every call except vs_index_free may run concurrently on
 *   the same handle (searches share a read lock; adds, removes and compaction
 *   hold a write lock only while copying or rewriting rows; see
 *   rust/vecsearch/src/ivfpq/mod.rs for the IVF-PQ locking). The library keeps no pointer to any caller
 *   buffer after a call returns.
 */
#ifndef VECSEARCH_H
#define VECSEARCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status code returned by every function. */
typedef int32_t vs_status;

#define VS_OK 0
/* A required pointer argument was NULL. */
#define VS_ERR_NULL 1
/* Bad value: k = 0, d = 0, unknown metric, NaN/infinite value, negative id,
 * size overflow, misaligned buffer. */
#define VS_ERR_INVALID_ARGUMENT 2
/* The d passed differs from the index's dimension. */
#define VS_ERR_DIMENSION 3
/* The index must be trained first (IVF-PQ). */
#define VS_ERR_NOT_TRAINED 4
/* A panic was caught inside the library; the handle is still usable. */
#define VS_ERR_PANIC 5
/* An I/O error (save/load). */
#define VS_ERR_IO 6
/* Data read back is not a valid index (load). */
#define VS_ERR_CORRUPT 7
/* Memory for new vectors could not be reserved. */
#define VS_ERR_OUT_OF_MEMORY 8
/* The operation does not apply to this kind of index (e.g. re-rank on an
 * index that stores no vectors for it). */
#define VS_ERR_UNSUPPORTED 9

/* Metric selector. */
typedef int32_t vs_metric;

/* Squared L2 distance; smaller is better. For cosine similarity, add
 * unit-length vectors and use L2 (same ranking). */
#define VS_METRIC_L2 1
/* Inner product; larger is better. */
#define VS_METRIC_INNER_PRODUCT 2
/* Cosine similarity: vectors and queries are normalised to unit length by
 * the library, then ranked by squared L2 (reported distance = 2 - 2 cos).
 * A zero vector stays zero. */
#define VS_METRIC_COSINE 3

/* Index kinds, as reported by vs_index_stats. */
#define VS_INDEX_FLAT 1
#define VS_INDEX_IVFPQ 2

/* Storage kept for exact re-ranking (vs_ivfpq_params.refine). */
/* None: only PQ codes and ids (m + 8 bytes per vector). */
#define VS_REFINE_NONE 0
/* Full float32 copies (4 d bytes per vector). */
#define VS_REFINE_F32 1
/* 8-bit scalar-quantized copies, per-dimension min/max (d bytes per vector). */
#define VS_REFINE_SQ8 2

/* Parameters of an IVF-PQ index (vs_index_new_ivfpq). Zero means "default"
 * where a default is given. */
typedef struct vs_ivfpq_params {
    /* Dimension, >= 1, a multiple of m. */
    size_t d;
    /* VS_METRIC_L2, VS_METRIC_INNER_PRODUCT or VS_METRIC_COSINE. */
    vs_metric metric;
    /* Number of inverted lists (coarse centroids), >= 1. */
    size_t nlist;
    /* Number of PQ sub-quantizers, >= 1, divides d. */
    size_t m;
    /* Bits per sub-quantizer code, 1..8 (0: 8). */
    size_t nbits;
    /* VS_REFINE_NONE, VS_REFINE_F32 or VS_REFINE_SQ8. */
    int32_t refine;
    /* Seed of the k-means initialisation and training subsampling. */
    uint64_t seed;
    /* Threads for training and adding (0: all available cores). */
    size_t train_threads;
    /* k-means iterations (0: 25, as FAISS). */
    size_t kmeans_iters;
} vs_ivfpq_params;

/* Per-call search options (vs_index_search_opts). The exclusion list is
 * passed beside this struct, not inside it, so that a Go caller can hand
 * over a pointer to its own slice (cgo forbids Go pointers inside memory
 * passed to C). */
typedef struct vs_search_params {
    /* Inverted lists to visit per query, 1..nlist (ignored by flat). */
    size_t nprobe;
    /* 0: no re-rank; r >= 1: re-rank the best k*r candidates exactly using
     * the stored vectors (needs refine storage; ignored by flat). */
    size_t refine_factor;
    /* Threads for a batch (0 or 1: the caller's thread only). */
    size_t threads;
} vs_search_params;

/* Statistics of an index (vs_index_stats). */
typedef struct vs_stats {
    /* Live (not removed) vectors. */
    size_t len;
    /* Removed vectors still occupying space until vs_index_compact. */
    size_t tombstones;
    /* Heap bytes held (as vs_index_memory_bytes). */
    size_t memory_bytes;
    /* Dimension. */
    size_t d;
    /* IVF-PQ lists (0 for flat). */
    size_t nlist;
    /* IVF-PQ sub-quantizers (0 for flat). */
    size_t m;
    /* IVF-PQ bits per code (0 for flat). */
    size_t nbits;
    /* VS_METRIC_* of the index. */
    vs_metric metric;
    /* VS_INDEX_FLAT or VS_INDEX_IVFPQ. */
    int32_t kind;
    /* 1 if trained (flat: always), else 0. */
    int32_t trained;
    /* VS_REFINE_* storage kind (flat: VS_REFINE_NONE). */
    int32_t refine;
} vs_stats;

/* Opaque index handle. Created by vs_index_new_*; caller frees with
 * vs_index_free. */
typedef struct vs_index vs_index;

/**
 * Creates an empty exact (brute-force) index.
 *
 * @param[in]  d        Dimension of every vector, >= 1.
 * @param[in]  metric   VS_METRIC_L2 or VS_METRIC_INNER_PRODUCT.
 * @param[out] out      Receives the new handle. Ownership passes to the
 *                      caller, who frees it with vs_index_free. Untouched on
 *                      error.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL (out), VS_ERR_INVALID_ARGUMENT (d = 0, unknown
 *         metric).
 */
vs_status vs_index_new_flat(size_t d, vs_metric metric, vs_index **out, char *err,
                            size_t err_len);

/**
 * Adds n vectors with caller-chosen ids. All or nothing: on error the index
 * is unchanged. Duplicate ids are allowed (not checked); a duplicated id may
 * then appear more than once in a result row.
 *
 * @param[in]  index    The index.
 * @param[in]  n        Number of vectors; 0 is a no-op.
 * @param[in]  d        Their dimension; must equal the index's.
 * @param[in]  x        n*d floats, row-major. Read during the call only.
 * @param[in]  ids      n int64 ids, each >= 0 (-1 marks an empty result).
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_DIMENSION, VS_ERR_INVALID_ARGUMENT
 *         (NaN/infinite value, negative id), VS_ERR_OUT_OF_MEMORY.
 */
vs_status vs_index_add(vs_index *index, size_t n, size_t d, const float *x, const int64_t *ids,
                       char *err, size_t err_len);

/**
 * Searches n queries at once for their k best vectors each.
 *
 * Row i (elements i*k .. i*k+k-1) of labels and distances receives query i's
 * results, best first: smallest squared L2 distance, or largest inner
 * product; ties go to the lower id. Slots without a result hold label -1 and
 * distance +inf (L2) or -inf (inner product).
 *
 * @param[in]  index      The index (read only).
 * @param[in]  n          Number of queries; 0 is a no-op (found = 0).
 * @param[in]  d          Their dimension; must equal the index's.
 * @param[in]  x          n*d floats, row-major. Read during the call only.
 * @param[in]  k          Results per query, >= 1.
 * @param[out] labels     Caller-allocated, n*k int64.
 * @param[out] distances  Caller-allocated, n*k floats.
 * @param[out] found      NULL or receives the largest number of results in
 *                        any row (flat index: min(k, vs_index_len) in every
 *                        row).
 * @param[out] err        NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len    Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_DIMENSION, VS_ERR_INVALID_ARGUMENT
 *         (k = 0, NaN/infinite query, n*k overflow), VS_ERR_NOT_TRAINED.
 */
vs_status vs_index_search(const vs_index *index, size_t n, size_t d, const float *x, size_t k,
                          int64_t *labels, float *distances, size_t *found, char *err,
                          size_t err_len);

/**
 * Number of vectors stored.
 *
 * @param[in]  index    The index (read only).
 * @param[out] out      Receives the count.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL.
 */
vs_status vs_index_len(const vs_index *index, size_t *out, char *err, size_t err_len);

/**
 * Heap bytes held by the index (allocated capacity, including the ids).
 *
 * @param[in]  index    The index (read only).
 * @param[out] out      Receives the byte count.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL.
 */
vs_status vs_index_memory_bytes(const vs_index *index, size_t *out, char *err, size_t err_len);

/**
 * Dimension d of the index.
 *
 * @param[in]  index    The index (read only).
 * @param[out] out      Receives d.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL.
 */
vs_status vs_index_dim(const vs_index *index, size_t *out, char *err, size_t err_len);

/**
 * Creates an empty, untrained IVF-PQ index. Train it (vs_index_train)
 * before adding or searching (VS_ERR_NOT_TRAINED otherwise).
 *
 * @param[in]  params   The shape; read during the call only.
 * @param[out] out      Receives the new handle; caller frees with
 *                      vs_index_free. Untouched on error.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_INVALID_ARGUMENT (d = 0, m does not
 *         divide d, nbits > 8, nlist = 0, unknown metric or refine kind).
 */
vs_status vs_index_new_ivfpq(const vs_ivfpq_params *params, vs_index **out, char *err,
                             size_t err_len);

/**
 * Trains the index on n vectors (k-means for the coarse quantizer, then the
 * product quantizer on residuals). A flat index accepts and ignores it.
 * An IVF-PQ index can be trained once (VS_ERR_INVALID_ARGUMENT after).
 *
 * @param[in]  index    The index.
 * @param[in]  n        Number of training vectors, >= nlist and >= 2^nbits.
 * @param[in]  d        Their dimension; must equal the index's.
 * @param[in]  x        n*d floats, row-major. Read during the call only.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_DIMENSION, VS_ERR_INVALID_ARGUMENT
 *         (NaN/infinite value, too few vectors, already trained).
 */
vs_status vs_index_train(vs_index *index, size_t n, size_t d, const float *x, char *err,
                         size_t err_len);

/**
 * Removes every stored vector whose id is in ids (duplicates and unknown
 * ids are fine). IVF-PQ marks them removed (tombstones; vs_index_compact
 * reclaims the space); flat removes them at once.
 *
 * @param[in]  index    The index.
 * @param[in]  n        Number of ids; 0 is a no-op.
 * @param[in]  ids      n int64 ids, any order.
 * @param[out] removed  NULL or receives the number of vectors removed.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_OUT_OF_MEMORY.
 */
vs_status vs_index_remove(vs_index *index, size_t n, const int64_t *ids, size_t *removed,
                          char *err, size_t err_len);

/**
 * Reclaims the space of removed vectors. Runs list by list, so searches
 * wait at most for one list's rewrite.
 *
 * @param[in]  index    The index.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_OUT_OF_MEMORY.
 */
vs_status vs_index_compact(vs_index *index, char *err, size_t err_len);

/**
 * vs_index_search with options: nprobe, re-rank depth, threads, and a sorted
 * list of ids to leave out of every result row.
 *
 * Results as vs_index_search. IVF-PQ: k must not exceed vs_index_len
 * (VS_ERR_INVALID_ARGUMENT); distances are PQ estimates unless re-ranked,
 * then exact. A row may hold fewer than k results when the probed lists
 * hold fewer candidates.
 *
 * @param[in]  index      The index (read only).
 * @param[in]  n          Number of queries; 0 is a no-op (found = 0).
 * @param[in]  d          Their dimension; must equal the index's.
 * @param[in]  x          n*d floats, row-major. Read during the call only.
 * @param[in]  k          Results per query, >= 1.
 * @param[in]  params     The options; read during the call only.
 * @param[in]  exclude    n_exclude int64 ids, sorted ascending (NULL if
 *                        n_exclude = 0). Read during the call only.
 * @param[in]  n_exclude  Number of excluded ids.
 * @param[out] labels     Caller-allocated, n*k int64.
 * @param[out] distances  Caller-allocated, n*k floats.
 * @param[out] found      NULL or receives the largest number of results in
 *                        any row.
 * @param[out] err        NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len    Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_DIMENSION, VS_ERR_INVALID_ARGUMENT
 *         (k = 0 or > len, nprobe 0 or > nlist, exclude unsorted,
 *         NaN/infinite query), VS_ERR_NOT_TRAINED, VS_ERR_UNSUPPORTED
 *         (refine_factor > 0 without refine storage).
 */
vs_status vs_index_search_opts(const vs_index *index, size_t n, size_t d, const float *x,
                               size_t k, const vs_search_params *params,
                               const int64_t *exclude, size_t n_exclude, int64_t *labels,
                               float *distances, size_t *found, char *err, size_t err_len);

/**
 * For benchmarks: vs_index_search_opts run repeats times back to back inside
 * the library, timed there with a monotonic clock, so a caller can compare
 * the library's own time per search with the time the same call takes from
 * its side (the binding's overhead). The outputs hold the last repetition's
 * results.
 *
 * @param[in]  index       The index (read only).
 * @param[in]  n, d, x, k  As vs_index_search_opts.
 * @param[in]  params      As vs_index_search_opts.
 * @param[in]  exclude     As vs_index_search_opts.
 * @param[in]  n_exclude   As vs_index_search_opts.
 * @param[in]  repeats     Number of searches, >= 1.
 * @param[out] labels      Caller-allocated, n*k int64.
 * @param[out] distances   Caller-allocated, n*k floats.
 * @param[out] found       NULL or receives the last search's found count.
 * @param[out] elapsed_ns  NULL or receives the total time of the repeats
 *                         searches in nanoseconds.
 * @param[out] err         NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len     Size of err in bytes.
 * @return As vs_index_search_opts; VS_ERR_INVALID_ARGUMENT also for
 *         repeats = 0.
 */
vs_status vs_index_search_timed(const vs_index *index, size_t n, size_t d, const float *x,
                                size_t k, const vs_search_params *params,
                                const int64_t *exclude, size_t n_exclude, size_t repeats,
                                int64_t *labels, float *distances, size_t *found,
                                uint64_t *elapsed_ns, char *err, size_t err_len);

/**
 * Saves the index to path atomically: writes path.tmp-<pid>-<n> in the same
 * directory, fsyncs it, renames it over path. The format is versioned and
 * checksummed (see rust/vecsearch/src/persist.rs).
 *
 * @param[in]  index    The index (read only; concurrent searches continue,
 *                      adds and removes wait for the snapshot).
 * @param[in]  path     NUL-terminated UTF-8 file path.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_INVALID_ARGUMENT (path not UTF-8),
 *         VS_ERR_IO, VS_ERR_OUT_OF_MEMORY.
 */
vs_status vs_index_save(const vs_index *index, const char *path, char *err, size_t err_len);

/**
 * Loads an index saved by vs_index_save.
 *
 * @param[in]  path     NUL-terminated UTF-8 file path.
 * @param[out] out      Receives the new handle; caller frees with
 *                      vs_index_free. Untouched on error.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL, VS_ERR_INVALID_ARGUMENT (path not UTF-8),
 *         VS_ERR_IO (cannot read), VS_ERR_CORRUPT (bad magic, checksum,
 *         truncated, future version, inconsistent sizes).
 */
vs_status vs_index_load(const char *path, vs_index **out, char *err, size_t err_len);

/**
 * Writes the index's statistics to *out.
 *
 * @param[in]  index    The index (read only).
 * @param[out] out      Receives the statistics.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_NULL.
 */
vs_status vs_index_stats(const vs_index *index, vs_stats *out, char *err, size_t err_len);

/**
 * Frees an index and everything it holds. NULL is a no-op (VS_OK).
 * No other call may be using the handle, and it must not be used again
 * (freeing twice is undefined behaviour).
 *
 * @param[in]  index    The index, owned by the caller until now.
 * @param[out] err      NULL or a buffer of err_len bytes for the message.
 * @param[in]  err_len  Size of err in bytes.
 * @return VS_OK, VS_ERR_PANIC.
 */
vs_status vs_index_free(vs_index *index, char *err, size_t err_len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VECSEARCH_H */

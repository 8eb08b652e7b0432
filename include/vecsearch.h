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
 *   the same handle (searches share a read lock; adds hold a write lock only
 *   while copying their rows). The library keeps no pointer to any caller
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

/* Metric selector. */
typedef int32_t vs_metric;

/* Squared L2 distance; smaller is better. For cosine similarity, add
 * unit-length vectors and use L2 (same ranking). */
#define VS_METRIC_L2 1
/* Inner product; larger is better. */
#define VS_METRIC_INNER_PRODUCT 2

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

//! The C ABI declared in `include/vecsearch.h`.
//!
//! Conventions (the header repeats them for C callers):
//!
//! * Every function returns a [`vs_status`]: [`VS_OK`] (0) or one of the
//!   fixed `VS_ERR_*` codes below. Codes are only ever appended, never
//!   renumbered or reused.
//! * Every function takes `char *err, size_t err_len` last. On error, if
//!   `err` is non-null and `err_len > 0`, a NUL-terminated message
//!   (truncated to `err_len - 1` bytes on a UTF-8 boundary) is written
//!   there. On success the buffer is left untouched. There is no
//!   thread-local "last error": a cgo caller may switch OS threads between
//!   calls.
//! * Every body runs inside `catch_unwind` ([`guard`]); a panic becomes
//!   [`VS_ERR_PANIC`] with the panic message. Pointers are null-checked
//!   before anything else.
//! * Argument order is fixed: handle, sizes (`n`, `d`), inputs, `k`,
//!   outputs, `err`, `err_len`.
//! * Every raw buffer becomes a slice through one helper, [`slice`], which
//!   checks null, alignment and size first.
//!
//! Names, codes and signatures must match the header exactly; the test
//! `header_matches_exports` below parses both and fails on any difference.

// The exported names are C names, fixed by the header.
#![allow(non_camel_case_types)]

use crate::error::{Error, ErrorKind};
use crate::flat::FlatIndex;
use crate::index::{Index, IndexKind, Metric, RefineStorage, SearchParams};
use crate::ivfpq::{IvfPqIndex, IvfPqParams};
use std::ffi::{CStr, c_char};
use std::panic::{self, AssertUnwindSafe};

/// Status code returned by every function (`int32_t` in C).
pub type vs_status = i32;
/// Metric selector (`int32_t` in C).
pub type vs_metric = i32;

/// Success.
pub const VS_OK: vs_status = 0;
/// A required pointer argument was NULL.
pub const VS_ERR_NULL: vs_status = 1;
/// An argument has a bad value (k = 0, d = 0, unknown metric, NaN or
/// infinite value, negative id, size overflow, misaligned buffer).
pub const VS_ERR_INVALID_ARGUMENT: vs_status = 2;
/// The `d` passed differs from the index's dimension.
pub const VS_ERR_DIMENSION: vs_status = 3;
/// The index must be trained first (IVF-PQ).
pub const VS_ERR_NOT_TRAINED: vs_status = 4;
/// A panic was caught inside the library; the handle is still usable.
pub const VS_ERR_PANIC: vs_status = 5;
/// An I/O error (save/load).
pub const VS_ERR_IO: vs_status = 6;
/// Data read back is not a valid index (load).
pub const VS_ERR_CORRUPT: vs_status = 7;
/// Memory for new vectors could not be reserved.
pub const VS_ERR_OUT_OF_MEMORY: vs_status = 8;
/// The operation does not apply to this kind of index.
pub const VS_ERR_UNSUPPORTED: vs_status = 9;

/// Squared L2 distance, smaller is better.
pub const VS_METRIC_L2: vs_metric = 1;
/// Inner product, larger is better.
pub const VS_METRIC_INNER_PRODUCT: vs_metric = 2;
/// Cosine: normalised, then squared L2 (distance `2 - 2 cos`).
pub const VS_METRIC_COSINE: vs_metric = 3;

/// Index kind: flat.
pub const VS_INDEX_FLAT: i32 = 1;
/// Index kind: IVF-PQ.
pub const VS_INDEX_IVFPQ: i32 = 2;

/// Re-rank storage: none.
pub const VS_REFINE_NONE: i32 = 0;
/// Re-rank storage: f32 copies.
pub const VS_REFINE_F32: i32 = 1;
/// Re-rank storage: SQ8 copies.
pub const VS_REFINE_SQ8: i32 = 2;

/// IVF-PQ parameters (`vs_ivfpq_params` in C); see the header.
#[repr(C)]
#[allow(missing_docs)] // fields documented in include/vecsearch.h
#[derive(Debug, Clone, Copy)]
pub struct vs_ivfpq_params {
    pub d: usize,
    pub metric: vs_metric,
    pub nlist: usize,
    pub m: usize,
    pub nbits: usize,
    pub refine: i32,
    pub seed: u64,
    pub train_threads: usize,
    pub kmeans_iters: usize,
}

/// Search options (`vs_search_params` in C); see the header.
#[repr(C)]
#[allow(missing_docs)] // fields documented in include/vecsearch.h
#[derive(Debug, Clone, Copy)]
pub struct vs_search_params {
    pub nprobe: usize,
    pub refine_factor: usize,
    pub threads: usize,
}

/// Index statistics (`vs_stats` in C); see the header.
#[repr(C)]
#[allow(missing_docs)] // fields documented in include/vecsearch.h
#[derive(Debug, Clone, Copy, Default)]
pub struct vs_stats {
    pub len: usize,
    pub tombstones: usize,
    pub memory_bytes: usize,
    pub d: usize,
    pub nlist: usize,
    pub m: usize,
    pub nbits: usize,
    pub metric: vs_metric,
    pub kind: i32,
    pub trained: i32,
    pub refine: i32,
}

/// Opaque index handle. C sees only `struct vs_index`; it is created by a
/// `vs_index_new_*` function and released with [`vs_index_free`].
pub struct vs_index {
    inner: Box<dyn Index>,
}

/// The stable code for an error kind.
fn status_of(kind: ErrorKind) -> vs_status {
    match kind {
        ErrorKind::Null => VS_ERR_NULL,
        ErrorKind::InvalidArgument => VS_ERR_INVALID_ARGUMENT,
        ErrorKind::Dimension => VS_ERR_DIMENSION,
        ErrorKind::NotTrained => VS_ERR_NOT_TRAINED,
        ErrorKind::Panic => VS_ERR_PANIC,
        ErrorKind::Io => VS_ERR_IO,
        ErrorKind::Corrupt => VS_ERR_CORRUPT,
        ErrorKind::OutOfMemory => VS_ERR_OUT_OF_MEMORY,
        ErrorKind::Unsupported => VS_ERR_UNSUPPORTED,
    }
}

fn metric_from(m: vs_metric) -> Result<Metric, Error> {
    match m {
        VS_METRIC_L2 => Ok(Metric::L2),
        VS_METRIC_INNER_PRODUCT => Ok(Metric::InnerProduct),
        VS_METRIC_COSINE => Ok(Metric::Cosine),
        _ => Err(Error::invalid(format!("unknown metric {m}"))),
    }
}

fn metric_to(m: Metric) -> vs_metric {
    match m {
        Metric::L2 => VS_METRIC_L2,
        Metric::InnerProduct => VS_METRIC_INNER_PRODUCT,
        Metric::Cosine => VS_METRIC_COSINE,
    }
}

fn refine_from(r: i32) -> Result<RefineStorage, Error> {
    match r {
        VS_REFINE_NONE => Ok(RefineStorage::None),
        VS_REFINE_F32 => Ok(RefineStorage::F32),
        VS_REFINE_SQ8 => Ok(RefineStorage::Sq8),
        _ => Err(Error::invalid(format!("unknown refine storage {r}"))),
    }
}

fn refine_to(r: RefineStorage) -> i32 {
    match r {
        RefineStorage::None => VS_REFINE_NONE,
        RefineStorage::F32 => VS_REFINE_F32,
        RefineStorage::Sq8 => VS_REFINE_SQ8,
    }
}

/// Boxes `index` into a handle and writes it to `out`, or frees it again
/// if `out` is unusable.
///
/// # Safety
///
/// `out` must be NULL or valid for one write of a pointer.
unsafe fn publish(index: Box<dyn Index>, out: *mut *mut vs_index) -> Result<(), Error> {
    if out.is_null() {
        return Err(null("out"));
    }
    let raw = Box::into_raw(Box::new(vs_index { inner: index }));
    // SAFETY: `out` is valid for one write (our caller's contract).
    if let Err(e) = unsafe { write_out(out, raw, "out") } {
        // SAFETY: `raw` came from Box::into_raw just above and was not
        // handed out.
        drop(unsafe { Box::from_raw(raw) });
        return Err(e);
    }
    Ok(())
}

/// Reads a NUL-terminated UTF-8 path.
///
/// # Safety
///
/// `path` must be NULL or point to a NUL-terminated string live for `'a`.
unsafe fn c_path<'a>(path: *const c_char) -> Result<&'a std::path::Path, Error> {
    if path.is_null() {
        return Err(null("path"));
    }
    // SAFETY: non-null and NUL-terminated (caller's contract).
    let s = unsafe { CStr::from_ptr(path) }
        .to_str()
        .map_err(|_| Error::invalid("path is not valid UTF-8"))?;
    if s.is_empty() {
        return Err(Error::invalid("path is empty"));
    }
    Ok(std::path::Path::new(s))
}

fn null(what: &str) -> Error {
    Error::new(ErrorKind::Null, format!("{what} is NULL"))
}

/// A raw pointer that [`slice`] can turn into a slice: `*const T` gives
/// `&[T]`, `*mut T` gives `&mut [T]`.
trait RawBuf<'a>: Copy {
    type Elem;
    type Slice;
    fn addr(self) -> *const Self::Elem;
    fn empty() -> Self::Slice;
    /// # Safety
    /// Same contract as [`slice`], with the pointer already checked
    /// non-null and aligned and the byte size within `isize::MAX`.
    unsafe fn to_slice(self, len: usize) -> Self::Slice;
}

impl<'a, T: 'a> RawBuf<'a> for *const T {
    type Elem = T;
    type Slice = &'a [T];
    fn addr(self) -> *const T {
        self
    }
    fn empty() -> &'a [T] {
        &[]
    }
    unsafe fn to_slice(self, len: usize) -> &'a [T] {
        // SAFETY: forwarded from `slice`: `self` is non-null, aligned, and
        // points to `len` initialised `T` that nobody mutates for 'a.
        unsafe { std::slice::from_raw_parts(self, len) }
    }
}

impl<'a, T: 'a> RawBuf<'a> for *mut T {
    type Elem = T;
    type Slice = &'a mut [T];
    fn addr(self) -> *const T {
        self
    }
    fn empty() -> &'a mut [T] {
        &mut []
    }
    unsafe fn to_slice(self, len: usize) -> &'a mut [T] {
        // SAFETY: forwarded from `slice`: `self` is non-null, aligned, and
        // points to `len` writable `T` that nobody else accesses for 'a.
        unsafe { std::slice::from_raw_parts_mut(self, len) }
    }
}

/// The one place a raw buffer becomes a slice.
///
/// `len == 0` gives an empty slice whatever the pointer (C callers may pass
/// NULL for an empty buffer). Otherwise returns [`ErrorKind::Null`] for a
/// null pointer and [`ErrorKind::InvalidArgument`] for a misaligned pointer
/// or a size over `isize::MAX` bytes.
///
/// # Safety
///
/// If `len > 0` and `ptr` is non-null, `ptr` must point to `len` valid,
/// initialised `T` (writable for `*mut T`), live and not accessed by anyone
/// else in a conflicting way for the lifetime `'a`, which the caller must
/// keep within the current call.
unsafe fn slice<'a, P: RawBuf<'a>>(ptr: P, len: usize, what: &str) -> Result<P::Slice, Error> {
    if len == 0 {
        return Ok(P::empty());
    }
    if ptr.addr().is_null() {
        return Err(null(what));
    }
    if len > isize::MAX as usize / std::mem::size_of::<P::Elem>().max(1) {
        return Err(Error::invalid(format!(
            "{what}: {len} elements is too large"
        )));
    }
    if !ptr.addr().is_aligned() {
        return Err(Error::invalid(format!("{what} is not aligned")));
    }
    // SAFETY: non-null, aligned and within isize::MAX bytes (all checked
    // above); validity for `len` elements is our caller's contract.
    Ok(unsafe { ptr.to_slice(len) })
}

/// Stores `value` through an output pointer after checking it.
///
/// # Safety
///
/// If non-null, `ptr` must be valid for one write of `T`.
unsafe fn write_out<T>(ptr: *mut T, value: T, what: &str) -> Result<(), Error> {
    if ptr.is_null() {
        return Err(null(what));
    }
    if !ptr.is_aligned() {
        return Err(Error::invalid(format!("{what} is not aligned")));
    }
    // SAFETY: non-null and aligned (checked above); valid for a write by our
    // caller's contract.
    unsafe { ptr.write(value) };
    Ok(())
}

/// The body of the exports that read one `usize` off an index
/// (`vs_index_len`, `vs_index_memory_bytes`, `vs_index_dim`).
///
/// # Safety
///
/// `index` NULL or a live handle; `out` NULL or valid for one write; `err`
/// NULL or valid for `err_len` bytes.
unsafe fn get_usize(
    index: *const vs_index,
    out: *mut usize,
    err: *mut c_char,
    err_len: usize,
    read: impl FnOnce(&dyn Index) -> usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        // SAFETY: `out` null-checked inside; valid for one write otherwise.
        unsafe { write_out(out, read(index.inner.as_ref()), "out") }
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Turns a handle pointer into a reference, or [`ErrorKind::Null`].
///
/// # Safety
///
/// If non-null, `index` must come from a `vs_index_new_*` function and not
/// have been freed; the reference must not outlive the current call.
unsafe fn handle<'a>(index: *const vs_index) -> Result<&'a vs_index, Error> {
    // SAFETY: forwarded from our caller: null or a live handle.
    unsafe { index.as_ref() }.ok_or_else(|| null("index"))
}

/// Copies `msg` into the caller's buffer as a NUL-terminated string,
/// truncated on a UTF-8 boundary to fit. Does nothing if `err` is NULL or
/// `err_len` is 0.
///
/// # Safety
///
/// If non-null, `err` must be valid for `err_len` bytes of writes.
unsafe fn write_message(err: *mut c_char, err_len: usize, msg: &str) {
    if err.is_null() || err_len == 0 {
        return;
    }
    // SAFETY: non-null with err_len > 0 (checked); writable for err_len bytes
    // by our caller's contract. u8 and c_char have the same layout.
    let Ok(buf) = (unsafe { slice(err.cast::<u8>(), err_len, "err") }) else {
        return;
    };
    let mut n = msg.len().min(err_len - 1);
    while !msg.is_char_boundary(n) {
        n -= 1;
    }
    buf[..n].copy_from_slice(&msg.as_bytes()[..n]);
    buf[n] = 0;
}

/// Runs an export's body: catches panics, maps errors to status codes and
/// writes the message. Every export goes through here.
///
/// `AssertUnwindSafe` is sound because a panic cannot leave an index
/// half-updated (see the locking notes in `flat`), and the caller's buffers
/// are only ever written with complete values.
///
/// # Safety
///
/// `err` must be NULL or valid for `err_len` bytes of writes.
unsafe fn guard(
    err: *mut c_char,
    err_len: usize,
    body: impl FnOnce() -> Result<(), Error>,
) -> vs_status {
    let (code, msg) = match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return VS_OK,
        Ok(Err(e)) => (status_of(e.kind()), e.message().to_owned()),
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            // Dropping a payload can itself panic; never let that unwind
            // into C.
            let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            (VS_ERR_PANIC, format!("panic: {text}"))
        }
    };
    // SAFETY: forwarded from our caller.
    unsafe { write_message(err, err_len, &msg) };
    code
}

/// `n * d` with overflow reported as an error.
fn elems(n: usize, d: usize, what: &str) -> Result<usize, Error> {
    n.checked_mul(d)
        .ok_or_else(|| Error::invalid(format!("{what}: size {n} x {d} overflows")))
}

/// Checks the `d` a caller passed against the index's.
fn check_dim(index: &vs_index, d: usize, what: &str) -> Result<(), Error> {
    let want = index.inner.dim();
    if d != want {
        return Err(Error::dimension(format!(
            "{what}: d = {d}, index dimension is {want}"
        )));
    }
    Ok(())
}

/// The raw arguments of the three search exports (`vs_index_search`,
/// `vs_index_search_opts`, `vs_index_search_timed`), before any check.
struct RawSearch {
    index: *const vs_index,
    n: usize,
    d: usize,
    x: *const f32,
    k: usize,
    /// `Some((params, exclude, n_exclude))` for the exports that take
    /// options (`params` must then be non-NULL); `None`: the defaults.
    opts: Option<(*const vs_search_params, *const i64, usize)>,
    /// Repetitions, at least 1 (`vs_index_search_timed`; 1 elsewhere).
    repeats: usize,
    labels: *mut i64,
    distances: *mut f32,
}

/// A search export's arguments, checked and turned into slices.
struct Search<'a> {
    index: &'a dyn Index,
    x: &'a [f32],
    k: usize,
    params: SearchParams<'a>,
    labels: &'a mut [i64],
    distances: &'a mut [f32],
}

impl RawSearch {
    /// Checks the arguments in the order every search export reports them:
    /// the handle, `params`, `d`, `k`, `repeats`, then the buffers `x`,
    /// `exclude`, `labels` and `distances`.
    ///
    /// # Safety
    ///
    /// `index` NULL or a live handle; `x` NULL or `n * d` readable floats;
    /// `params` NULL or valid for one read; `exclude` NULL or `n_exclude`
    /// readable int64; `labels` and `distances` NULL or `n * k` writable
    /// values not aliased by the inputs; all for the lifetime `'a`, which
    /// must stay within the current call.
    unsafe fn check<'a>(self) -> Result<Search<'a>, Error> {
        // SAFETY: null or a live handle (our caller's contract).
        let index = unsafe { handle(self.index) }?;
        let params = match self.opts {
            None => None,
            Some((p, ex, n_ex)) => {
                // SAFETY: null or valid for one read (our caller's contract).
                let p = unsafe { p.as_ref() }.ok_or_else(|| null("params"))?;
                Some((p, ex, n_ex))
            }
        };
        check_dim(index, self.d, "search")?;
        if self.k == 0 {
            return Err(Error::invalid("search: k must be at least 1"));
        }
        if self.repeats == 0 {
            return Err(Error::invalid("search: repeats must be at least 1"));
        }
        let nk = elems(self.n, self.k, "search")?;
        // SAFETY: `x` holds n*d floats (our caller's contract).
        let x = unsafe { slice(self.x, elems(self.n, self.d, "search")?, "x") }?;
        let params = match params {
            None => SearchParams::default(),
            Some((p, ex, n_ex)) => SearchParams {
                nprobe: p.nprobe,
                refine_factor: p.refine_factor,
                threads: p.threads,
                // SAFETY: `exclude` holds n_exclude int64 (our caller's
                // contract).
                exclude: unsafe { slice(ex, n_ex, "exclude") }?,
            },
        };
        // SAFETY: `labels` holds n*k writable int64 (our caller's contract).
        let labels = unsafe { slice(self.labels, nk, "labels") }?;
        // SAFETY: `distances` holds n*k writable floats (our caller's
        // contract).
        let distances = unsafe { slice(self.distances, nk, "distances") }?;
        Ok(Search {
            index: index.inner.as_ref(),
            x,
            k: self.k,
            params,
            labels,
            distances,
        })
    }
}

impl Search<'_> {
    /// Runs the search once; returns the largest number of results in a row.
    fn run(&mut self) -> Result<usize, Error> {
        self.index
            .search_with(self.x, self.k, &self.params, self.labels, self.distances)
    }
}

/// Writes `count` through `found` unless it is NULL (`found` is optional
/// in every search export).
///
/// # Safety
///
/// `found` NULL or valid for one write.
unsafe fn write_found(found: *mut usize, count: usize) -> Result<(), Error> {
    if found.is_null() {
        return Ok(());
    }
    // SAFETY: non-null, valid for one write (our caller's contract).
    unsafe { write_out(found, count, "found") }
}

/// Creates an empty exact (brute-force) index.
///
/// # Safety
///
/// `out` must be NULL or valid for one write of a pointer; `err` must be
/// NULL or valid for `err_len` bytes.
// SAFETY: `no_mangle` exports the Rust name as the C symbol; the `vs_`
// prefix is unique to this library, so it cannot clash with another symbol.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_new_flat(
    d: usize,
    metric: vs_metric,
    out: *mut *mut vs_index,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        if out.is_null() {
            return Err(null("out"));
        }
        let index = FlatIndex::new(d, metric_from(metric)?)?;
        // SAFETY: `out` contract forwarded from our caller.
        unsafe { publish(Box::new(index), out) }
    };
    // SAFETY: `err`/`err_len` contract is the caller's (see # Safety).
    unsafe { guard(err, err_len, body) }
}

/// Adds `n` vectors of dimension `d` with their ids.
///
/// # Safety
///
/// `index` must be NULL or a live handle; `x` must be NULL or point to
/// `n * d` floats, `ids` NULL or point to `n` int64 values, both readable
/// for the duration of the call; `err` NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_add(
    index: *mut vs_index,
    n: usize,
    d: usize,
    x: *const f32,
    ids: *const i64,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        check_dim(index, d, "add")?;
        // SAFETY: `x` holds n*d floats, `ids` n values (caller's contract).
        let x = unsafe { slice(x, elems(n, d, "add")?, "x") }?;
        // SAFETY: as above.
        let ids = unsafe { slice(ids, n, "ids") }?;
        index.inner.add(x, ids)
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Searches `n` queries of dimension `d` for their `k` best vectors.
///
/// # Safety
///
/// `index` must be NULL or a live handle; `x` must point to `n * d`
/// readable floats; `labels` and `distances` to `n * k` writable values
/// not aliased by `x`; `found` NULL or valid for one write; `err` NULL or
/// valid for `err_len` bytes; all for the duration of the call.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the C signature is fixed by the header
pub unsafe extern "C" fn vs_index_search(
    index: *const vs_index,
    n: usize,
    d: usize,
    x: *const f32,
    k: usize,
    labels: *mut i64,
    distances: *mut f32,
    found: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        let raw = RawSearch {
            index,
            n,
            d,
            x,
            k,
            opts: None,
            repeats: 1,
            labels,
            distances,
        };
        // SAFETY: the pointers' contract is this function's (see # Safety).
        let mut search = unsafe { raw.check() }?;
        let count = search.run()?;
        // SAFETY: `found` NULL or valid for one write (caller's contract).
        unsafe { write_found(found, count) }
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Writes the number of stored vectors to `*out`.
///
/// # Safety
///
/// `index` NULL or a live handle; `out` NULL or valid for one write; `err`
/// NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_len(
    index: *const vs_index,
    out: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { get_usize(index, out, err, err_len, |i| i.len()) }
}

/// Writes the index's heap size in bytes to `*out`.
///
/// # Safety
///
/// As [`vs_index_len`].
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_memory_bytes(
    index: *const vs_index,
    out: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { get_usize(index, out, err, err_len, |i| i.memory_bytes()) }
}

/// Writes the index's dimension `d` to `*out`.
///
/// # Safety
///
/// As [`vs_index_len`].
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_dim(
    index: *const vs_index,
    out: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { get_usize(index, out, err, err_len, |i| i.dim()) }
}

/// Creates an empty, untrained IVF-PQ index.
///
/// # Safety
///
/// `params` NULL or valid for one read; `out` NULL or valid for one write;
/// `err` NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_new_ivfpq(
    params: *const vs_ivfpq_params,
    out: *mut *mut vs_index,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or valid for one read (caller's contract).
        let p = unsafe { params.as_ref() }.ok_or_else(|| null("params"))?;
        let index = IvfPqIndex::new(IvfPqParams {
            dim: p.d,
            metric: metric_from(p.metric)?,
            nlist: p.nlist,
            m: p.m,
            nbits: p.nbits,
            refine: refine_from(p.refine)?,
            seed: p.seed,
            train_threads: p.train_threads,
            kmeans_iters: p.kmeans_iters,
        })?;
        // SAFETY: `out` contract forwarded from our caller.
        unsafe { publish(Box::new(index), out) }
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Trains the index on `n` vectors of dimension `d`.
///
/// # Safety
///
/// `index` NULL or a live handle; `x` NULL or `n * d` readable floats;
/// `err` NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_train(
    index: *mut vs_index,
    n: usize,
    d: usize,
    x: *const f32,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        check_dim(index, d, "train")?;
        // SAFETY: `x` holds n*d floats (caller's contract).
        let x = unsafe { slice(x, elems(n, d, "train")?, "x") }?;
        index.inner.train(x)
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Removes vectors by id.
///
/// # Safety
///
/// `index` NULL or a live handle; `ids` NULL or `n` readable int64;
/// `removed` NULL or valid for one write; `err` NULL or valid for `err_len`
/// bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_remove(
    index: *mut vs_index,
    n: usize,
    ids: *const i64,
    removed: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        // SAFETY: `ids` holds n int64 (caller's contract).
        let ids = unsafe { slice(ids, n, "ids") }?;
        let count = index.inner.remove(ids)?;
        if !removed.is_null() {
            // SAFETY: non-null, valid for one write (caller's contract).
            unsafe { write_out(removed, count, "removed") }?;
        }
        Ok(())
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Reclaims the space of removed vectors.
///
/// # Safety
///
/// `index` NULL or a live handle; `err` NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_compact(
    index: *mut vs_index,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        index.inner.compact()
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Searches with options.
///
/// # Safety
///
/// As [`vs_index_search`], plus: `params` NULL or valid for one read;
/// `exclude` NULL or `n_exclude` readable int64.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the C signature is fixed by the header
pub unsafe extern "C" fn vs_index_search_opts(
    index: *const vs_index,
    n: usize,
    d: usize,
    x: *const f32,
    k: usize,
    params: *const vs_search_params,
    exclude: *const i64,
    n_exclude: usize,
    labels: *mut i64,
    distances: *mut f32,
    found: *mut usize,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        let raw = RawSearch {
            index,
            n,
            d,
            x,
            k,
            opts: Some((params, exclude, n_exclude)),
            repeats: 1,
            labels,
            distances,
        };
        // SAFETY: the pointers' contract is this function's (see # Safety).
        let mut search = unsafe { raw.check() }?;
        let count = search.run()?;
        // SAFETY: `found` NULL or valid for one write (caller's contract).
        unsafe { write_found(found, count) }
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// [`vs_index_search_opts`] run `repeats` times back to back inside the
/// library, timed with the library's monotonic clock (for benchmarks: the
/// Rust-internal cost of a search, to compare with the same call made from
/// Go). The outputs hold the last repetition's results.
///
/// # Safety
///
/// As [`vs_index_search_opts`], plus: `elapsed_ns` NULL or valid for one
/// write.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the C signature is fixed by the header
pub unsafe extern "C" fn vs_index_search_timed(
    index: *const vs_index,
    n: usize,
    d: usize,
    x: *const f32,
    k: usize,
    params: *const vs_search_params,
    exclude: *const i64,
    n_exclude: usize,
    repeats: usize,
    labels: *mut i64,
    distances: *mut f32,
    found: *mut usize,
    elapsed_ns: *mut u64,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        let raw = RawSearch {
            index,
            n,
            d,
            x,
            k,
            opts: Some((params, exclude, n_exclude)),
            repeats,
            labels,
            distances,
        };
        // SAFETY: the pointers' contract is this function's (see # Safety).
        let mut search = unsafe { raw.check() }?;
        let start = std::time::Instant::now();
        let mut count = 0;
        for _ in 0..repeats {
            count = search.run()?;
        }
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: `found` NULL or valid for one write (caller's contract).
        unsafe { write_found(found, count) }?;
        if !elapsed_ns.is_null() {
            // SAFETY: non-null, valid for one write (caller's contract).
            unsafe { write_out(elapsed_ns, ns, "elapsed_ns") }?;
        }
        Ok(())
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Saves the index atomically to `path`.
///
/// # Safety
///
/// `index` NULL or a live handle; `path` NULL or a NUL-terminated string;
/// `err` NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_save(
    index: *const vs_index,
    path: *const c_char,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        // SAFETY: null or NUL-terminated (caller's contract).
        let path = unsafe { c_path(path) }?;
        crate::persist::save(index.inner.as_ref(), path)
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Loads an index saved by [`vs_index_save`].
///
/// # Safety
///
/// `path` NULL or a NUL-terminated string; `out` NULL or valid for one
/// write; `err` NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_load(
    path: *const c_char,
    out: *mut *mut vs_index,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        if out.is_null() {
            return Err(null("out"));
        }
        // SAFETY: null or NUL-terminated (caller's contract).
        let path = unsafe { c_path(path) }?;
        let index = crate::persist::load(path)?;
        // SAFETY: `out` contract forwarded from our caller.
        unsafe { publish(index, out) }
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Writes the index's statistics to `*out`.
///
/// # Safety
///
/// `index` NULL or a live handle; `out` NULL or valid for one write; `err`
/// NULL or valid for `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_stats(
    index: *const vs_index,
    out: *mut vs_stats,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        // SAFETY: null or a live handle (caller's contract).
        let index = unsafe { handle(index) }?;
        let s = index.inner.stats();
        let st = vs_stats {
            len: s.len,
            tombstones: s.tombstones,
            memory_bytes: s.memory_bytes,
            d: s.dim,
            nlist: s.nlist,
            m: s.m,
            nbits: s.nbits,
            metric: metric_to(s.metric),
            kind: match s.kind {
                IndexKind::Flat => VS_INDEX_FLAT,
                IndexKind::IvfPq => VS_INDEX_IVFPQ,
            },
            trained: i32::from(s.trained),
            refine: refine_to(s.refine),
        };
        // SAFETY: `out` null-checked inside; valid for one write otherwise.
        unsafe { write_out(out, st, "out") }
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

/// Frees an index. NULL is a no-op.
///
/// # Safety
///
/// `index` must be NULL or a live handle that no other thread is using;
/// it is invalid afterwards (freeing twice is undefined behaviour, which
/// the Go binding prevents with its closed flag). `err` NULL or valid for
/// `err_len` bytes.
// SAFETY: unique `vs_` prefix (see vs_index_new_flat).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vs_index_free(
    index: *mut vs_index,
    err: *mut c_char,
    err_len: usize,
) -> vs_status {
    let body = || {
        if !index.is_null() {
            // SAFETY: a live handle from Box::into_raw in vs_index_new_*,
            // not used by anyone else (caller's contract).
            drop(unsafe { Box::from_raw(index) });
        }
        Ok(())
    };
    // SAFETY: `err`/`err_len` contract is the caller's.
    unsafe { guard(err, err_len, body) }
}

#[cfg(test)]
mod tests;

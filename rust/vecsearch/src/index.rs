//! The interface every index type implements, and the input checks they
//! share.
//!
//! The C ABI holds indexes as `Box<dyn Index>`, so a new index type (IVF-PQ)
//! plugs in by implementing this trait; the exports do not change.

use crate::error::Error;

/// How vectors are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// Squared Euclidean distance; smaller is better. Use it for cosine
    /// similarity too, on unit-length vectors: the ranking is the same.
    L2,
    /// Inner product; larger is better.
    InnerProduct,
    /// Cosine similarity: vectors and queries are normalised to unit length,
    /// then ranked by squared L2 (the reported distance, `2 - 2 cos`).
    Cosine,
}

/// Which structure an index is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndexKind {
    /// [`crate::FlatIndex`].
    Flat,
    /// [`crate::IvfPqIndex`].
    IvfPq,
}

/// Vector copies an IVF-PQ index keeps for exact re-ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefineStorage {
    /// Codes and ids only.
    None,
    /// Full `f32` copies.
    F32,
    /// 8-bit scalar-quantized copies (per-dimension min/max).
    Sq8,
}

/// Per-call search options.
#[derive(Debug, Clone, Copy)]
pub struct SearchParams<'a> {
    /// Inverted lists visited per query, `1..=nlist` (IVF only).
    pub nprobe: usize,
    /// 0: no re-rank; `r >= 1`: exact re-rank of the best `k * r`
    /// candidates (IVF with refine storage only).
    pub refine_factor: usize,
    /// Threads for a batch; 0 or 1 searches on the caller's thread.
    pub threads: usize,
    /// Ids no result may contain, sorted ascending.
    pub exclude: &'a [i64],
}

impl Default for SearchParams<'_> {
    fn default() -> Self {
        Self {
            nprobe: 1,
            refine_factor: 0,
            threads: 1,
            exclude: &[],
        }
    }
}

/// What [`Index::stats`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// The structure.
    pub kind: IndexKind,
    /// Dimension.
    pub dim: usize,
    /// Metric.
    pub metric: Metric,
    /// Live vectors.
    pub len: usize,
    /// Removed vectors still taking space (until compaction).
    pub tombstones: usize,
    /// Heap bytes held.
    pub memory_bytes: usize,
    /// IVF lists (0 for flat).
    pub nlist: usize,
    /// PQ sub-quantizers (0 for flat).
    pub m: usize,
    /// Bits per PQ code (0 for flat).
    pub nbits: usize,
    /// Whether the index is trained.
    pub trained: bool,
    /// Re-rank storage.
    pub refine: RefineStorage,
}

/// A vector index: `n × d` row-major `f32` vectors, each with a caller-given
/// `i64` id.
///
/// Implementations are internally synchronised: every method takes `&self`
/// and may be called from many threads at once.
pub trait Index: Send + Sync {
    /// The dimension `d` every vector must have.
    fn dim(&self) -> usize;

    /// The metric the index ranks by.
    fn metric(&self) -> Metric;

    /// Whether the index can accept vectors and answer searches. A flat
    /// index always can; an IVF-PQ index needs training first.
    fn is_trained(&self) -> bool {
        true
    }

    /// Number of vectors stored.
    fn len(&self) -> usize;

    /// Whether no vector is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes the index holds (capacity, not just length), for memory
    /// accounting.
    fn memory_bytes(&self) -> usize;

    /// Adds `vectors.len() / d` vectors with the matching `ids`. All or
    /// nothing: on error the index is unchanged.
    fn add(&self, vectors: &[f32], ids: &[i64]) -> Result<(), Error>;

    /// Searches `queries.len() / d` queries for their `k` best vectors, with
    /// the default [`SearchParams`].
    ///
    /// Row `i` of `labels` and `distances` (each `n * k` long) receives query
    /// `i`'s results, best first; slots without a result hold label `-1` and
    /// the metric's worst score (`+inf` for L2, `-inf` for inner product).
    /// Returns the largest number of results in any row (for a flat index:
    /// `min(k, len)` in every row).
    fn search(
        &self,
        queries: &[f32],
        k: usize,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> Result<usize, Error> {
        self.search_with(queries, k, &SearchParams::default(), labels, distances)
    }

    /// [`Index::search`] with options; each index documents which options
    /// apply to it.
    fn search_with(
        &self,
        queries: &[f32],
        k: usize,
        params: &SearchParams<'_>,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> Result<usize, Error>;

    /// Which structure this is.
    fn kind(&self) -> IndexKind {
        IndexKind::Flat
    }

    /// Trains the index on `vectors.len() / d` vectors. A flat index checks
    /// and ignores them.
    fn train(&self, vectors: &[f32]) -> Result<(), Error> {
        check_vectors("train", self.dim(), vectors).map(|_| ())
    }

    /// Removes every vector whose id is in `ids`; returns how many.
    fn remove(&self, _ids: &[i64]) -> Result<usize, Error> {
        Err(Error::new(
            crate::error::ErrorKind::Unsupported,
            "remove: not supported by this index",
        ))
    }

    /// Reclaims the space of removed vectors.
    fn compact(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Statistics.
    fn stats(&self) -> Stats {
        Stats {
            kind: self.kind(),
            dim: self.dim(),
            metric: self.metric(),
            len: self.len(),
            tombstones: 0,
            memory_bytes: self.memory_bytes(),
            nlist: 0,
            m: 0,
            nbits: 0,
            trained: self.is_trained(),
            refine: RefineStorage::None,
        }
    }

    /// Serialises the index into a persistence payload (see
    /// [`crate::persist`]), which carries no header or checksum.
    fn to_payload(&self) -> Result<Vec<u8>, Error> {
        Err(Error::new(
            crate::error::ErrorKind::Unsupported,
            "save: not supported by this index",
        ))
    }
}

/// Checks an exclusion list: sorted ascending (duplicates allowed).
pub(crate) fn check_exclude(exclude: &[i64]) -> Result<(), Error> {
    if let Some(pos) = exclude.windows(2).position(|w| w[0] > w[1]) {
        return Err(Error::invalid(format!(
            "search: exclude list is not sorted ascending at position {}",
            pos + 1
        )));
    }
    Ok(())
}

/// Whether `id` is in the sorted list `exclude`.
#[inline]
pub(crate) fn is_excluded(exclude: &[i64], id: i64) -> bool {
    !exclude.is_empty() && exclude.binary_search(&id).is_ok()
}

/// Checks a block of vectors against dimension `d` and returns how many
/// there are. Rejects a length that is not a multiple of `d` and any NaN or
/// infinite component (it would poison every distance it touches).
pub(crate) fn check_vectors(what: &str, d: usize, x: &[f32]) -> Result<usize, Error> {
    if !x.len().is_multiple_of(d) {
        return Err(Error::dimension(format!(
            "{what}: {} values is not a multiple of dimension {d}",
            x.len()
        )));
    }
    if let Some(pos) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(format!(
            "{what}: vector {} component {} is {} (values must be finite)",
            pos / d,
            pos % d,
            x[pos]
        )));
    }
    Ok(x.len() / d)
}

/// Checks ids for an add of `n` vectors: one id per vector, none negative
/// (`-1` marks an empty result slot).
pub(crate) fn check_ids(n: usize, ids: &[i64]) -> Result<(), Error> {
    if ids.len() != n {
        return Err(Error::invalid(format!(
            "add: {} ids for {n} vectors",
            ids.len()
        )));
    }
    if let Some(pos) = ids.iter().position(|&id| id < 0) {
        return Err(Error::invalid(format!(
            "add: id {} at position {pos} is negative (ids must be >= 0)",
            ids[pos]
        )));
    }
    Ok(())
}

/// Checks search arguments and returns the number of queries.
pub(crate) fn check_search(
    d: usize,
    queries: &[f32],
    k: usize,
    labels: &[i64],
    distances: &[f32],
) -> Result<usize, Error> {
    if k == 0 {
        return Err(Error::invalid("search: k must be at least 1"));
    }
    let n = check_vectors("search", d, queries)?;
    let want = n
        .checked_mul(k)
        .ok_or_else(|| Error::invalid("search: n * k overflows"))?;
    if labels.len() != want || distances.len() != want {
        return Err(Error::invalid(format!(
            "search: {n} queries with k={k} need {want} labels and distances, got {} and {}",
            labels.len(),
            distances.len()
        )));
    }
    Ok(n)
}

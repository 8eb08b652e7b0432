//! IVF-PQ: an inverted file of `nlist` lists (coarse k-means quantizer) whose
//! entries are product-quantized residuals to their list's centroid, as in
//! FAISS `IndexIVFPQ`.
//!
//! # Search
//!
//! Per query: distances to all coarse centroids select the `nprobe` best
//! lists; the query's PQ table is computed once; each probed list is scanned
//! by asymmetric distance (a sum of `m` table look-ups per code) into a
//! bounded heap (`TopK`). For L2 (and cosine, which is L2 on unit vectors)
//! the table uses FAISS's precomputed-table decomposition of
//! `||x - y_C - y_R||^2`:
//!
//! * term 1, `||y_R||^2 + 2<y_C, y_R>`, depends only on the list and the
//!   code, so it is precomputed at training (`nlist × m × ksub` floats);
//! * term 2, `||x - y_C||^2`, is the coarse distance, already known;
//! * term 3, `-2<x, y_R>`, is one `m × ksub` table per query.
//!
//! A list's table is term 1 + term 3 (one add per entry), and a code's
//! distance is term 2 plus its look-ups, four codes at a time. Inner
//! product uses `<x, y_C> + <x, y_R>` with one table per query. 4-bit
//! (fast-scan) indexes with sub-vectors of at most two dimensions keep no
//! term 1 and build each list's table from the query's residual instead
//! (see `fastscan`).
//!
//! A search's scratch (coarse scores, the block's tables, candidate
//! buffers: ~340 KB at d 100, m 20) is kept per thread between calls
//! (`SCRATCH`), so a single-query search allocates nothing once its thread
//! has searched an index of that shape. It carries no state from one call
//! to the next; a scratch above `SCRATCH_KEEP_MAX` elements is dropped
//! after its call rather than kept.
//!
//! With re-rank (`refine_factor = r >= 1`), the heap keeps the best `k × r`
//! candidates by PQ estimate; their stored vectors (f32 or SQ8) are then
//! compared with the query exactly and the best `k` returned with exact
//! distances.
//!
//! # Locking
//!
//! Training happens once, under a mutex; its result (quantizers, tables) is
//! immutable afterwards and published through a `OnceLock`, so searches read
//! it without locking. The lists sit behind one `RwLock`:
//!
//! * a search takes the read lock **per query** (not per batch), so a writer
//!   waits at most for one query, and holds no other lock meanwhile;
//! * an add assigns, encodes and quantizes its vectors *before* locking, then
//!   takes the write lock only to reserve space and append the finished
//!   codes (time proportional to the rows added);
//! * a remove and a compaction take the write lock **once per list**, so a
//!   search waits at most for one list's scan or rewrite.
//!
//! Nothing under the write lock can panic after the first mutation (space
//! is reserved first), so a poisoned lock still guards consistent data and
//! is recovered with `PoisonError::into_inner`.
//!
//! # Removal
//!
//! A removed entry's id is overwritten with [`TOMBSTONE`] (negative, so
//! scans skip it); [`Index::compact`] drops tombstoned entries list by list.
//! Memory without re-rank is `m` code bytes (`m / 2` with 4-bit codes,
//! which are kept only in the packed fast-scan layout) + an 8-byte id per
//! vector, plus the per-index tables (coarse centroids, codebooks, term 1
//! where kept).
//!
//! # Where things are
//!
//! * `lists`: the inverted lists, the code layouts (`lists::CodeLayout`,
//!   chosen once from `nbits`) and an entry's address
//!   (`lists::EntryRef`);
//! * `build`: training, adding, removal and compaction;
//! * `search`: a query's steps (probe selection, scan, re-rank) and the
//!   per-thread scratch;
//! * `fastscan`: the scan of 4-bit packed lists;
//! * `persist`: the index's persistence payload.

use crate::error::{Error, ErrorKind};
use crate::index::{Index, IndexKind, Metric, RefineStorage, SearchParams, Stats};
use crate::pq::ProductQuantizer;
use build::Sq8;
use lists::{CodeLayout, InvList, Lists};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

mod build;
mod fastscan;
mod lists;
mod persist;
mod search;

pub(crate) use persist::{metric_code, metric_from_code};

/// Id of a removed entry, awaiting compaction.
pub(crate) const TOMBSTONE: i64 = i64::MIN;

/// Largest `nlist` accepted (a sanity bound; FAISS uses up to ~2^20).
const MAX_NLIST: usize = 1 << 24;

/// The shape of an IVF-PQ index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IvfPqParams {
    /// Dimension; `m` must divide it.
    pub dim: usize,
    /// Metric.
    pub metric: Metric,
    /// Number of lists.
    pub nlist: usize,
    /// PQ sub-quantizers.
    pub m: usize,
    /// Bits per code, 1..=8 (0: 8).
    pub nbits: usize,
    /// Storage for exact re-ranking.
    pub refine: RefineStorage,
    /// Seed of k-means.
    pub seed: u64,
    /// Threads for training and adding (0: all cores).
    pub train_threads: usize,
    /// k-means iterations (0: 25).
    pub kmeans_iters: usize,
}

impl IvfPqParams {
    /// Parameters with FAISS-like defaults for the rest.
    pub fn new(dim: usize, metric: Metric, nlist: usize, m: usize) -> Self {
        Self {
            dim,
            metric,
            nlist,
            m,
            nbits: 8,
            refine: RefineStorage::None,
            seed: 1234,
            train_threads: 0,
            kmeans_iters: 25,
        }
    }
}

/// Everything training produces: immutable once published.
struct Trained {
    coarse: Vec<f32>,
    coarse_norms: Vec<f32>,
    pq: ProductQuantizer,
    /// Term 1 of the L2 decomposition, `nlist × m × ksub`, or empty where
    /// [`CodeLayout::keeps_term1`] says so.
    term1: Vec<f32>,
    sq: Option<Sq8>,
    lists: RwLock<Lists>,
}

impl Trained {
    fn read(&self) -> RwLockReadGuard<'_, Lists> {
        self.lists.read().unwrap_or_else(PoisonError::into_inner)
    }
    fn write(&self) -> RwLockWriteGuard<'_, Lists> {
        self.lists.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An IVF-PQ index. See the module documentation.
pub struct IvfPqIndex {
    p: IvfPqParams,
    /// How the lists keep their codes, from `p.nbits`.
    layout: CodeLayout,
    state: OnceLock<Trained>,
    train_lock: Mutex<()>,
}

impl IvfPqIndex {
    /// Creates an empty, untrained index. Zero `nbits`/`kmeans_iters` take
    /// the defaults (8, 25).
    pub fn new(mut p: IvfPqParams) -> Result<Self, Error> {
        if p.nbits == 0 {
            p.nbits = 8;
        }
        if p.kmeans_iters == 0 {
            p.kmeans_iters = 25;
        }
        if p.dim == 0 {
            return Err(Error::invalid("new: dimension must be at least 1"));
        }
        if p.nlist == 0 || p.nlist > MAX_NLIST {
            return Err(Error::invalid(format!(
                "new: nlist = {}, must be 1..={MAX_NLIST}",
                p.nlist
            )));
        }
        ProductQuantizer::check_shape(p.dim, p.m, p.nbits)?;
        Ok(Self {
            p,
            layout: CodeLayout::of(p.nbits),
            state: OnceLock::new(),
            train_lock: Mutex::new(()),
        })
    }

    /// The parameters (with defaults resolved).
    pub fn params(&self) -> &IvfPqParams {
        &self.p
    }

    fn trained(&self, op: &str) -> Result<&Trained, Error> {
        self.state.get().ok_or_else(|| {
            Error::new(
                ErrorKind::NotTrained,
                format!("{op}: the IVF-PQ index must be trained first"),
            )
        })
    }
}

/// The work is in the sibling modules: training, adding, removal and
/// compaction in `build`, searching in `search`, the payload in `persist`.
impl Index for IvfPqIndex {
    fn dim(&self) -> usize {
        self.p.dim
    }

    fn metric(&self) -> Metric {
        self.p.metric
    }

    fn is_trained(&self) -> bool {
        self.state.get().is_some()
    }

    fn kind(&self) -> IndexKind {
        IndexKind::IvfPq
    }

    fn len(&self) -> usize {
        self.state.get().map_or(0, |t| t.read().len)
    }

    fn memory_bytes(&self) -> usize {
        let Some(t) = self.state.get() else {
            return std::mem::size_of::<Self>();
        };
        let lists = t.read();
        std::mem::size_of::<Self>()
            + (t.coarse.capacity() + t.coarse_norms.capacity() + t.term1.capacity()) * 4
            + t.pq.centroids.capacity() * 4
            + t.sq.as_ref().map_or(0, Sq8::heap_bytes)
            + lists.lists.capacity() * std::mem::size_of::<InvList>()
            + lists.lists.iter().map(InvList::heap_bytes).sum::<usize>()
    }

    fn train(&self, vectors: &[f32]) -> Result<(), Error> {
        self.train_quantizers(vectors)
    }

    fn add(&self, vectors: &[f32], ids: &[i64]) -> Result<(), Error> {
        self.add_vectors(vectors, ids)
    }

    fn search_with(
        &self,
        queries: &[f32],
        k: usize,
        params: &SearchParams<'_>,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> Result<usize, Error> {
        self.search_queries(queries, k, params, labels, distances)
    }

    fn remove(&self, ids: &[i64]) -> Result<usize, Error> {
        self.remove_ids(ids)
    }

    fn compact(&self) -> Result<(), Error> {
        self.compact_lists();
        Ok(())
    }

    fn stats(&self) -> Stats {
        let (len, tombstones) = self.state.get().map_or((0, 0), |t| {
            let g = t.read();
            (g.len, g.tombstones)
        });
        Stats {
            kind: IndexKind::IvfPq,
            dim: self.p.dim,
            metric: self.p.metric,
            len,
            tombstones,
            memory_bytes: self.memory_bytes(),
            nlist: self.p.nlist,
            m: self.p.m,
            nbits: self.p.nbits,
            trained: self.is_trained(),
            refine: self.p.refine,
        }
    }

    fn to_payload(&self) -> Result<Vec<u8>, Error> {
        self.payload_in(crate::persist::VERSION)
    }
}

#[cfg(test)]
mod tests;

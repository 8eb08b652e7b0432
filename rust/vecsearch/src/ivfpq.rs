//! IVF-PQ: an inverted file of `nlist` lists (coarse k-means quantizer) whose
//! entries are product-quantized residuals to their list's centroid, as in
//! FAISS `IndexIVFPQ`.
//!
//! # Search
//!
//! Per query: distances to all coarse centroids select the `nprobe` best
//! lists; the query's PQ table is computed once; each probed list is scanned
//! by asymmetric distance (a sum of `m` table look-ups per code) into a
//! bounded heap ([`TopK`]). For L2 (and cosine, which is L2 on unit vectors)
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
//! (see `fastscan_ivf`).
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

use crate::distance::{IpKernel, Kernel, L2Kernel, dot, normalized_rows};
use crate::error::{Error, ErrorKind};
use crate::index::{
    Index, IndexKind, Metric, RefineStorage, SearchParams, Stats, check_exclude, check_ids,
    check_search, check_vectors, is_excluded,
};
use crate::kmeans::{self, KMeansParams, resolve_threads};
use crate::persist::{Reader, Writer};
use crate::pq::{ProductQuantizer, adc_seq, adc4_256};
use crate::topk::{EMPTY_LABEL, TopK};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

// [fastscan] The 4-bit fast-scan path (nbits = 4), a child module so it can
// read the lists; owned by the SIMD/fast-scan engineer.
#[path = "fastscan_ivf.rs"]
mod fastscan_ivf;

/// Id of a removed entry, awaiting compaction.
pub(crate) const TOMBSTONE: i64 = i64::MIN;

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

/// Per-dimension 8-bit scalar quantizer (re-rank storage).
#[derive(Debug, Clone, PartialEq)]
struct Sq8 {
    vmin: Vec<f32>,
    /// `(max - min) / 255` per dimension (0 for a constant dimension).
    step: Vec<f32>,
}

impl Sq8 {
    fn train(x: &[f32], d: usize) -> Self {
        let mut lo = vec![f32::INFINITY; d];
        let mut hi = vec![f32::NEG_INFINITY; d];
        for row in x.chunks_exact(d) {
            for j in 0..d {
                lo[j] = lo[j].min(row[j]);
                hi[j] = hi[j].max(row[j]);
            }
        }
        let step = lo.iter().zip(&hi).map(|(l, h)| (h - l) / 255.0).collect();
        Self { vmin: lo, step }
    }

    fn encode(&self, x: &[f32], out: &mut [u8]) {
        for (j, o) in out.iter_mut().enumerate() {
            let s = self.step[j];
            *o = if s > 0.0 {
                ((x[j] - self.vmin[j]) / s).round().clamp(0.0, 255.0) as u8
            } else {
                0
            };
        }
    }
}

/// One inverted list. Entry `i` is `ids[i]`, code bytes
/// `codes[i*m..(i+1)*m]` (8-bit and other non-4-bit codes) or position `i`
/// of `packed` (4-bit codes: only the packed form is kept, so a vector
/// costs `m / 2` code bytes + its id), and, with re-rank storage,
/// `vecs[i*d..]` (f32) or `sq[i*d..]` (SQ8).
///
/// Internal API for other scan kernels (SIMD, 4-bit fast-scan): read the
/// codes through [`InvList::codes`] / [`InvList::ids`] under the lists' read
/// lock; a different code layout should live in its own field here, filled
/// in [`IvfPqIndex::add`] beside `codes` (mark such call sites clearly).
#[derive(Default, Debug)]
pub(crate) struct InvList {
    ids: Vec<i64>,
    codes: Vec<u8>,
    vecs: Vec<f32>,
    sq: Vec<u8>,
    /// [fastscan] With `nbits = 4`: the codes, packed for the SIMD scan
    /// (`codes` stays empty then).
    packed: crate::fastscan::PackedCodes,
}

impl InvList {
    /// The entries' ids (`< 0`: removed).
    #[allow(dead_code)]
    pub(crate) fn ids(&self) -> &[i64] {
        &self.ids
    }
    /// The entries' PQ codes, `m` bytes each.
    #[allow(dead_code)]
    pub(crate) fn codes(&self) -> &[u8] {
        &self.codes
    }
    fn heap_bytes(&self) -> usize {
        self.ids.capacity() * 8
            + self.codes.capacity()
            + self.vecs.capacity() * 4
            + self.sq.capacity()
            + self.packed.memory_bytes() // [fastscan]
    }
}

#[derive(Default)]
struct Lists {
    lists: Vec<InvList>,
    /// Live entries.
    len: usize,
    /// Tombstoned entries.
    tombstones: usize,
}

/// Everything training produces: immutable once published.
struct Trained {
    coarse: Vec<f32>,
    coarse_norms: Vec<f32>,
    pq: ProductQuantizer,
    /// Term 1 of the L2 decomposition, `nlist × m × ksub` (empty for IP
    /// and for 4-bit codes of short sub-vectors).
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
    state: OnceLock<Trained>,
    train_lock: Mutex<()>,
}

/// Persisted metric code.
pub(crate) fn metric_code(m: Metric) -> u8 {
    match m {
        Metric::L2 => 1,
        Metric::InnerProduct => 2,
        Metric::Cosine => 3,
    }
}

/// Metric from its persisted code.
pub(crate) fn metric_from_code(c: u8) -> Result<Metric, Error> {
    match c {
        1 => Ok(Metric::L2),
        2 => Ok(Metric::InnerProduct),
        3 => Ok(Metric::Cosine),
        _ => Err(Error::corrupt(format!("load: unknown metric {c}"))),
    }
}

fn refine_code(r: RefineStorage) -> u8 {
    match r {
        RefineStorage::None => 0,
        RefineStorage::F32 => 1,
        RefineStorage::Sq8 => 2,
    }
}

/// Largest `nlist` accepted (a sanity bound; FAISS uses up to ~2^20).
const MAX_NLIST: usize = 1 << 24;

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

    fn kmeans_params(&self) -> KMeansParams {
        KMeansParams {
            iters: self.p.kmeans_iters,
            seed: self.p.seed,
            threads: self.p.train_threads,
            ..KMeansParams::default()
        }
    }

    /// Builds the derived tables from the trained quantizers.
    fn build(
        &self,
        coarse: Vec<f32>,
        pq: ProductQuantizer,
        sq: Option<Sq8>,
        lists: Lists,
    ) -> Result<Trained, Error> {
        let d = self.p.dim;
        let coarse_norms = kmeans::norms(&coarse, d);
        let mut term1 = Vec::new();
        // [fastscan] 4-bit lists with sub-vectors of at most
        // FS_RESIDUAL_MAX_DSUB dimensions build their L2 tables from the
        // residual instead (see fastscan_ivf::list_table): no term 1 to keep.
        let residual_tables = self.p.nbits == fastscan_ivf::NBITS
            && d / self.p.m <= fastscan_ivf::FS_RESIDUAL_MAX_DSUB;
        if self.p.metric != Metric::InnerProduct && !residual_tables {
            let (m, ksub, dsub) = (pq.m, pq.ksub, pq.dsub);
            term1.try_reserve_exact(self.p.nlist * m * ksub)?;
            let rnorm: Vec<f32> = pq.centroids.chunks_exact(dsub).map(|c| dot(c, c)).collect();
            for c in coarse.chunks_exact(d) {
                for j in 0..m {
                    let cs = &c[j * dsub..(j + 1) * dsub];
                    for code in 0..ksub {
                        term1.push(rnorm[j * ksub + code] + 2.0 * dot(cs, pq.centroid(j, code)));
                    }
                }
            }
        }
        Ok(Trained {
            coarse,
            coarse_norms,
            pq,
            term1,
            sq,
            lists: RwLock::new(lists),
        })
    }

    /// The lists of (normalised) rows `x`, blocked (see
    /// [`kmeans::assign_best`]).
    fn assign_rows(&self, coarse: &[f32], x: &[f32], threads: usize, out: &mut [u32]) {
        let ip = self.p.metric == Metric::InnerProduct;
        kmeans::assign_best(x, self.p.dim, coarse, threads, ip, out);
    }

    /// Encodes rows: list numbers, PQ codes of residuals, SQ8 codes.
    fn encode_rows(
        &self,
        t: &Trained,
        x: &[f32],
        lists: &mut [u32],
        codes: &mut [u8],
        sq: &mut [u8],
    ) {
        let (d, m) = (self.p.dim, self.p.m);
        let mut residual = vec![0f32; d];
        let mut table = vec![0f32; m * t.pq.ksub];
        self.assign_rows(&t.coarse, x, 1, lists);
        for (i, row) in x.chunks_exact(d).enumerate() {
            let l = lists[i] as usize;
            let c = &t.coarse[l * d..(l + 1) * d];
            for j in 0..d {
                residual[j] = row[j] - c[j];
            }
            t.pq.encode(&residual, &mut codes[i * m..(i + 1) * m], &mut table);
            if let Some(q) = &t.sq {
                q.encode(row, &mut sq[i * d..(i + 1) * d]);
            }
        }
    }

    /// Rebuilds an index from a persistence payload.
    pub(crate) fn from_payload(r: &mut Reader<'_>) -> Result<Self, Error> {
        let dim = r.u32()? as usize;
        let metric = metric_from_code(r.u8()?)?;
        let nlist = r.u32()? as usize;
        let m = r.u32()? as usize;
        let nbits = r.u32()? as usize;
        let refine = match r.u8()? {
            0 => RefineStorage::None,
            1 => RefineStorage::F32,
            2 => RefineStorage::Sq8,
            c => return Err(Error::corrupt(format!("load: unknown refine kind {c}"))),
        };
        let seed = r.u64()?;
        let train_threads = r.u32()? as usize;
        let kmeans_iters = r.u32()? as usize;
        let p = IvfPqParams {
            dim,
            metric,
            nlist,
            m,
            nbits,
            refine,
            seed,
            train_threads,
            kmeans_iters,
        };
        let idx = Self::new(p).map_err(|e| Error::corrupt(format!("load: {}", e.message())))?;
        if idx.p.nbits != nbits || nbits == 0 {
            return Err(Error::corrupt("load: bad nbits"));
        }
        match r.u8()? {
            0 => return Ok(idx),
            1 => {}
            c => return Err(Error::corrupt(format!("load: bad trained flag {c}"))),
        }
        let too_big = || Error::corrupt("load: sizes overflow");
        let coarse = r.f32s(
            Some(nlist.checked_mul(dim).ok_or_else(too_big)?),
            "coarse centroids",
        )?;
        let ksub = 1usize << nbits;
        let centroids = r.f32s(
            Some(ksub.checked_mul(dim).ok_or_else(too_big)?),
            "pq centroids",
        )?;
        let pq = ProductQuantizer::from_centroids(dim, m, nbits, centroids);
        let sq = if refine == RefineStorage::Sq8 {
            let vmin = r.f32s(Some(dim), "sq8 min")?;
            let step = r.f32s(Some(dim), "sq8 step")?;
            Some(Sq8 { vmin, step })
        } else {
            None
        };
        let mut lists = Lists::default();
        lists.lists.try_reserve_exact(nlist)?;
        for _ in 0..nlist {
            let ids = r.i64s(None, "list ids")?;
            let n = ids.len();
            // [fastscan] 4-bit codes are stored packed from format 2 on.
            let fast = nbits == fastscan_ivf::NBITS;
            let (codes, packed) = if fast && r.version >= 2 {
                let raw = r.bytes(None, "list packed codes")?;
                let p = crate::fastscan::PackedCodes::from_raw(m, n, raw)
                    .ok_or_else(|| Error::corrupt("load: packed codes do not match the ids"))?;
                let mut code = vec![0u8; m];
                for i in 0..n {
                    p.get(i, &mut code);
                    if code.iter().any(|&c| usize::from(c) >= ksub) {
                        return Err(Error::corrupt("load: code out of range"));
                    }
                }
                (Vec::new(), p)
            } else {
                let codes = r.bytes(Some(n.checked_mul(m).ok_or_else(too_big)?), "list codes")?;
                if codes.iter().any(|&c| usize::from(c) >= ksub) {
                    return Err(Error::corrupt("load: code out of range"));
                }
                if fast {
                    // A version-1 file: pack the byte codes.
                    (
                        Vec::new(),
                        crate::fastscan::PackedCodes::from_codes(m, &codes),
                    )
                } else {
                    (codes, Default::default())
                }
            };
            let want = n.checked_mul(dim).ok_or_else(too_big)?;
            let (vecs, sqc) = match refine {
                RefineStorage::None => (Vec::new(), Vec::new()),
                RefineStorage::F32 => (r.f32s(Some(want), "list vectors")?, Vec::new()),
                RefineStorage::Sq8 => (Vec::new(), r.bytes(Some(want), "list sq8")?),
            };
            for &id in &ids {
                if id >= 0 {
                    lists.len += 1;
                } else if id == TOMBSTONE {
                    lists.tombstones += 1;
                } else {
                    return Err(Error::corrupt("load: negative id"));
                }
            }
            lists.lists.push(InvList {
                ids,
                codes,
                vecs,
                sq: sqc,
                packed,
            });
        }
        let t = idx.build(coarse, pq, sq, lists)?;
        let _ = idx.state.set(t);
        Ok(idx)
    }
}

/// Re-rank candidates whose stored vectors are prefetched ahead of use.
const PREFETCH_AHEAD: usize = 8;

/// Queries per block of the coarse step (see [`IvfPqIndex::search_block`]).
const COARSE_BLOCK: usize = 16;

/// Per-thread scratch of a search. Kept between calls in [`SCRATCH`] so a
/// single-query search allocates nothing once a thread has searched an
/// index of this shape; it holds no state between calls (every buffer is
/// resized and overwritten before it is read).
#[derive(Default)]
struct Scratch {
    coarse: Vec<f32>,
    probe_l: Vec<i64>,
    probe_s: Vec<f32>,
    /// Term 3 (L2) or the IP table of each query of a block
    /// (`COARSE_BLOCK × m × ksub`).
    qtab: Vec<f32>,
    /// The table for one list (L2: term 1 + term 3).
    ltab: Vec<f32>,
    cand_l: Vec<i64>,
    cand_s: Vec<f32>,
    /// [fastscan] scratch of the 4-bit path.
    fs: fastscan_ivf::FsScratch,
}

/// A scratch larger than this (in floats/labels, summed) is not kept for
/// the next call: an occasional huge search (nlist 65536, k × refine in the
/// millions) should not pin its buffers to the thread for good.
const SCRATCH_KEEP_MAX: usize = 1 << 20;

thread_local! {
    /// The calling thread's search scratch (see [`Scratch`]). Not error
    /// state: a call takes it out, uses it and puts it back, so a panic or
    /// a nested search just starts from an empty one.
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

impl Scratch {
    /// Sizes every buffer for one search (growing only when needed).
    fn fit(&mut self, nlist: usize, mk: usize, nprobe: usize, cand: usize) {
        self.coarse.resize(COARSE_BLOCK * nlist, 0.0);
        self.probe_l.resize(nprobe, 0);
        self.probe_s.resize(nprobe, 0.0);
        self.qtab.resize(COARSE_BLOCK * mk, 0.0);
        self.ltab.resize(mk, 0.0);
        self.cand_l.resize(cand, 0);
        self.cand_s.resize(cand, 0.0);
    }

    fn kept_size(&self) -> usize {
        self.coarse.capacity()
            + self.probe_l.capacity()
            + self.probe_s.capacity()
            + self.qtab.capacity()
            + self.ltab.capacity()
            + self.cand_l.capacity()
            + self.cand_s.capacity()
    }

    /// Runs `f` with this thread's scratch, sized for the search.
    fn with<R>(
        nlist: usize,
        mk: usize,
        nprobe: usize,
        cand: usize,
        f: impl FnOnce(&mut Scratch) -> R,
    ) -> R {
        // `try_with`: during thread teardown the slot may be gone.
        let mut sc = SCRATCH
            .try_with(|c| c.take())
            .ok()
            .flatten()
            .unwrap_or_default();
        sc.fit(nlist, mk, nprobe, cand);
        let r = f(&mut sc);
        if sc.kept_size() <= SCRATCH_KEEP_MAX {
            let _ = SCRATCH.try_with(|c| c.set(Some(sc)));
        }
        r
    }
}

impl IvfPqIndex {
    /// Searches a block of queries on the current thread.
    ///
    /// The coarse step runs [`COARSE_BLOCK`] queries at a time as one
    /// register-blocked matrix product against the centroids (each centroid
    /// loaded once per block rather than once per query, as FAISS does with
    /// BLAS); the rest runs query by query.
    #[allow(clippy::too_many_arguments)]
    fn search_block(
        &self,
        t: &Trained,
        queries: &[f32],
        k: usize,
        params: &SearchParams<'_>,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> usize {
        let nlist = self.p.nlist;
        let cand = k * params.refine_factor;
        let mk = t.pq.m * t.pq.ksub;
        Scratch::with(nlist, mk, params.nprobe, cand, |sc| {
            self.search_block_in(t, queries, k, params, labels, distances, sc)
        })
    }

    /// [`Self::search_block`] with the scratch at hand.
    #[allow(clippy::too_many_arguments)]
    fn search_block_in(
        &self,
        t: &Trained,
        queries: &[f32],
        k: usize,
        params: &SearchParams<'_>,
        labels: &mut [i64],
        distances: &mut [f32],
        sc: &mut Scratch,
    ) -> usize {
        let d = self.p.dim;
        let nlist = self.p.nlist;
        let ip = self.p.metric == Metric::InnerProduct;
        let mut best = 0;
        for ((qb, lb), sb) in queries
            .chunks(COARSE_BLOCK * d)
            .zip(labels.chunks_mut(COARSE_BLOCK * k))
            .zip(distances.chunks_mut(COARSE_BLOCK * k))
        {
            let nb = qb.len() / d;
            let dots = &mut sc.coarse[..nb * nlist];
            crate::simd::dot_tile(qb, &t.coarse, d, dots);
            if !ip {
                // ||q - c||^2 = ||q||^2 + ||c||^2 - 2 <q, c>
                for (row, q) in dots.chunks_exact_mut(nlist).zip(qb.chunks_exact(d)) {
                    let qn = crate::simd::dot(q, q);
                    for (v, &cn) in row.iter_mut().zip(&t.coarse_norms) {
                        *v = (qn + cn - 2.0 * *v).max(0.0);
                    }
                }
            }
            // The queries' PQ tables, the codebooks read once per block:
            // <x_j, r_jc> (IP) or term 3 = -2 <x_j, r_jc> (L2).
            let mk = t.pq.m * t.pq.ksub;
            let qtab = &mut sc.qtab[..nb * mk];
            crate::simd::adc_tables_dot(qb, d, &t.pq.ct, t.pq.ksub, qtab);
            if !ip {
                qtab.iter_mut().for_each(|v| *v *= -2.0);
            }
            for (i, ((q, l), s)) in qb
                .chunks_exact(d)
                .zip(lb.chunks_exact_mut(k))
                .zip(sb.chunks_exact_mut(k))
                .enumerate()
            {
                let found = if ip {
                    self.search_one::<IpKernel>(t, q, i, params, sc, l, s)
                } else {
                    self.search_one::<L2Kernel>(t, q, i, params, sc, l, s)
                };
                best = best.max(found);
            }
        }
        best
    }

    /// One query: coarse selection, list scans, optional re-rank. Row
    /// `row` of `sc.coarse` holds the query's coarse scores.
    #[allow(clippy::too_many_arguments)]
    fn search_one<K: Kernel>(
        &self,
        t: &Trained,
        q: &[f32],
        row: usize,
        params: &SearchParams<'_>,
        sc: &mut Scratch,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> usize {
        let d = self.p.dim;
        let nlist = self.p.nlist;
        let (m, ksub) = (t.pq.m, t.pq.ksub);
        let mk = m * ksub;
        let ip = self.p.metric == Metric::InnerProduct;
        TopK::<K>::reset(&mut sc.probe_l, &mut sc.probe_s);
        let mut probes = TopK::<K>::resume(&mut sc.probe_l, &mut sc.probe_s);
        for (l, &s) in sc.coarse[row * nlist..(row + 1) * nlist].iter().enumerate() {
            probes.push(s, l as i64);
        }
        probes.finish();
        // The query's table: <x_j, r_jc> (IP) or term 3 = -2 <x_j, r_jc>.
        let qtab = &sc.qtab[row * mk..(row + 1) * mk];

        let rerank = params.refine_factor > 0;
        let ex = params.exclude;
        let lists = t.read();
        {
            let (hl, hs): (&mut [i64], &mut [f32]) = if rerank {
                (&mut sc.cand_l, &mut sc.cand_s)
            } else {
                (&mut *labels, &mut *distances)
            };
            let cap = hl.len();
            let fast = self.p.nbits == fastscan_ivf::NBITS;
            if fast && rerank {
                // [fastscan] The candidates for the exact re-rank, in no
                // particular order (the re-rank orders them).
                let n = self.fs_candidates(
                    t,
                    q,
                    &lists,
                    (&sc.probe_l, &sc.probe_s),
                    qtab,
                    &mut sc.fs,
                    ex,
                    ip,
                    cap,
                    hl,
                );
                hl[n..].fill(EMPTY_LABEL);
            } else {
                TopK::<K>::reset(hl, hs);
                let mut heap = TopK::<K>::resume(hl, hs);
                // [fastscan] 4-bit: the SIMD scan fills the heap; the loop below
                // then has nothing to do.
                if fast {
                    self.fs_scan::<K>(
                        t,
                        q,
                        &lists,
                        (&sc.probe_l, &sc.probe_s),
                        (qtab, &mut sc.ltab),
                        &mut sc.fs,
                        ex,
                        rerank,
                        &mut heap,
                        cap,
                    );
                }
                let probes = if fast { 0 } else { sc.probe_l.len() }; // [fastscan]
                for (&l, &dis0) in sc.probe_l.iter().zip(&sc.probe_s).take(probes) {
                    if l == EMPTY_LABEL {
                        continue;
                    }
                    let l = l as usize;
                    let list = &lists.lists[l];
                    // L2: the list's table is term 1 (precomputed) + term 3
                    // (the query's), m × ksub adds. Scoring short lists
                    // from the two tables directly instead (two look-ups
                    // per sub-quantizer, no adds) was measured slower on
                    // fashion-mnist (~100 codes a list): the SIMD add moves
                    // 8 floats per instruction, the extra look-ups one.
                    let table: &[f32] = if ip {
                        qtab
                    } else {
                        let t1 = &t.term1[l * mk..(l + 1) * mk];
                        crate::simd::add(t1, qtab, &mut sc.ltab);
                        &sc.ltab
                    };
                    let mut offer = |i: usize, s: f32| {
                        let id = list.ids[i];
                        let label = if rerank {
                            ((l as i64) << 32) | i as i64
                        } else {
                            id
                        };
                        // Tombstone and exclusion checks only for candidates
                        // that would enter the heap.
                        if heap.accepts(s, label) && id >= 0 && !is_excluded(ex, id) {
                            heap.push(s, label);
                        }
                    };
                    let mut i = 0;
                    if ksub == 256 {
                        for codes in list.codes.chunks_exact(4 * m) {
                            for (r, s) in adc4_256(table, codes).into_iter().enumerate() {
                                offer(i + r, dis0 + s);
                            }
                            i += 4;
                        }
                    }
                    for code in list.codes[i * m..].chunks_exact(m) {
                        offer(i, dis0 + adc_seq(table, ksub, code));
                        i += 1;
                    }
                }
                let found = heap.finish();
                if !rerank {
                    return found;
                }
            }
        }
        // Exact re-rank of the candidates, with the lists still read-locked
        // so their offsets are stable.
        TopK::<K>::reset(labels, distances);
        let mut out = TopK::<K>::resume(labels, distances);
        // The stored vectors are scattered: prefetch a few candidates ahead
        // so their cache misses overlap.
        let stored = |c: i64| -> &[u8] {
            let (l, i) = ((c >> 32) as usize, (c & 0xffff_ffff) as usize);
            let list = &lists.lists[l];
            match &t.sq {
                Some(_) => &list.sq[i * d..(i + 1) * d],
                None => crate::simd::as_bytes(&list.vecs[i * d..(i + 1) * d]),
            }
        };
        let ncand = sc.cand_l.iter().take_while(|&&c| c != EMPTY_LABEL).count();
        for &c in sc.cand_l.iter().take(ncand.min(PREFETCH_AHEAD)) {
            crate::simd::prefetch(stored(c));
        }
        for (at, &c) in sc.cand_l[..ncand].iter().enumerate() {
            if let Some(&next) = sc.cand_l[..ncand].get(at + PREFETCH_AHEAD) {
                crate::simd::prefetch(stored(next));
            }
            let (l, i) = ((c >> 32) as usize, (c & 0xffff_ffff) as usize);
            let list = &lists.lists[l];
            let s = match &t.sq {
                // [simd] scored straight from the codes: component j decodes
                // to vmin[j] + step[j] * code[j].
                Some(q8) => {
                    let code = &list.sq[i * d..(i + 1) * d];
                    if ip {
                        crate::simd::sq8_dot(q, code, &q8.vmin, &q8.step)
                    } else {
                        crate::simd::sq8_l2_sq(q, code, &q8.vmin, &q8.step)
                    }
                }
                None => K::score(q, &list.vecs[i * d..(i + 1) * d]),
            };
            out.push(s, list.ids[i]);
        }
        out.finish()
    }
}

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
            + t.sq
                .as_ref()
                .map_or(0, |q| (q.vmin.capacity() + q.step.capacity()) * 4)
            + lists.lists.capacity() * std::mem::size_of::<InvList>()
            + lists.lists.iter().map(InvList::heap_bytes).sum::<usize>()
    }

    fn train(&self, vectors: &[f32]) -> Result<(), Error> {
        let d = self.p.dim;
        let n = check_vectors("train", d, vectors)?;
        let _guard = self
            .train_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.state.get().is_some() {
            return Err(Error::invalid("train: the index is already trained"));
        }
        let ksub = 1usize << self.p.nbits;
        if n < self.p.nlist || n < ksub {
            return Err(Error::invalid(format!(
                "train: {n} training vectors, need at least nlist = {} and 2^nbits = {ksub}",
                self.p.nlist
            )));
        }
        let unit;
        let x = if self.p.metric == Metric::Cosine {
            unit = normalized_rows(vectors, d)?;
            &unit[..]
        } else {
            vectors
        };
        let kp = self.kmeans_params();
        let coarse = kmeans::train(x, n, d, self.p.nlist, &kp)?;
        // Residuals of the training points to their (metric) list.
        let mut assign = Vec::new();
        assign.try_reserve_exact(n)?;
        assign.resize(n, 0u32);
        self.assign_rows(
            &coarse,
            x,
            resolve_threads(self.p.train_threads),
            &mut assign,
        );
        let mut residuals = Vec::new();
        residuals.try_reserve_exact(n * d)?;
        for (row, &l) in x.chunks_exact(d).zip(&assign) {
            let l = l as usize;
            let c = &coarse[l * d..(l + 1) * d];
            residuals.extend(row.iter().zip(c).map(|(a, b)| a - b));
        }
        let pq = ProductQuantizer::train(&residuals, n, d, self.p.m, self.p.nbits, &kp)?;
        drop(residuals);
        let sq = (self.p.refine == RefineStorage::Sq8).then(|| Sq8::train(x, d));
        let mut lists = Lists::default();
        lists.lists.try_reserve_exact(self.p.nlist)?;
        lists.lists.resize_with(self.p.nlist, InvList::default);
        let t = self.build(coarse, pq, sq, lists)?;
        let _ = self.state.set(t);
        Ok(())
    }

    fn add(&self, vectors: &[f32], ids: &[i64]) -> Result<(), Error> {
        let (d, m) = (self.p.dim, self.p.m);
        let n = check_vectors("add", d, vectors)?;
        check_ids(n, ids)?;
        let t = self.trained("add")?;
        if n == 0 {
            return Ok(());
        }
        let unit;
        let x = if self.p.metric == Metric::Cosine {
            unit = normalized_rows(vectors, d)?;
            &unit[..]
        } else {
            vectors
        };
        // Encode outside the lock, in parallel.
        let mut assign = Vec::new();
        assign.try_reserve_exact(n)?;
        assign.resize(n, 0u32);
        let mut codes = Vec::new();
        codes.try_reserve_exact(n * m)?;
        codes.resize(n * m, 0u8);
        let sq_len = if t.sq.is_some() { n * d } else { 0 };
        let mut sq = Vec::new();
        sq.try_reserve_exact(sq_len)?;
        sq.resize(sq_len, 0u8);
        let threads = resolve_threads(self.p.train_threads).clamp(1, n.div_ceil(256));
        if threads == 1 {
            self.encode_rows(t, x, &mut assign, &mut codes, &mut sq);
        } else {
            let per = n.div_ceil(threads);
            let sq_per = if t.sq.is_some() { per * d } else { 0 };
            std::thread::scope(|s| {
                let mut sq_rest: &mut [u8] = &mut sq;
                for ((xs, a), c) in x
                    .chunks(per * d)
                    .zip(assign.chunks_mut(per))
                    .zip(codes.chunks_mut(per * m))
                {
                    let take = sq_per.min(sq_rest.len());
                    let (sq_chunk, rest) = sq_rest.split_at_mut(take);
                    sq_rest = rest;
                    s.spawn(move || self.encode_rows(t, xs, a, c, sq_chunk));
                }
            });
        }
        let mut counts = vec![0usize; self.p.nlist];
        for &l in &assign {
            counts[l as usize] += 1;
        }
        let refine = self.p.refine;
        let mut g = t.write();
        // Reserve everything first: a failure leaves the lists unchanged.
        for (list, &c) in g.lists.iter_mut().zip(&counts) {
            if c == 0 {
                continue;
            }
            list.ids.try_reserve(c)?;
            if self.p.nbits == fastscan_ivf::NBITS {
                if list.packed.is_empty() && list.packed.m() == 0 {
                    list.packed = crate::fastscan::PackedCodes::new(m);
                }
                list.packed.try_reserve(c)?; // [fastscan]
            } else {
                list.codes.try_reserve(c * m)?;
            }
            match refine {
                RefineStorage::F32 => list.vecs.try_reserve(c * d)?,
                RefineStorage::Sq8 => list.sq.try_reserve(c * d)?,
                RefineStorage::None => {}
            }
        }
        for i in 0..n {
            let list = &mut g.lists[assign[i] as usize];
            list.ids.push(ids[i]);
            if self.p.nbits == fastscan_ivf::NBITS {
                list.packed.push(&codes[i * m..(i + 1) * m]); // [fastscan]
            } else {
                list.codes.extend_from_slice(&codes[i * m..(i + 1) * m]);
            }
            match refine {
                RefineStorage::F32 => list.vecs.extend_from_slice(&x[i * d..(i + 1) * d]),
                RefineStorage::Sq8 => list.sq.extend_from_slice(&sq[i * d..(i + 1) * d]),
                RefineStorage::None => {}
            }
        }
        g.len += n;
        Ok(())
    }

    fn search(
        &self,
        queries: &[f32],
        k: usize,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> Result<usize, Error> {
        self.search_with(queries, k, &SearchParams::default(), labels, distances)
    }

    fn search_with(
        &self,
        queries: &[f32],
        k: usize,
        params: &SearchParams<'_>,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> Result<usize, Error> {
        let d = self.p.dim;
        let n = check_search(d, queries, k, labels, distances)?;
        let t = self.trained("search")?;
        if params.nprobe == 0 || params.nprobe > self.p.nlist {
            return Err(Error::invalid(format!(
                "search: nprobe = {}, must be 1..={} (nlist)",
                params.nprobe, self.p.nlist
            )));
        }
        check_exclude(params.exclude)?;
        if params.refine_factor > 0 && self.p.refine == RefineStorage::None {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "search: refine_factor > 0 needs an index built with refine storage",
            ));
        }
        if params.refine_factor > 0
            && k.checked_mul(params.refine_factor)
                .is_none_or(|c| c > 1 << 24)
        {
            return Err(Error::invalid("search: k * refine_factor is too large"));
        }
        let len = t.read().len;
        if k > len {
            return Err(Error::invalid(format!(
                "search: k = {k} is larger than the index ({len} vectors)"
            )));
        }
        if n == 0 {
            return Ok(0);
        }
        let unit;
        let queries = if self.p.metric == Metric::Cosine {
            unit = normalized_rows(queries, d)?;
            &unit[..]
        } else {
            queries
        };
        let threads = params.threads.clamp(1, n);
        if threads == 1 {
            return Ok(self.search_block(t, queries, k, params, labels, distances));
        }
        let per = n.div_ceil(threads);
        let found = std::thread::scope(|s| {
            let handles: Vec<_> = queries
                .chunks(per * d)
                .zip(labels.chunks_mut(per * k))
                .zip(distances.chunks_mut(per * k))
                .map(|((q, l), ds)| s.spawn(move || self.search_block(t, q, k, params, l, ds)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .max()
                .unwrap_or(0)
        });
        Ok(found)
    }

    fn remove(&self, ids: &[i64]) -> Result<usize, Error> {
        let Some(t) = self.state.get() else {
            return Ok(0); // nothing stored yet
        };
        if ids.is_empty() {
            return Ok(0);
        }
        let mut sorted = Vec::new();
        sorted.try_reserve_exact(ids.len())?;
        sorted.extend(ids.iter().copied().filter(|&id| id >= 0));
        sorted.sort_unstable();
        let mut removed = 0;
        for l in 0..self.p.nlist {
            // One list per write-lock hold, so searches interleave.
            let mut g = t.write();
            let mut here = 0;
            for id in &mut g.lists[l].ids {
                if *id >= 0 && sorted.binary_search(id).is_ok() {
                    *id = TOMBSTONE;
                    here += 1;
                }
            }
            g.len -= here;
            g.tombstones += here;
            removed += here;
        }
        Ok(removed)
    }

    fn compact(&self) -> Result<(), Error> {
        let Some(t) = self.state.get() else {
            return Ok(());
        };
        let (d, m) = (self.p.dim, self.p.m);
        for l in 0..self.p.nlist {
            let mut g = t.write();
            let list = &mut g.lists[l];
            if self.p.nbits == fastscan_ivf::NBITS && list.ids.iter().any(|&id| id < 0) {
                // [fastscan] drop the removed codes from the packed form
                // first (it needs the ids as they were).
                let ids = &list.ids;
                list.packed.retain(|i| ids[i] >= 0);
            }
            let mut keep = 0;
            for i in 0..list.ids.len() {
                if list.ids[i] < 0 {
                    continue;
                }
                if keep != i {
                    list.ids[keep] = list.ids[i];
                    if !list.codes.is_empty() {
                        list.codes.copy_within(i * m..(i + 1) * m, keep * m);
                    }
                    if !list.vecs.is_empty() {
                        list.vecs.copy_within(i * d..(i + 1) * d, keep * d);
                    }
                    if !list.sq.is_empty() {
                        list.sq.copy_within(i * d..(i + 1) * d, keep * d);
                    }
                }
                keep += 1;
            }
            let dropped = list.ids.len() - keep;
            if dropped == 0 {
                continue;
            }
            list.ids.truncate(keep);
            list.ids.shrink_to_fit();
            list.codes.truncate(keep * m);
            list.codes.shrink_to_fit();
            list.packed.shrink_to_fit(); // [fastscan]
            if !list.vecs.is_empty() {
                list.vecs.truncate(keep * d);
                list.vecs.shrink_to_fit();
            }
            if !list.sq.is_empty() {
                list.sq.truncate(keep * d);
                list.sq.shrink_to_fit();
            }
            g.tombstones -= dropped;
        }
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

impl IvfPqIndex {
    /// The persistence payload in format `version` (only tests write an
    /// older one, to check that it still loads).
    pub(crate) fn payload_in(&self, version: u32) -> Result<Vec<u8>, Error> {
        let p = &self.p;
        let mut w = Writer::default();
        w.u32(p.dim as u32);
        w.u8(metric_code(p.metric));
        w.u32(p.nlist as u32);
        w.u32(p.m as u32);
        w.u32(p.nbits as u32);
        w.u8(refine_code(p.refine));
        w.u64(p.seed);
        w.u32(p.train_threads.min(u32::MAX as usize) as u32);
        w.u32(p.kmeans_iters.min(u32::MAX as usize) as u32);
        let Some(t) = self.state.get() else {
            w.u8(0);
            return Ok(w.buf);
        };
        w.u8(1);
        w.f32s(&t.coarse)?;
        w.f32s(&t.pq.centroids)?;
        if let Some(q) = &t.sq {
            w.f32s(&q.vmin)?;
            w.f32s(&q.step)?;
        }
        // A consistent snapshot: adds and removes wait, searches go on.
        let g = t.read();
        for list in &g.lists {
            w.i64s(&list.ids)?;
            if p.nbits == fastscan_ivf::NBITS && version >= 2 {
                w.bytes(list.packed.raw())?; // [fastscan] format 2
            } else if p.nbits == fastscan_ivf::NBITS {
                let mut codes = vec![0u8; list.packed.len() * p.m];
                for (i, c) in codes.chunks_exact_mut(p.m).enumerate() {
                    list.packed.get(i, c);
                }
                w.bytes(&codes)?;
            } else {
                w.bytes(&list.codes)?;
            }
            match p.refine {
                RefineStorage::F32 => w.f32s(&list.vecs)?,
                RefineStorage::Sq8 => w.bytes(&list.sq)?,
                RefineStorage::None => {}
            }
        }
        Ok(w.buf)
    }
}

#[cfg(test)]
mod tests;

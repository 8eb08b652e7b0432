//! Searching an IVF-PQ index.
//!
//! A batch is cut into blocks of [`COARSE_BLOCK`] queries, whose coarse
//! scores and PQ tables are computed together ([`IvfPqIndex::search_block`]).
//! Each query then runs three steps ([`IvfPqIndex::search_one`]):
//!
//! 1. [`select_probes`]: the `nprobe` lists with the best coarse scores;
//! 2. [`IvfPqIndex::scan_probes`]: the probed lists' entries by PQ estimate
//!    into a bounded heap, in the way the index's [`CodeLayout`] says: the
//!    answer without re-rank, else the `k × r` candidates for step 3;
//! 3. [`rerank`]: the candidates' stored vectors compared with the query
//!    exactly.

use super::fastscan::{self, FsScratch};
use super::lists::{CodeLayout, EntryRef, InvList, Lists};
use super::{IvfPqIndex, Trained};
use crate::distance::{IpKernel, Kernel, L2Kernel, rows_for_metric};
use crate::error::{Error, ErrorKind};
use crate::index::{Metric, RefineStorage, SearchParams, check_exclude, check_search, is_excluded};
use crate::pq::{adc_seq, adc4_256};
use crate::topk::{EMPTY_LABEL, TopK};

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
    cand_l: Vec<i64>,
    cand_s: Vec<f32>,
    scan: ScanScratch,
}

/// The scan step's own scratch.
#[derive(Default)]
struct ScanScratch {
    /// The table for one list (L2: term 1 + term 3).
    ltab: Vec<f32>,
    /// The 4-bit scan's buffers.
    fs: FsScratch,
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
        self.scan.ltab.resize(mk, 0.0);
        self.cand_l.resize(cand, 0);
        self.cand_s.resize(cand, 0.0);
    }

    fn kept_size(&self) -> usize {
        self.coarse.capacity()
            + self.probe_l.capacity()
            + self.probe_s.capacity()
            + self.qtab.capacity()
            + self.scan.ltab.capacity()
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

/// The lists one query probes, best first, with their coarse scores
/// (term 2 for L2, `<x, y_C>` for inner product).
#[derive(Clone, Copy)]
pub(super) struct Probes<'a> {
    lists: &'a [i64],
    scores: &'a [f32],
}

impl<'a> Probes<'a> {
    /// `(rank, list, coarse score)` of every probed list, best first.
    #[inline]
    pub(super) fn iter(self) -> impl Iterator<Item = (usize, usize, f32)> + 'a {
        self.lists
            .iter()
            .zip(self.scores)
            .enumerate()
            .filter(|(_, (l, _))| **l != EMPTY_LABEL)
            .map(|(rank, (&l, &s))| (rank, l as usize, s))
    }

    /// The list probed at `rank` and its coarse score.
    #[inline]
    pub(super) fn at(self, rank: usize) -> (usize, f32) {
        (self.lists[rank] as usize, self.scores[rank])
    }
}

/// What the scan and re-rank steps of one query read.
pub(super) struct Query<'a> {
    pub(super) t: &'a Trained,
    /// The lists, read-locked for the whole query so the positions in the
    /// re-rank candidates stay valid.
    pub(super) lists: &'a Lists,
    /// The query vector (normalised for cosine).
    pub(super) x: &'a [f32],
    /// The query's PQ table, `m × ksub`: term 3 `-2 <x_j, r_jc>` (L2) or
    /// `<x_j, r_jc>` (inner product).
    pub(super) qtab: &'a [f32],
    pub(super) probes: Probes<'a>,
    /// Ids no result may contain, sorted.
    pub(super) exclude: &'a [i64],
    pub(super) ip: bool,
}

/// What the scan step labels the entries it keeps with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Labels {
    /// Their ids: the scan's result is the answer.
    Ids,
    /// Their [`EntryRef`]s: candidates for the re-rank.
    Entries,
}

impl Trained {
    /// List `l`'s L2 table: the precomputed term 1 plus the query's term 3
    /// (`qtab`), `m × ksub` adds.
    #[inline]
    pub(super) fn term1_table(&self, l: usize, qtab: &[f32], out: &mut [f32]) {
        let mk = qtab.len();
        crate::simd::add(&self.term1[l * mk..(l + 1) * mk], qtab, out);
    }
}

impl IvfPqIndex {
    /// [`crate::Index::search_with`]: checks the arguments, then searches
    /// the queries in blocks, on `params.threads` threads.
    pub(super) fn search_queries(
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
        let queries: &[f32] = &rows_for_metric(self.p.metric, queries, d)?;
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

    /// Searches a block of queries on the current thread.
    ///
    /// The coarse step runs [`COARSE_BLOCK`] queries at a time as one
    /// register-blocked matrix product against the centroids (each centroid
    /// loaded once per block rather than once per query, as FAISS does with
    /// BLAS); the rest runs query by query.
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

    /// One query `x`, whose coarse scores and PQ table are row `row` of
    /// `sc.coarse` and `sc.qtab`: the three steps of the module docs.
    /// Returns how many results it wrote.
    #[allow(clippy::too_many_arguments)]
    fn search_one<K: Kernel>(
        &self,
        t: &Trained,
        x: &[f32],
        row: usize,
        params: &SearchParams<'_>,
        sc: &mut Scratch,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> usize {
        let nlist = self.p.nlist;
        let mk = t.pq.m * t.pq.ksub;
        let coarse = &sc.coarse[row * nlist..(row + 1) * nlist];
        select_probes::<K>(coarse, &mut sc.probe_l, &mut sc.probe_s);
        let lists = t.read();
        let query = Query {
            t,
            lists: &lists,
            x,
            qtab: &sc.qtab[row * mk..(row + 1) * mk],
            probes: Probes {
                lists: &sc.probe_l,
                scores: &sc.probe_s,
            },
            exclude: params.exclude,
            ip: self.p.metric == Metric::InnerProduct,
        };
        if params.refine_factor == 0 {
            let out = (labels, distances);
            return self.scan_probes::<K>(&query, Labels::Ids, out, &mut sc.scan);
        }
        let out = (&mut sc.cand_l[..], &mut sc.cand_s[..]);
        let n = self.scan_probes::<K>(&query, Labels::Entries, out, &mut sc.scan);
        rerank::<K>(&query, &sc.cand_l[..n], labels, distances)
    }

    /// Step 2: the best `out.len()` entries of the probed lists by PQ
    /// estimate, scanned as the index's [`CodeLayout`] requires, into `out`;
    /// returns how many it found. With [`Labels::Ids`] the row ends sorted
    /// best first with its PQ distances; with [`Labels::Entries`] the
    /// candidates may be in any order (the re-rank orders them), the rest
    /// of the row holding [`EMPTY_LABEL`].
    fn scan_probes<K: Kernel>(
        &self,
        query: &Query<'_>,
        labels: Labels,
        (out_l, out_s): (&mut [i64], &mut [f32]),
        sc: &mut ScanScratch,
    ) -> usize {
        match self.layout {
            CodeLayout::Packed4 if labels == Labels::Entries => {
                let n = fastscan::candidates(query, &mut sc.fs, out_l);
                out_l[n..].fill(EMPTY_LABEL);
                n
            }
            CodeLayout::Packed4 => {
                fastscan::scan::<K>(query, &mut sc.fs, &mut sc.ltab, out_l, out_s)
            }
            CodeLayout::Bytes => scan_bytes::<K>(query, labels, &mut sc.ltab, out_l, out_s),
        }
    }
}

/// Step 1: the `probe_l.len()` lists with the best `coarse` scores, best
/// first, into `probe_l` and their scores into `probe_s`.
fn select_probes<K: Kernel>(coarse: &[f32], probe_l: &mut [i64], probe_s: &mut [f32]) {
    TopK::<K>::reset(probe_l, probe_s);
    let mut probes = TopK::<K>::resume(probe_l, probe_s);
    for (l, &s) in coarse.iter().enumerate() {
        probes.push(s, l as i64);
    }
    probes.finish();
}

/// Step 2 for byte codes: every probed list scored by asymmetric distance
/// (a list's float table, `m` look-ups a code, four codes at a time for
/// 8-bit codes) into the heap over `out_l`/`out_s`, which ends sorted best
/// first; `ltab` is room for one list's table. Returns how many it kept.
fn scan_bytes<K: Kernel>(
    query: &Query<'_>,
    labels: Labels,
    ltab: &mut [f32],
    out_l: &mut [i64],
    out_s: &mut [f32],
) -> usize {
    TopK::<K>::reset(out_l, out_s);
    let mut heap = TopK::<K>::resume(out_l, out_s);
    let t = query.t;
    let (m, ksub) = (t.pq.m, t.pq.ksub);
    for (_, l, dis0) in query.probes.iter() {
        let list = &query.lists.lists[l];
        let Some(codes) = list.codes.bytes() else {
            continue;
        };
        // L2: the list's table is term 1 (precomputed) + term 3 (the
        // query's), m × ksub adds. Scoring short lists from the two tables
        // directly instead (two look-ups per sub-quantizer, no adds) was
        // measured slower on fashion-mnist (~100 codes a list): the SIMD
        // add moves 8 floats per instruction, the extra look-ups one.
        let table: &[f32] = if query.ip {
            query.qtab
        } else {
            t.term1_table(l, query.qtab, ltab);
            ltab
        };
        let mut offer = |i: usize, s: f32| {
            let id = list.ids[i];
            let label = match labels {
                Labels::Ids => id,
                Labels::Entries => EntryRef::new(l, i).label(),
            };
            // Tombstone and exclusion checks only for candidates that
            // would enter the heap.
            if heap.accepts(s, label) && id >= 0 && !is_excluded(query.exclude, id) {
                heap.push(s, label);
            }
        };
        let mut i = 0;
        if ksub == 256 {
            for four in codes.chunks_exact(4 * m) {
                for (r, s) in adc4_256(table, four).into_iter().enumerate() {
                    offer(i + r, dis0 + s);
                }
                i += 4;
            }
        }
        for code in codes[i * m..].chunks_exact(m) {
            offer(i, dis0 + adc_seq(table, ksub, code));
            i += 1;
        }
    }
    heap.finish()
}

/// Step 3: the candidates' stored vectors (f32 or SQ8) compared with the
/// query exactly; the best `labels.len()` go to `labels`/`distances`, best
/// first, with exact distances. Returns how many.
fn rerank<K: Kernel>(
    query: &Query<'_>,
    cands: &[i64],
    labels: &mut [i64],
    distances: &mut [f32],
) -> usize {
    let t = query.t;
    let d = query.x.len();
    TopK::<K>::reset(labels, distances);
    let mut out = TopK::<K>::resume(labels, distances);
    let entry = |c: i64| -> (&InvList, usize) {
        let e = EntryRef::from_label(c);
        (&query.lists.lists[e.list()], e.pos())
    };
    // The stored vectors are scattered: prefetch a few candidates ahead so
    // their cache misses overlap.
    let stored = |c: i64| -> &[u8] {
        let (list, i) = entry(c);
        match &t.sq {
            Some(_) => &list.sq[i * d..(i + 1) * d],
            None => crate::simd::as_bytes(&list.vecs[i * d..(i + 1) * d]),
        }
    };
    for &c in cands.iter().take(PREFETCH_AHEAD) {
        crate::simd::prefetch(stored(c));
    }
    for (at, &c) in cands.iter().enumerate() {
        if let Some(&next) = cands.get(at + PREFETCH_AHEAD) {
            crate::simd::prefetch(stored(next));
        }
        let (list, i) = entry(c);
        let s = match &t.sq {
            // Scored straight from the codes: component j decodes to
            // vmin[j] + step[j] * code[j].
            Some(q8) => {
                let code = &list.sq[i * d..(i + 1) * d];
                if query.ip {
                    crate::simd::sq8_dot(query.x, code, &q8.vmin, &q8.step)
                } else {
                    crate::simd::sq8_l2_sq(query.x, code, &q8.vmin, &q8.step)
                }
            }
            None => K::score(query.x, &list.vecs[i * d..(i + 1) * d]),
        };
        out.push(s, list.ids[i]);
    }
    out.finish()
}

//! Building an IVF-PQ index: training the quantizers and their tables,
//! adding vectors, removal and compaction (locking as in the module docs).

use super::lists::{InvList, Lists, MAX_LIST_LEN};
use super::{IvfPqIndex, TOMBSTONE, Trained};
use crate::distance::{dot, rows_for_metric};
use crate::error::Error;
use crate::index::{Metric, RefineStorage, check_ids, check_vectors};
use crate::kmeans::{self, KMeansParams, resolve_threads};
use crate::pq::ProductQuantizer;
use std::sync::{PoisonError, RwLock};

/// Per-dimension 8-bit scalar quantizer (re-rank storage).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sq8 {
    pub(super) vmin: Vec<f32>,
    /// `(max - min) / 255` per dimension (0 for a constant dimension).
    pub(super) step: Vec<f32>,
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

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        (self.vmin.capacity() + self.step.capacity()) * 4
    }
}

impl IvfPqIndex {
    fn kmeans_params(&self) -> KMeansParams {
        KMeansParams {
            iters: self.p.kmeans_iters,
            seed: self.p.seed,
            threads: self.p.train_threads,
            ..KMeansParams::default()
        }
    }

    /// Builds the derived tables from the trained quantizers.
    pub(super) fn build(
        &self,
        coarse: Vec<f32>,
        pq: ProductQuantizer,
        sq: Option<Sq8>,
        lists: Lists,
    ) -> Result<Trained, Error> {
        let d = self.p.dim;
        let coarse_norms = kmeans::norms(&coarse, d);
        let mut term1 = Vec::new();
        if self.layout.keeps_term1(self.p.metric, pq.dsub) {
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

    /// [`crate::Index::train`]: the coarse quantizer, the PQ on the
    /// residuals, the SQ8 ranges, then the derived tables, published once.
    pub(super) fn train_quantizers(&self, vectors: &[f32]) -> Result<(), Error> {
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
        let x: &[f32] = &rows_for_metric(self.p.metric, vectors, d)?;
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
        lists
            .lists
            .resize_with(self.p.nlist, || InvList::new(self.layout.empty(self.p.m)));
        let t = self.build(coarse, pq, sq, lists)?;
        let _ = self.state.set(t);
        Ok(())
    }

    /// [`crate::Index::add`]: encodes outside the lock, in parallel, then
    /// appends under the write lock (all or nothing).
    pub(super) fn add_vectors(&self, vectors: &[f32], ids: &[i64]) -> Result<(), Error> {
        let (d, m) = (self.p.dim, self.p.m);
        let n = check_vectors("add", d, vectors)?;
        check_ids(n, ids)?;
        let t = self.trained("add")?;
        if n == 0 {
            return Ok(());
        }
        let x: &[f32] = &rows_for_metric(self.p.metric, vectors, d)?;
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
        // Check and reserve everything first: a failure leaves the lists
        // unchanged.
        for (l, (list, &c)) in g.lists.iter_mut().zip(&counts).enumerate() {
            if c == 0 {
                continue;
            }
            if list.ids.len() + c > MAX_LIST_LEN {
                return Err(Error::invalid(format!(
                    "add: list {l} would hold more than {MAX_LIST_LEN} entries"
                )));
            }
            list.ids.try_reserve(c)?;
            list.codes.try_reserve(c)?;
            match refine {
                RefineStorage::F32 => list.vecs.try_reserve(c * d)?,
                RefineStorage::Sq8 => list.sq.try_reserve(c * d)?,
                RefineStorage::None => {}
            }
        }
        for i in 0..n {
            let list = &mut g.lists[assign[i] as usize];
            list.ids.push(ids[i]);
            list.codes.push(&codes[i * m..(i + 1) * m]);
            match refine {
                RefineStorage::F32 => list.vecs.extend_from_slice(&x[i * d..(i + 1) * d]),
                RefineStorage::Sq8 => list.sq.extend_from_slice(&sq[i * d..(i + 1) * d]),
                RefineStorage::None => {}
            }
        }
        g.len += n;
        Ok(())
    }

    /// [`crate::Index::remove`]: tombstones the matching entries, one list
    /// per write-lock hold so searches interleave.
    pub(super) fn remove_ids(&self, ids: &[i64]) -> Result<usize, Error> {
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

    /// [`crate::Index::compact`]: drops the tombstoned entries, one list
    /// per write-lock hold.
    pub(super) fn compact_lists(&self) {
        let Some(t) = self.state.get() else {
            return;
        };
        for l in 0..self.p.nlist {
            let mut g = t.write();
            let dropped = g.lists[l].compact(self.p.dim);
            g.tombstones -= dropped;
        }
    }
}

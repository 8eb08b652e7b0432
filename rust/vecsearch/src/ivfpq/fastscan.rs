//! Step 2 of a search ([`super::search`]) for 4-bit packed lists
//! ([`super::lists::CodeLayout::Packed4`]): a scan with quantized tables.
//!
//! Every probed list is scanned with its quantized table ([`Scanner`]) in
//! one loop shared by both uses ([`scan_quantized`]). Without re-rank, the
//! best `OVERSAMPLE × cap` candidates by quantized distance are scored with
//! the float tables (the same distance the 8-bit path computes) and pushed
//! into the caller's heap ([`scan`]). With re-rank, the best `cap` go
//! straight to the exact re-rank ([`candidates`]), unordered: it orders
//! them itself.

use super::lists::EntryRef;
use super::search::Query;
use crate::distance::Kernel;
use crate::fastscan::{Candidate, Scanner, table_distance};
use crate::index::is_excluded;
use crate::topk::TopK;

/// Quantized-scan candidates kept per slot of the float-table heap: the
/// quantized distance is coarse, so a few more are re-scored.
const OVERSAMPLE: usize = 3;

/// Per-thread scratch of the fast-scan path (reused across queries).
#[derive(Debug, Default)]
pub(super) struct FsScratch {
    scanner: Scanner,
    tab: Vec<f32>,
    cands: Vec<Candidate>,
    code: Vec<u8>,
    /// L2: the query's residual to the list's centroid.
    resid: Vec<f32>,
}

/// Largest sub-vector dimension (`d / m`) for which a 4-bit index keeps no
/// precomputed term 1 and builds each list's L2 table from the residual:
/// that costs `d × 16` multiply-adds a list against `m × 16` adds, so it
/// only pays for short sub-vectors, where term 1 (`nlist × m × 16` floats:
/// 8 bytes a vector on posts-fasttext at m 50) is a large share of the
/// memory. Measured: posts m 50 (d/m 2) ~14% slower per re-ranked query
/// for 8 fewer bytes a vector; fashion m 16 (d/m 49) several times slower.
pub(super) const FS_RESIDUAL_MAX_DSUB: usize = 2;

/// List `l`'s float table in the index's own sense into `out`, and the
/// offset its sums need. L2 with term 1: term 1 + term 3 (`qtab`), offset
/// `dis0`; L2 without (see [`FS_RESIDUAL_MAX_DSUB`]): `||r_j - c_jc||²` of
/// the residual `r = q - centroid(l)`, offset 0. IP: the query's inner
/// products `qtab`, offset `dis0`.
fn list_table(
    query: &Query<'_>,
    l: usize,
    dis0: f32,
    resid: &mut Vec<f32>,
    out: &mut [f32],
) -> f32 {
    let t = query.t;
    if query.ip {
        out.copy_from_slice(query.qtab);
        return dis0;
    }
    if !t.term1.is_empty() {
        t.term1_table(l, query.qtab, out);
        return dis0;
    }
    let d = query.x.len();
    resid.resize(d, 0.0);
    for ((r, &x), &c) in resid
        .iter_mut()
        .zip(query.x)
        .zip(&t.coarse[l * d..(l + 1) * d])
    {
        *r = x - c;
    }
    t.pq.l2_table(resid, out);
    0.0
}

/// Scans every probed list with its quantized table and leaves the best
/// `cap` candidates by quantized distance in `fs.cands`, best first.
///
/// A candidate's key is the [`EntryRef`] of its probe *rank* (not its
/// list) and position: candidates then regroup in probe order, each group
/// finding its list and coarse score at `query.probes.at(rank)`, and equal
/// distances in different lists rank by probe order.
fn scan_quantized(query: &Query<'_>, fs: &mut FsScratch, cap: usize) {
    let t = query.t;
    fs.scanner.reset(cap);
    fs.tab.resize(t.pq.m * t.pq.ksub, 0.0);
    for (rank, l, dis0) in query.probes.iter() {
        let list = &query.lists.lists[l];
        let Some(codes) = list.codes.packed().filter(|c| !c.is_empty()) else {
            continue;
        };
        let off = list_table(query, l, dis0, &mut fs.resid, &mut fs.tab);
        // The scanner ranks smaller-is-better: negate for IP.
        let offset = if query.ip {
            fs.tab.iter_mut().for_each(|v| *v = -*v);
            -off
        } else {
            off
        };
        let ids = &list.ids;
        fs.scanner.scan(
            &fs.tab,
            offset,
            codes,
            |pos| EntryRef::new(rank, pos).key(),
            |pos| ids[pos] < 0 || is_excluded(query.exclude, ids[pos]),
        );
    }
    fs.scanner.drain_sorted(&mut fs.cands);
}

/// Without re-rank: the best `OVERSAMPLE × cap` candidates by quantized
/// distance, scored again with the float tables (`ltab`: room for one
/// list's `m × 16` table) into the heap over `out_l`/`out_s` (capacity
/// `cap`, their length) by id, which ends sorted best first. Returns how
/// many it kept.
pub(super) fn scan<K: Kernel>(
    query: &Query<'_>,
    fs: &mut FsScratch,
    ltab: &mut [f32],
    out_l: &mut [i64],
    out_s: &mut [f32],
) -> usize {
    let cap = out_l.len();
    TopK::<K>::reset(out_l, out_s);
    let mut heap = TopK::<K>::resume(out_l, out_s);
    scan_quantized(query, fs, cap.saturating_mul(OVERSAMPLE));
    // Float-table distances, grouped by list so each list's table is
    // built once.
    fs.cands.sort_unstable_by_key(|c| c.key);
    fs.code.resize(query.t.pq.m, 0);
    let mut cur = usize::MAX;
    let mut off = 0.0;
    for c in &fs.cands {
        let e = EntryRef::from_key(c.key);
        let (rank, i) = (e.list(), e.pos());
        let (l, dis0) = query.probes.at(rank);
        if rank != cur {
            cur = rank;
            off = list_table(query, l, dis0, &mut fs.resid, ltab);
        }
        let list = &query.lists.lists[l];
        let Some(codes) = list.codes.packed() else {
            continue;
        };
        codes.get(i, &mut fs.code);
        let s = off + table_distance(ltab, &fs.code);
        let id = list.ids[i];
        if heap.accepts(s, id) {
            heap.push(s, id);
        }
    }
    heap.finish()
}

/// With re-rank: the best `out.len()` candidates by quantized distance,
/// written as [`EntryRef`] labels into `out` in no particular order (the
/// exact re-rank orders them). Returns how many were written.
pub(super) fn candidates(query: &Query<'_>, fs: &mut FsScratch, out: &mut [i64]) -> usize {
    scan_quantized(query, fs, out.len());
    for (o, c) in out.iter_mut().zip(&fs.cands) {
        let e = EntryRef::from_key(c.key);
        let (l, _) = query.probes.at(e.list());
        *o = EntryRef::new(l, e.pos()).label();
    }
    fs.cands.len().min(out.len())
}

#[cfg(test)]
mod tests {
    use crate::index::{Index, Metric, RefineStorage, SearchParams};
    use crate::ivfpq::tests::{data_root, read_vecs};
    use crate::ivfpq::{IvfPqIndex, IvfPqParams};
    use std::time::Instant;

    fn random(n: usize, d: usize, seed: u64) -> Vec<f32> {
        let mut s = seed | 1;
        (0..n * d)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn index(
        d: usize,
        metric: Metric,
        nlist: usize,
        m: usize,
        refine: RefineStorage,
    ) -> IvfPqIndex {
        IvfPqIndex::new(IvfPqParams {
            nbits: 4,
            refine,
            train_threads: 1,
            ..IvfPqParams::new(d, metric, nlist, m)
        })
        .unwrap()
    }

    /// Fraction of true top-k ids found.
    fn recall(got: &[i64], truth: &[Vec<i64>], k: usize) -> f64 {
        let hits: usize = got
            .chunks_exact(k)
            .zip(truth)
            .map(|(g, t)| g.iter().filter(|id| t[..k].contains(id)).count())
            .sum();
        hits as f64 / (truth.len() * k) as f64
    }

    fn brute(base: &[f32], q: &[f32], d: usize, k: usize, ip: bool) -> Vec<Vec<i64>> {
        q.chunks_exact(d)
            .map(|q| {
                let mut s: Vec<(f32, i64)> = base
                    .chunks_exact(d)
                    .enumerate()
                    .map(|(i, v)| {
                        let s = if ip {
                            -crate::simd::dot(q, v)
                        } else {
                            crate::simd::l2_sq(q, v)
                        };
                        (s, i as i64)
                    })
                    .collect();
                s.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                s.iter().take(k).map(|x| x.1).collect()
            })
            .collect()
    }

    #[test]
    fn four_bit_search_finds_neighbours_and_honours_exclusions_and_removal() {
        let (d, n, nq, k) = (24, 3000, 40, 10);
        let base = random(n, d, 3);
        let queries = random(nq, d, 5);
        for metric in [Metric::L2, Metric::InnerProduct] {
            for refine in [RefineStorage::None, RefineStorage::F32, RefineStorage::Sq8] {
                // m = 12 (even) and m = 3 (odd: a padding sub-quantizer).
                for m in [12usize, 3] {
                    let idx = index(d, metric, 16, m, refine);
                    idx.train(&base).unwrap();
                    let ids: Vec<i64> = (0..n as i64).collect();
                    idx.add(&base, &ids).unwrap();
                    let truth = brute(&base, &queries, d, k, metric == Metric::InnerProduct);
                    let mut labels = vec![0; nq * k];
                    let mut dists = vec![0.0; nq * k];
                    let rf = if refine == RefineStorage::None { 0 } else { 8 };
                    let p = SearchParams {
                        nprobe: 16,
                        refine_factor: rf,
                        ..SearchParams::default()
                    };
                    idx.search_with(&queries, k, &p, &mut labels, &mut dists)
                        .unwrap();
                    let r = recall(&labels, &truth, k);
                    let floor = match (refine, m) {
                        (RefineStorage::None, 3) => 0.1,
                        (RefineStorage::None, _) => 0.5,
                        (_, 3) => 0.4,
                        _ => 0.9,
                    };
                    assert!(r >= floor, "{metric:?} {refine:?} m={m}: recall {r}");
                    for row in dists.chunks_exact(k) {
                        let ok = match metric {
                            Metric::InnerProduct => row.windows(2).all(|w| w[0] >= w[1]),
                            _ => row.windows(2).all(|w| w[0] <= w[1]),
                        };
                        assert!(ok, "sorted best first: {row:?}");
                    }
                    // Exclude every id found, remove some more: none returns.
                    let mut ex: Vec<i64> = labels[..k].to_vec();
                    ex.sort_unstable();
                    let removed: Vec<i64> = truth[0][..k].to_vec();
                    idx.remove(&removed).unwrap();
                    let p = SearchParams { exclude: &ex, ..p };
                    let mut l1 = vec![0; k];
                    let mut d1 = vec![0.0; k];
                    idx.search_with(&queries[..d], k, &p, &mut l1, &mut d1)
                        .unwrap();
                    assert!(
                        l1.iter()
                            .all(|id| !ex.contains(id) && !removed.contains(id))
                    );
                    // Compaction repacks; results stay the same.
                    let mut l2 = vec![0; k];
                    idx.compact().unwrap();
                    idx.search_with(&queries[..d], k, &p, &mut l2, &mut d1)
                        .unwrap();
                    assert_eq!(l1, l2);
                }
            }
        }
    }

    /// Fast-scan + re-rank on posts-fasttext (L2 on unit vectors) reaches
    /// recall@10 >= 0.9: catches a quantization or packing regression.
    #[test]
    fn real_data_fastscan_recall() {
        let Some(dir) = data_root() else {
            eprintln!("skipped: no real data (set STARLING_TEST_DATA)");
            return;
        };
        let dir = dir.join("posts-fasttext-100-angular");
        let (base, _, d) = read_vecs(&dir.join("base.fvecs"));
        let base: Vec<f32> = base.into_iter().map(f32::from_bits).collect();
        let (q, _, _) = read_vecs(&dir.join("query.fvecs"));
        let q: Vec<f32> = q.into_iter().map(f32::from_bits).collect();
        let (gt, _, gk) = read_vecs(&dir.join("groundtruth.ivecs"));
        let n = base.len() / d;
        let nq = 300;
        let k = 10;
        let truth: Vec<Vec<i64>> = gt
            .chunks_exact(gk)
            .take(nq)
            .map(|r| r.iter().map(|&x| i64::from(x as i32)).collect())
            .collect();
        let m = 50;
        let idx = index(d, Metric::L2, 256, m, RefineStorage::F32);
        let t = Instant::now();
        idx.train(&base[..50_000 * d]).unwrap();
        idx.add(&base, &(0..n as i64).collect::<Vec<_>>()).unwrap();
        eprintln!("m={m} nbits=4 train+add {:.1}s", t.elapsed().as_secs_f64());
        let mut best = 0.0f64;
        for (nprobe, rf) in [(8, 10), (16, 10), (32, 10)] {
            let mut labels = vec![0; nq * k];
            let mut dists = vec![0.0; nq * k];
            let p = SearchParams {
                nprobe,
                refine_factor: rf,
                ..SearchParams::default()
            };
            let t = Instant::now();
            idx.search_with(&q[..nq * d], k, &p, &mut labels, &mut dists)
                .unwrap();
            let us = t.elapsed().as_secs_f64() * 1e6 / nq as f64;
            let r = recall(&labels, &truth, k);
            eprintln!("nprobe={nprobe} refine={rf}: recall@10 {r:.3}, {us:.1} us/query");
            best = best.max(r);
        }
        assert!(best >= 0.9, "fast-scan + re-rank recall@10 {best}");
    }
}

//! Flat (exact, brute-force) index.
//!
//! # Locking
//!
//! The vectors sit behind one [`RwLock`]. Searches take the read lock, so
//! any number run at once. An add checks its input *before* locking, then
//! takes the write lock only to reserve memory and copy the new rows; it
//! never moves existing rows, because storage is a list of fixed-capacity
//! segments rather than one growing buffer, so the lock is held for time
//! proportional to the rows added (plus, at most, regrowing one segment).
//! `len` and `memory_bytes` take the read lock briefly.
//!
//! A panic cannot happen while the write lock is held (the only fallible
//! step, reserving memory, reports errors instead of panicking, and it runs
//! before any row is copied), so a poisoned lock still guards consistent
//! data: readers and writers recover it with `PoisonError::into_inner`
//! instead of failing forever.
//!
//! # Duplicate ids
//!
//! Allowed, as in FAISS: ids are the caller's labels and are not checked for
//! uniqueness (that would cost a hash map per index). A duplicated id can
//! appear more than once in one result row.

use crate::distance::{IpKernel, Kernel, L2Kernel, rows_for_metric};
use crate::error::Error;
use crate::index::{
    Index, Metric, SearchParams, check_exclude, check_ids, check_search, check_vectors, is_excluded,
};
use crate::persist::{Reader, Writer};
use crate::topk::TopK;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Target size of one storage segment. Large enough that per-segment
/// overhead is negligible, small enough that regrowing one is quick.
const SEGMENT_BYTES: usize = 8 << 20;

/// Base vectors scanned per block in a batched search: the block stays in
/// cache while every query of the batch is compared with it.
const BLOCK_BYTES: usize = 128 << 10;

/// Rows scored per batch-kernel call in a flat scan (a stack buffer).
const SCORE_ROWS: usize = 256;

/// Rows of one segment: `ids.len()` rows, `vectors.len() == ids.len() * d`.
#[derive(Default)]
struct Segment {
    vectors: Vec<f32>,
    ids: Vec<i64>,
}

/// The lock-protected state.
#[derive(Default)]
struct Store {
    segments: Vec<Segment>,
    len: usize,
}

/// An exact index: every search compares the query with every vector.
pub struct FlatIndex {
    dim: usize,
    metric: Metric,
    segment_rows: usize,
    store: RwLock<Store>,
}

impl FlatIndex {
    /// Creates an empty index of dimension `dim`. Fails if `dim` is 0.
    pub fn new(dim: usize, metric: Metric) -> Result<Self, Error> {
        if dim == 0 {
            return Err(Error::invalid("new: dimension must be at least 1"));
        }
        let row_bytes = dim.saturating_mul(std::mem::size_of::<f32>());
        Ok(Self {
            dim,
            metric,
            segment_rows: (SEGMENT_BYTES / row_bytes).max(64),
            store: RwLock::new(Store::default()),
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Rebuilds an index from a persistence payload (see
    /// [`crate::persist`]): `u32` dim, `u8` metric, the vectors, the ids.
    pub(crate) fn from_payload(r: &mut Reader<'_>) -> Result<Self, Error> {
        let dim = r.u32()? as usize;
        let metric = crate::ivfpq::metric_from_code(r.u8()?)?;
        let idx = Self::new(dim, metric).map_err(|e| Error::corrupt(e.message()))?;
        let vectors = r.f32s(None, "flat vectors")?;
        if !vectors.len().is_multiple_of(dim) {
            return Err(Error::corrupt("load: flat vectors not a multiple of dim"));
        }
        let ids = r.i64s(Some(vectors.len() / dim), "flat ids")?;
        if ids.iter().any(|&id| id < 0) {
            return Err(Error::corrupt("load: negative id"));
        }
        // Stored vectors are already normalised for cosine; add the rows
        // as they are.
        idx.add_rows(&vectors, &ids)?;
        Ok(idx)
    }

    /// Appends checked rows (already normalised for cosine).
    fn add_rows(&self, vectors: &[f32], ids: &[i64]) -> Result<(), Error> {
        let d = self.dim;
        let n = ids.len();
        if n == 0 {
            return Ok(());
        }
        let rows = self.segment_rows;
        let mut store = self.write();
        // Every segment before the first non-full one is full.
        let first = store
            .segments
            .iter()
            .position(|s| s.ids.len() < rows)
            .unwrap_or(store.segments.len());

        // Pass 1: reserve everything, so a failure leaves the rows unchanged
        // (at worst an extra empty segment, which holds no rows).
        let (mut left, mut s) = (n, first);
        while left > 0 {
            if s == store.segments.len() {
                store.segments.try_reserve(1)?;
                store.segments.push(Segment::default());
            }
            let seg = &mut store.segments[s];
            let take = left.min(rows - seg.ids.len());
            seg.reserve(take, d, rows)?;
            left -= take;
            s += 1;
        }

        // Pass 2: copy. Cannot fail: capacity is reserved.
        let (mut done, mut s) = (0, first);
        while done < n {
            let seg = &mut store.segments[s];
            let take = (n - done).min(rows - seg.ids.len());
            seg.vectors
                .extend_from_slice(&vectors[done * d..(done + take) * d]);
            seg.ids.extend_from_slice(&ids[done..done + take]);
            done += take;
            s += 1;
        }
        store.len += n;
        Ok(())
    }
}

impl Segment {
    /// Makes room for `extra` more rows without exceeding `cap_rows`,
    /// growing geometrically so repeated small adds stay amortised O(1).
    fn reserve(&mut self, extra: usize, d: usize, cap_rows: usize) -> Result<(), Error> {
        let len = self.ids.len();
        let want = len + extra;
        if want <= self.ids.capacity() {
            return Ok(());
        }
        let target = want.max((2 * self.ids.capacity()).min(cap_rows));
        self.ids.try_reserve_exact(target - len)?;
        self.vectors
            .try_reserve_exact(target * d - self.vectors.len())?;
        Ok(())
    }

    fn heap_bytes(&self) -> usize {
        self.vectors.capacity() * std::mem::size_of::<f32>()
            + self.ids.capacity() * std::mem::size_of::<i64>()
    }
}

impl Index for FlatIndex {
    fn dim(&self) -> usize {
        self.dim
    }

    fn metric(&self) -> Metric {
        self.metric
    }

    fn len(&self) -> usize {
        self.read().len
    }

    fn memory_bytes(&self) -> usize {
        let store = self.read();
        std::mem::size_of::<Self>()
            + store.segments.capacity() * std::mem::size_of::<Segment>()
            + store
                .segments
                .iter()
                .map(Segment::heap_bytes)
                .sum::<usize>()
    }

    fn add(&self, vectors: &[f32], ids: &[i64]) -> Result<(), Error> {
        let n = check_vectors("add", self.dim, vectors)?;
        check_ids(n, ids)?;
        self.add_rows(&rows_for_metric(self.metric, vectors, self.dim)?, ids)
    }

    /// Flat search honours `exclude`; `nprobe`, `refine_factor` and
    /// `threads` do not apply and are ignored.
    fn search_with(
        &self,
        queries: &[f32],
        k: usize,
        params: &SearchParams<'_>,
        labels: &mut [i64],
        distances: &mut [f32],
    ) -> Result<usize, Error> {
        let n = check_search(self.dim, queries, k, labels, distances)?;
        check_exclude(params.exclude)?;
        if n == 0 {
            return Ok(0);
        }
        let queries: &[f32] = &rows_for_metric(self.metric, queries, self.dim)?;
        let ex = params.exclude;
        let store = self.read();
        Ok(match self.metric {
            Metric::L2 | Metric::Cosine => {
                scan::<L2Kernel>(self.dim, &store, queries, k, ex, labels, distances)
            }
            Metric::InnerProduct => {
                scan::<IpKernel>(self.dim, &store, queries, k, ex, labels, distances)
            }
        })
    }

    /// Removes matching rows at once (a flat index keeps no tombstones):
    /// under the write lock, each segment is filtered in place.
    fn remove(&self, ids: &[i64]) -> Result<usize, Error> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut sorted = Vec::new();
        sorted.try_reserve_exact(ids.len())?;
        sorted.extend_from_slice(ids);
        sorted.sort_unstable();
        let d = self.dim;
        let mut store = self.write();
        let mut removed = 0;
        for seg in &mut store.segments {
            let mut keep = 0;
            for i in 0..seg.ids.len() {
                if sorted.binary_search(&seg.ids[i]).is_ok() {
                    continue;
                }
                if keep != i {
                    seg.ids[keep] = seg.ids[i];
                    seg.vectors.copy_within(i * d..(i + 1) * d, keep * d);
                }
                keep += 1;
            }
            removed += seg.ids.len() - keep;
            seg.ids.truncate(keep);
            seg.vectors.truncate(keep * d);
        }
        store.len -= removed;
        Ok(removed)
    }

    fn to_payload(&self) -> Result<Vec<u8>, Error> {
        let store = self.read();
        let mut w = Writer::default();
        w.buf.try_reserve(16 + store.len * (self.dim * 4 + 8))?;
        w.u32(self.dim as u32);
        w.u8(crate::ivfpq::metric_code(self.metric));
        w.usize(store.len * self.dim);
        for seg in &store.segments {
            seg.vectors
                .iter()
                .for_each(|x| w.buf.extend_from_slice(&x.to_le_bytes()));
        }
        w.usize(store.len);
        for seg in &store.segments {
            seg.ids
                .iter()
                .for_each(|x| w.buf.extend_from_slice(&x.to_le_bytes()));
        }
        Ok(w.buf)
    }
}

/// Exhaustive scan of every stored row for every query, block by block so
/// each block of base vectors is read from memory once per batch.
fn scan<K: Kernel>(
    d: usize,
    store: &Store,
    queries: &[f32],
    k: usize,
    exclude: &[i64],
    labels: &mut [i64],
    distances: &mut [f32],
) -> usize {
    TopK::<K>::reset(labels, distances);
    let block_rows = (BLOCK_BYTES / (d * std::mem::size_of::<f32>())).max(1);
    let mut scores = [0f32; SCORE_ROWS];
    for seg in &store.segments {
        for (block, block_ids) in seg
            .vectors
            .chunks(block_rows * d)
            .zip(seg.ids.chunks(block_rows))
        {
            let rows = queries.chunks_exact(d).zip(
                labels
                    .chunks_exact_mut(k)
                    .zip(distances.chunks_exact_mut(k)),
            );
            for (q, (row_labels, row_scores)) in rows {
                let mut heap = TopK::<K>::resume(row_labels, row_scores);
                // One query against SCORE_ROWS rows at a time, four
                // rows per kernel pass; the scores live on the stack.
                for (sub, sub_ids) in block
                    .chunks(SCORE_ROWS * d)
                    .zip(block_ids.chunks(SCORE_ROWS))
                {
                    let scores = &mut scores[..sub_ids.len()];
                    K::score_batch(q, sub, scores);
                    for (&s, &id) in scores.iter().zip(sub_ids) {
                        // The exclusion lookup runs only for qualifying rows.
                        if heap.accepts(s, id) && !is_excluded(exclude, id) {
                            heap.push(s, id);
                        }
                    }
                }
            }
        }
    }
    labels
        .chunks_exact_mut(k)
        .zip(distances.chunks_exact_mut(k))
        .map(|(l, s)| TopK::<K>::resume(l, s).finish())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// Deterministic pseudo-random values in [-1, 1) (xorshift), so tests
    /// need no dependency.
    fn random_vectors(n: usize, d: usize, seed: u64) -> Vec<f32> {
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

    /// Exact answer in f64, ties by lower id.
    fn brute_force(
        metric: Metric,
        d: usize,
        base: &[f32],
        ids: &[i64],
        q: &[f32],
        k: usize,
    ) -> Vec<i64> {
        let mut scored: Vec<(f64, i64)> = base
            .chunks_exact(d)
            .zip(ids)
            .map(|(v, &id)| {
                let s: f64 = match metric {
                    Metric::L2 => v
                        .iter()
                        .zip(q)
                        .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
                        .sum(),
                    Metric::InnerProduct => -v
                        .iter()
                        .zip(q)
                        .map(|(a, b)| f64::from(*a) * f64::from(*b))
                        .sum::<f64>(),
                    _ => unreachable!(),
                };
                (s, id)
            })
            .collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        scored.iter().take(k).map(|x| x.1).collect()
    }

    #[test]
    fn matches_brute_force_across_segments_and_batches() {
        for metric in [Metric::L2, Metric::InnerProduct] {
            let d = 13;
            let idx = FlatIndex::new(d, metric).unwrap();
            // Tiny segments force rows to span several of them.
            let idx = FlatIndex {
                segment_rows: 64,
                ..idx
            };
            let n = 500;
            let base = random_vectors(n, d, 7);
            let ids: Vec<i64> = (0..n as i64).map(|i| 1000 + 3 * i).collect();
            // Several adds of uneven sizes.
            for (lo, hi) in [(0, 1), (1, 100), (100, 101), (101, 500)] {
                idx.add(&base[lo * d..hi * d], &ids[lo..hi]).unwrap();
            }
            assert_eq!(idx.len(), n);
            let nq = 20;
            let k = 7;
            let queries = random_vectors(nq, d, 99);
            let mut labels = vec![0; nq * k];
            let mut dists = vec![0.0; nq * k];
            assert_eq!(idx.search(&queries, k, &mut labels, &mut dists).unwrap(), k);
            for (qi, q) in queries.chunks_exact(d).enumerate() {
                let want = brute_force(metric, d, &base, &ids, q, k);
                assert_eq!(
                    &labels[qi * k..(qi + 1) * k],
                    &want[..],
                    "{metric:?} query {qi}"
                );
                // Reported distances are the metric's and sorted best first.
                for j in 0..k {
                    let pos = ids.iter().position(|&x| x == labels[qi * k + j]).unwrap();
                    let v = &base[pos * d..(pos + 1) * d];
                    let s = match metric {
                        Metric::L2 => crate::distance::l2_sq(q, v),
                        Metric::InnerProduct => crate::distance::dot(q, v),
                        _ => unreachable!(),
                    };
                    assert!((s - dists[qi * k + j]).abs() < 1e-4);
                }
            }
        }
    }

    #[test]
    fn k_larger_than_len_pads_with_empty_slots() {
        let idx = FlatIndex::new(2, Metric::L2).unwrap();
        idx.add(&[0.0, 0.0, 1.0, 1.0], &[5, 6]).unwrap();
        let mut labels = [0; 4];
        let mut dists = [0.0; 4];
        let found = idx.search(&[0.9, 0.9], 4, &mut labels, &mut dists).unwrap();
        assert_eq!(found, 2);
        assert_eq!(labels, [6, 5, -1, -1]);
        assert_eq!(dists[2], f32::INFINITY);
    }

    #[test]
    fn empty_index_and_empty_batch() {
        let idx = FlatIndex::new(3, Metric::InnerProduct).unwrap();
        let mut labels = [7; 2];
        let mut dists = [7.0; 2];
        assert_eq!(
            idx.search(&[1.0, 2.0, 3.0], 2, &mut labels, &mut dists)
                .unwrap(),
            0
        );
        assert_eq!(labels, [-1, -1]);
        assert_eq!(idx.search(&[], 2, &mut [], &mut []).unwrap(), 0);
        idx.add(&[], &[]).unwrap();
        assert!(idx.is_empty());
    }

    #[test]
    fn rejects_bad_input_and_stays_unchanged() {
        let idx = FlatIndex::new(2, Metric::L2).unwrap();
        assert_eq!(
            FlatIndex::new(0, Metric::L2).err().unwrap().kind(),
            ErrorKind::InvalidArgument
        );
        let kind = |r: Result<(), Error>| r.unwrap_err().kind();
        assert_eq!(kind(idx.add(&[1.0, 2.0, 3.0], &[1])), ErrorKind::Dimension);
        assert_eq!(
            kind(idx.add(&[1.0, 2.0], &[1, 2])),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(idx.add(&[1.0, f32::NAN], &[1])),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(idx.add(&[1.0, f32::INFINITY], &[1])),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(idx.add(&[1.0, 2.0], &[-1])),
            ErrorKind::InvalidArgument
        );
        assert_eq!(idx.len(), 0);

        let mut l = [0; 2];
        let mut s = [0.0; 2];
        let err = |r: Result<usize, Error>| r.unwrap_err().kind();
        assert_eq!(
            err(idx.search(&[1.0, 2.0], 0, &mut [], &mut [])),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            err(idx.search(&[1.0], 2, &mut l, &mut s)),
            ErrorKind::Dimension
        );
        assert_eq!(
            err(idx.search(&[1.0, f32::NAN], 2, &mut l, &mut s)),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            err(idx.search(&[1.0, 2.0], 2, &mut l[..1], &mut s)),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            err(idx.search(&[1.0, 2.0], 2, &mut l, &mut s[..1])),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn duplicate_ids_are_kept() {
        let idx = FlatIndex::new(1, Metric::L2).unwrap();
        idx.add(&[1.0, 2.0], &[4, 4]).unwrap();
        let mut l = [0; 2];
        let mut s = [0.0; 2];
        idx.search(&[0.0], 2, &mut l, &mut s).unwrap();
        assert_eq!(l, [4, 4]);
    }

    #[test]
    fn memory_grows_with_len() {
        let idx = FlatIndex::new(8, Metric::L2).unwrap();
        let before = idx.memory_bytes();
        idx.add(&vec![0.5; 8 * 100], &(0..100).collect::<Vec<_>>())
            .unwrap();
        assert!(idx.memory_bytes() >= before + 100 * (8 * 4 + 8));
    }

    #[test]
    fn concurrent_searches_and_adds() {
        let d = 8;
        let idx = FlatIndex {
            segment_rows: 32,
            ..FlatIndex::new(d, Metric::L2).unwrap()
        };
        let base = random_vectors(400, d, 3);
        idx.add(&base[..100 * d], &(0..100).collect::<Vec<_>>())
            .unwrap();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for i in 100..400 {
                    idx.add(&base[i * d..(i + 1) * d], &[i as i64]).unwrap();
                }
            });
            for t in 0..3 {
                let idx = &idx;
                let base = &base;
                scope.spawn(move || {
                    let mut l = [0; 5];
                    let mut s = [0.0; 5];
                    for i in 0..200 {
                        let qi = (i * 7 + t) % 100;
                        let q = &base[qi * d..(qi + 1) * d];
                        assert_eq!(idx.search(q, 5, &mut l, &mut s).unwrap(), 5);
                        // The query is itself in the index, at distance 0.
                        assert_eq!(s[0], 0.0);
                        assert!(l.iter().all(|&id| (0..400).contains(&id)));
                        assert!(s.windows(2).all(|w| w[0] <= w[1]));
                    }
                });
            }
        });
        assert_eq!(idx.len(), 400);
    }

    #[test]
    fn cosine_exclusion_remove_and_payload() {
        let idx = FlatIndex::new(2, Metric::Cosine).unwrap();
        idx.add(&[2.0, 0.0, 0.0, 3.0, 1.0, 1.0], &[1, 2, 3])
            .unwrap();
        let mut l = [0; 3];
        let mut s = [0.0; 3];
        idx.search(&[5.0, 0.1], 3, &mut l, &mut s).unwrap();
        assert_eq!(l, [1, 3, 2]);
        assert!(s[0] < 1e-3 && (s[2] - 2.0).abs() < 0.05, "{s:?}");
        let p = SearchParams {
            exclude: &[1, 3],
            ..SearchParams::default()
        };
        idx.search_with(&[5.0, 0.1], 3, &p, &mut l, &mut s).unwrap();
        assert_eq!(l, [2, -1, -1]);
        let bad = SearchParams {
            exclude: &[3, 1],
            ..SearchParams::default()
        };
        assert_eq!(
            idx.search_with(&[5.0, 0.1], 3, &bad, &mut l, &mut s)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        let bytes = idx.to_payload().unwrap();
        assert_eq!(idx.remove(&[3, 99, 3]).unwrap(), 1);
        assert_eq!(idx.len(), 2);
        idx.search(&[1.0, 1.0], 3, &mut l, &mut s).unwrap();
        assert_eq!(&l[..2], &[1, 2]);
        let back = FlatIndex::from_payload(&mut Reader::new(&bytes)).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.metric(), Metric::Cosine);
    }
}

//! k-means for the coarse quantizer and the product quantizer, std only.
//!
//! Follows FAISS `Clustering.cpp` where it matters for recall: a cap on
//! training points per centroid (subsampled with the seed), initial
//! centroids sampled from the data (or k-means++), Lloyd iterations, and
//! repair of empty clusters by splitting the biggest one with a tiny
//! symmetric perturbation. Assignment, the expensive step, runs on
//! `threads` scoped threads; every point's assignment is computed
//! independently, so the result does not depend on the thread count.
//!
//! `pub(crate)` so the fast-scan module can train its 4-bit codebooks with
//! the same routine: `train(data, n, d, k, &KMeansParams { .. })`.

use crate::distance::{dot, l2_sq};
use crate::error::Error;

/// How the initial centroids are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KMeansInit {
    /// `k` distinct training points drawn at random (FAISS's default).
    Sampled,
    /// k-means++: each next centroid drawn with probability proportional
    /// to the squared distance to the nearest one chosen so far.
    #[cfg_attr(not(test), allow(dead_code))] // offered to other trainers
    PlusPlus,
}

/// k-means settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KMeansParams {
    /// Lloyd iterations after initialisation.
    pub iters: usize,
    /// Seed of subsampling and initialisation.
    pub seed: u64,
    /// At most `k * max_points_per_centroid` points are used (FAISS: 256).
    pub max_points_per_centroid: usize,
    /// Threads for the assignment step (0: all available cores).
    pub threads: usize,
    /// Initialisation method.
    pub init: KMeansInit,
}

impl Default for KMeansParams {
    fn default() -> Self {
        Self {
            iters: 25,
            seed: 1234,
            max_points_per_centroid: 256,
            threads: 1,
            init: KMeansInit::Sampled,
        }
    }
}

/// SplitMix64: a small, fast, well-mixed PRNG; enough for sampling.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is negligible for the
    /// sizes used here.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `count` distinct indices out of `0..n`, in random order (partial
/// Fisher–Yates).
pub(crate) fn sample_indices(n: usize, count: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    let count = count.min(n);
    for i in 0..count {
        let j = i + rng.below(n - i);
        perm.swap(i, j);
    }
    perm.truncate(count);
    perm
}

/// Resolves a thread count: 0 means all available cores.
pub(crate) fn resolve_threads(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

/// Trains `k` centroids on `n` row-major points of dimension `d`.
///
/// Returns `k * d` floats. Fails with `InvalidArgument` if `n < k`, `k = 0`
/// or `d = 0`, and with `OutOfMemory` if buffers cannot be reserved.
pub(crate) fn train(
    data: &[f32],
    n: usize,
    d: usize,
    k: usize,
    p: &KMeansParams,
) -> Result<Vec<f32>, Error> {
    if k == 0 || d == 0 {
        return Err(Error::invalid("k-means: k and d must be at least 1"));
    }
    if data.len() != n * d {
        return Err(Error::invalid("k-means: data length is not n * d"));
    }
    if n < k {
        return Err(Error::invalid(format!(
            "train: {n} training vectors for {k} centroids (need at least {k})"
        )));
    }
    let mut rng = SplitMix64::new(p.seed);
    // Subsample to the cap, as FAISS does (it warns; we just do it).
    let cap = k.saturating_mul(p.max_points_per_centroid.max(1));
    let owned;
    let (x, n) = if n > cap {
        let idx = sample_indices(n, cap, &mut rng);
        let mut v = Vec::new();
        v.try_reserve_exact(cap * d)?;
        for &i in &idx {
            v.extend_from_slice(&data[i * d..(i + 1) * d]);
        }
        owned = v;
        (&owned[..], cap)
    } else {
        (data, n)
    };

    let mut centroids = Vec::new();
    centroids.try_reserve_exact(k * d)?;
    match p.init {
        KMeansInit::Sampled => {
            for i in sample_indices(n, k, &mut rng) {
                centroids.extend_from_slice(&x[i * d..(i + 1) * d]);
            }
        }
        KMeansInit::PlusPlus => plus_plus(x, n, d, k, &mut rng, &mut centroids),
    }

    let threads = resolve_threads(p.threads);
    let mut assign = vec![0u32; n];
    let mut sums = vec![0f64; k * d];
    let mut counts = vec![0usize; k];
    for _ in 0..p.iters {
        assign_nearest(x, d, &centroids, threads, &mut assign);
        sums.fill(0.0);
        counts.fill(0);
        for (row, &c) in x.chunks_exact(d).zip(&assign) {
            let c = c as usize;
            counts[c] += 1;
            for (s, &v) in sums[c * d..(c + 1) * d].iter_mut().zip(row) {
                *s += f64::from(v);
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                let inv = 1.0 / counts[c] as f64;
                for (dst, &s) in centroids[c * d..(c + 1) * d]
                    .iter_mut()
                    .zip(&sums[c * d..(c + 1) * d])
                {
                    *dst = (s * inv) as f32;
                }
            }
        }
        split_empty(&mut centroids, &mut counts, d);
    }
    Ok(centroids)
}

/// k-means++ seeding (O(n k d)).
fn plus_plus(x: &[f32], n: usize, d: usize, k: usize, rng: &mut SplitMix64, out: &mut Vec<f32>) {
    let first = rng.below(n);
    out.extend_from_slice(&x[first * d..(first + 1) * d]);
    let mut best: Vec<f32> = x.chunks_exact(d).map(|r| l2_sq(r, &out[..d])).collect();
    for c in 1..k {
        let total: f64 = best.iter().map(|&v| f64::from(v)).sum();
        let pick = if total > 0.0 {
            let mut target = rng.unit() * total;
            let mut chosen = n - 1;
            for (i, &b) in best.iter().enumerate() {
                target -= f64::from(b);
                if target < 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        } else {
            rng.below(n)
        };
        out.extend_from_slice(&x[pick * d..(pick + 1) * d]);
        let cen = &out[c * d..(c + 1) * d];
        for (b, r) in best.iter_mut().zip(x.chunks_exact(d)) {
            *b = b.min(l2_sq(r, cen));
        }
    }
}

/// FAISS's empty-cluster repair: an empty cluster takes a copy of the
/// biggest cluster's centroid, both nudged apart by a relative 1/1024, and
/// the biggest cluster's count is split between them.
fn split_empty(centroids: &mut [f32], counts: &mut [usize], d: usize) {
    const EPS: f32 = 1.0 / 1024.0;
    for ci in 0..counts.len() {
        if counts[ci] != 0 {
            continue;
        }
        let (cj, _) = counts
            .iter()
            .enumerate()
            .max_by_key(|&(i, &c)| (c, std::cmp::Reverse(i)))
            .expect("k >= 1");
        if counts[cj] < 2 {
            continue; // nothing to split (n == k with duplicates)
        }
        for j in 0..d {
            let v = centroids[cj * d + j];
            if j % 2 == 0 {
                centroids[ci * d + j] = v * (1.0 + EPS);
                centroids[cj * d + j] = v * (1.0 - EPS);
            } else {
                centroids[ci * d + j] = v * (1.0 - EPS);
                centroids[cj * d + j] = v * (1.0 + EPS);
            }
        }
        counts[ci] = counts[cj] / 2;
        counts[cj] -= counts[ci];
    }
}

/// Squared norms of the rows of `centroids`.
pub(crate) fn norms(centroids: &[f32], d: usize) -> Vec<f32> {
    centroids.chunks_exact(d).map(|c| dot(c, c)).collect()
}

/// Points per block of the blocked assignment: a block's dot products with
/// every centroid (`ASSIGN_BLOCK × k` floats) stay in L1/L2.
const ASSIGN_BLOCK: usize = 32;

/// Assigns every row of `x` to its nearest centroid, on `threads` threads.
///
/// Uses `argmin_c ||c||^2 - 2 <x, c>` (the `||x||^2` term does not change
/// the argmin) with the dot products computed a block of points at a time
/// by the register-blocked [`crate::simd::dot_tile`], as FAISS does with
/// BLAS.
pub(crate) fn assign_nearest(
    x: &[f32],
    d: usize,
    centroids: &[f32],
    threads: usize,
    out: &mut [u32],
) {
    assign_best(x, d, centroids, threads, false, out);
}

/// [`assign_nearest`] by L2 (`ip = false`), or by largest inner product
/// (`ip = true`).
pub(crate) fn assign_best(
    x: &[f32],
    d: usize,
    centroids: &[f32],
    threads: usize,
    ip: bool,
    out: &mut [u32],
) {
    // For IP, score = 0 - 2 <x, c>: the argmin is the largest inner product.
    let cn = if ip {
        vec![0.0; centroids.len() / d]
    } else {
        norms(centroids, d)
    };
    let k = cn.len();
    let n = out.len();
    let threads = threads.clamp(1, n.max(1));
    let per = n.div_ceil(threads).max(1);
    let work = |rows: &[f32], out: &mut [u32]| {
        let mut dots = vec![0f32; ASSIGN_BLOCK * k];
        for (blk, o) in rows
            .chunks(ASSIGN_BLOCK * d)
            .zip(out.chunks_mut(ASSIGN_BLOCK))
        {
            let dots = &mut dots[..o.len() * k];
            crate::simd::dot_tile(blk, centroids, d, dots);
            for (row, oi) in dots.chunks_exact(k).zip(o.iter_mut()) {
                let mut best = (0usize, f32::INFINITY);
                for (c, (&dt, &nc)) in row.iter().zip(&cn).enumerate() {
                    let s = nc - 2.0 * dt;
                    if s < best.1 {
                        best = (c, s);
                    }
                }
                *oi = best.0 as u32;
            }
        }
    };
    if threads == 1 {
        work(x, out);
        return;
    }
    std::thread::scope(|s| {
        for (rows, o) in x.chunks(per * d).zip(out.chunks_mut(per)) {
            s.spawn(move || work(rows, o));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// Points around `k` well-separated centers.
    fn blobs(k: usize, per: usize, d: usize, seed: u64) -> Vec<f32> {
        let mut rng = SplitMix64::new(seed);
        let mut v = Vec::new();
        for c in 0..k {
            for _ in 0..per {
                for j in 0..d {
                    let center = if j == c % d {
                        10.0 * (c as f32 + 1.0)
                    } else {
                        0.0
                    };
                    v.push(center + (rng.unit() as f32 - 0.5) * 0.1);
                }
            }
        }
        v
    }

    #[test]
    fn finds_separated_blobs_with_both_inits() {
        let (k, per, d) = (6, 50, 4);
        let x = blobs(k, per, d, 1);
        for init in [KMeansInit::Sampled, KMeansInit::PlusPlus] {
            let p = KMeansParams {
                init,
                iters: 20,
                threads: 2,
                ..KMeansParams::default()
            };
            let c = train(&x, k * per, d, k, &p).unwrap();
            let mut a = vec![0; k * per];
            assign_nearest(&x, d, &c, 1, &mut a);
            // Points of one blob share a cluster, and blobs differ, for
            // k-means++; sampled init may merge blobs, but never loses
            // a cluster (no empty ones).
            let mut sizes = vec![0; k];
            for &c in &a {
                sizes[c as usize] += 1;
            }
            assert!(sizes.iter().all(|&s| s > 0), "{init:?} {sizes:?}");
            if init == KMeansInit::PlusPlus {
                for b in 0..k {
                    let first = a[b * per];
                    assert!(a[b * per..(b + 1) * per].iter().all(|&x| x == first));
                }
            }
        }
    }

    #[test]
    fn deterministic_and_independent_of_threads() {
        let x = blobs(5, 40, 3, 2);
        let p1 = KMeansParams {
            threads: 1,
            ..KMeansParams::default()
        };
        let p3 = KMeansParams { threads: 3, ..p1 };
        assert_eq!(
            train(&x, 200, 3, 8, &p1).unwrap(),
            train(&x, 200, 3, 8, &p3).unwrap()
        );
    }

    #[test]
    fn repairs_empty_clusters_and_subsamples() {
        // All points identical except two: most clusters start empty-prone.
        let mut x = vec![1.0f32; 300 * 2];
        x[0] = 5.0;
        x[2] = -5.0;
        let p = KMeansParams {
            max_points_per_centroid: 10,
            ..KMeansParams::default()
        };
        let c = train(&x, 300, 2, 8, &p).unwrap();
        assert_eq!(c.len(), 16);
        assert!(c.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn too_few_points_is_an_error() {
        let e = train(&[0.0; 6], 3, 2, 4, &KMeansParams::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = train(&[0.0; 6], 3, 2, 0, &KMeansParams::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}

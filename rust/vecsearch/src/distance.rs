//! Distance kernels and the metric orderings used by every index.
//!
//! The kernels are plain safe loops written so that LLVM vectorises them:
//! sixteen independent accumulators break the serial dependency of a float
//! sum (which the compiler may not reorder on its own), so the inner loop
//! becomes packed multiply-adds on whatever SIMD width the target has. A
//! hand-written SIMD module can replace them later without touching callers.

/// Number of independent accumulators. Sixteen f32 lanes fill two AVX or
/// four SSE registers, enough to hide the add latency.
const LANES: usize = 16;

/// Squared Euclidean distance between `a` and `b` (equal lengths).
#[inline]
pub fn l2_sq(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let (ac, ar) = (a.chunks_exact(LANES), a.chunks_exact(LANES).remainder());
    let (bc, br) = (b.chunks_exact(LANES), b.chunks_exact(LANES).remainder());
    for (x, y) in ac.zip(bc) {
        for i in 0..LANES {
            let d = x[i] - y[i];
            acc[i] += d * d;
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ar.iter().zip(br) {
        let d = x - y;
        tail += d * d;
    }
    sum_lanes(&acc) + tail
}

/// Inner product of `a` and `b` (equal lengths).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let (ac, ar) = (a.chunks_exact(LANES), a.chunks_exact(LANES).remainder());
    let (bc, br) = (b.chunks_exact(LANES), b.chunks_exact(LANES).remainder());
    for (x, y) in ac.zip(bc) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ar.iter().zip(br) {
        tail += x * y;
    }
    sum_lanes(&acc) + tail
}

/// Pairwise sum of the accumulators (a fixed order, so results are
/// deterministic for a given input).
#[inline]
fn sum_lanes(acc: &[f32; LANES]) -> f32 {
    let mut v = *acc;
    let mut w = LANES / 2;
    while w > 0 {
        for i in 0..w {
            v[i] += v[i + w];
        }
        w /= 2;
    }
    v[0]
}

/// How a metric scores a pair and which scores are better. Implemented by
/// zero-sized types so each search loop is monomorphised per metric.
pub(crate) trait Kernel {
    /// The score no real candidate can lose to (the value of an empty slot).
    const WORST: f32;
    /// The score of `query` against `vector`.
    fn score(query: &[f32], vector: &[f32]) -> f32;
    /// Whether score `a` is strictly better than `b`. False if either is NaN,
    /// so a NaN score (possible only after overflow) never enters a result.
    fn better(a: f32, b: f32) -> bool;
}

/// Squared L2: smaller is better.
pub(crate) struct L2Kernel;

impl Kernel for L2Kernel {
    const WORST: f32 = f32::INFINITY;
    #[inline]
    fn score(query: &[f32], vector: &[f32]) -> f32 {
        l2_sq(query, vector)
    }
    #[inline]
    fn better(a: f32, b: f32) -> bool {
        a < b
    }
}

/// Inner product: larger is better.
pub(crate) struct IpKernel;

impl Kernel for IpKernel {
    const WORST: f32 = f32::NEG_INFINITY;
    #[inline]
    fn score(query: &[f32], vector: &[f32]) -> f32 {
        dot(query, vector)
    }
    #[inline]
    fn better(a: f32, b: f32) -> bool {
        a > b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_l2(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum()
    }

    fn naive_dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum()
    }

    #[test]
    fn kernels_match_naive_for_every_tail_length() {
        // Lengths around the lane count exercise the remainder loop.
        for d in [1usize, 2, 7, 15, 16, 17, 31, 32, 33, 100, 784] {
            let a: Vec<f32> = (0..d).map(|i| ((i * 7 % 13) as f32) - 6.0).collect();
            let b: Vec<f32> = (0..d).map(|i| ((i * 5 % 11) as f32) * 0.5).collect();
            let l2 = f64::from(l2_sq(&a, &b));
            let ip = f64::from(dot(&a, &b));
            assert!(
                (l2 - naive_l2(&a, &b)).abs() <= 1e-4 * naive_l2(&a, &b).max(1.0),
                "d={d}"
            );
            assert!(
                (ip - naive_dot(&a, &b)).abs() <= 1e-4 * naive_dot(&a, &b).abs().max(1.0),
                "d={d}"
            );
        }
    }

    #[test]
    fn orderings() {
        assert!(L2Kernel::better(1.0, 2.0));
        assert!(!L2Kernel::better(2.0, 1.0));
        assert!(IpKernel::better(2.0, 1.0));
        assert!(!IpKernel::better(f32::NAN, L2Kernel::WORST));
        assert!(!L2Kernel::better(f32::NAN, L2Kernel::WORST));
        assert!(!IpKernel::better(f32::NAN, IpKernel::WORST));
    }
}

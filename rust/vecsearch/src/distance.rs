//! Distance kernels and the metric orderings used by every index.
//!
//! The kernels delegate to `crate::simd` (AVX2/FMA chosen at run time, or a
//! portable fallback that LLVM vectorises), so callers need no `unsafe`.

use crate::index::Metric;
use std::borrow::Cow;

/// Squared Euclidean distance between `a` and `b` (equal lengths).
#[inline]
pub fn l2_sq(a: &[f32], b: &[f32]) -> f32 {
    crate::simd::l2_sq(a, b)
}

/// Inner product of `a` and `b` (equal lengths).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    crate::simd::dot(a, b)
}

/// Scales `v` to unit L2 length in place; a zero vector stays zero (as
/// FAISS's `normalize_L2`).
pub(crate) fn normalize(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        let inv = 1.0 / norm;
        v.iter_mut().for_each(|x| *x *= inv);
    }
}

/// `x` (rows of dimension `d`) as an index of `metric` compares it: for
/// cosine a copy with every row normalised, otherwise `x` itself.
pub(crate) fn rows_for_metric(
    metric: Metric,
    x: &[f32],
    d: usize,
) -> Result<Cow<'_, [f32]>, crate::error::Error> {
    if metric != Metric::Cosine {
        return Ok(Cow::Borrowed(x));
    }
    let mut v = Vec::new();
    v.try_reserve_exact(x.len())?;
    v.extend_from_slice(x);
    v.chunks_exact_mut(d).for_each(normalize);
    Ok(Cow::Owned(v))
}

/// How a metric scores a pair and which scores are better. Implemented by
/// zero-sized types so each search loop is monomorphised per metric.
pub(crate) trait Kernel {
    /// The score no real candidate can lose to (the value of an empty slot).
    const WORST: f32;
    /// The score of `query` against `vector`.
    fn score(query: &[f32], vector: &[f32]) -> f32;
    /// `out[i]` = the score of `query` against row `i` of `data` (rows of
    /// `query.len()`), with the SIMD batch kernels.
    fn score_batch(query: &[f32], data: &[f32], out: &mut [f32]);
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
    fn score_batch(query: &[f32], data: &[f32], out: &mut [f32]) {
        crate::simd::l2_sq_batch(query, data, out)
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
    fn score_batch(query: &[f32], data: &[f32], out: &mut [f32]) {
        crate::simd::dot_batch(query, data, out)
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

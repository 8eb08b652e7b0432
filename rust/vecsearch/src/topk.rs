//! Bounded top-k selection that lives in the caller's output buffers.
//!
//! Each query's row of `labels`/`distances` (k slots) *is* the heap, as in
//! FAISS: no allocation per search. The heap is a max-heap on "worseness":
//! its root is the worst kept candidate, so a new candidate costs one compare
//! when it does not qualify (the common case) and `O(log k)` when it does.
//! [`TopK::finish`] heap-sorts the row in place, best first.
//!
//! Ties on score are broken by the lower id, so results are deterministic
//! and match ground truth computed the same way. Empty slots hold id `-1`
//! and the metric's worst score; ids are compared as `u64`, which makes
//! `-1` the largest and therefore the loser of every tie with a real id
//! (real ids are non-negative; the indexes reject negative ones).

use crate::distance::Kernel;
use std::marker::PhantomData;

/// Label of an empty result slot.
pub const EMPTY_LABEL: i64 = -1;

/// A top-k heap over one query's output row.
pub(crate) struct TopK<'a, K: Kernel> {
    labels: &'a mut [i64],
    scores: &'a mut [f32],
    _kernel: PhantomData<K>,
}

impl<'a, K: Kernel> TopK<'a, K> {
    /// Wraps a row that [`TopK::reset`] has initialised (or that a previous
    /// `TopK` over the same row left in heap order).
    #[inline]
    pub(crate) fn resume(labels: &'a mut [i64], scores: &'a mut [f32]) -> Self {
        debug_assert_eq!(labels.len(), scores.len());
        Self {
            labels,
            scores,
            _kernel: PhantomData,
        }
    }

    /// Fills the row with empty slots, a valid heap.
    pub(crate) fn reset(labels: &mut [i64], scores: &mut [f32]) {
        labels.fill(EMPTY_LABEL);
        scores.fill(K::WORST);
    }

    /// Whether entry (`sa`, `ia`) ranks strictly before (`sb`, `ib`).
    #[inline]
    fn before(sa: f32, ia: i64, sb: f32, ib: i64) -> bool {
        K::better(sa, sb) || (sa == sb && (ia as u64) < (ib as u64))
    }

    /// Whether [`TopK::push`] would keep this candidate. Lets callers run a
    /// costlier filter (exclusion list) only on candidates that qualify.
    #[inline]
    pub(crate) fn accepts(&self, score: f32, id: i64) -> bool {
        Self::before(score, id, self.scores[0], self.labels[0])
    }

    /// Offers a candidate; keeps it if it beats the worst kept entry.
    #[inline]
    pub(crate) fn push(&mut self, score: f32, id: i64) {
        if Self::before(score, id, self.scores[0], self.labels[0]) {
            self.scores[0] = score;
            self.labels[0] = id;
            self.sift_down(0, self.labels.len());
        }
    }

    /// Restores the heap property below `i` within the first `end` slots.
    #[inline]
    fn sift_down(&mut self, mut i: usize, end: usize) {
        loop {
            let left = 2 * i + 1;
            if left >= end {
                return;
            }
            // Pick the worse child: it must go up if it is worse than `i`.
            let right = left + 1;
            let mut child = left;
            if right < end
                && Self::before(
                    self.scores[left],
                    self.labels[left],
                    self.scores[right],
                    self.labels[right],
                )
            {
                child = right;
            }
            if Self::before(
                self.scores[i],
                self.labels[i],
                self.scores[child],
                self.labels[child],
            ) {
                self.scores.swap(i, child);
                self.labels.swap(i, child);
                i = child;
            } else {
                return;
            }
        }
    }

    /// Sorts the row best first and returns how many slots hold a result.
    pub(crate) fn finish(mut self) -> usize {
        let k = self.labels.len();
        for end in (1..k).rev() {
            self.scores.swap(0, end);
            self.labels.swap(0, end);
            self.sift_down(0, end);
        }
        self.labels
            .iter()
            .take_while(|&&l| l != EMPTY_LABEL)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distance::{IpKernel, L2Kernel};

    fn run<K: Kernel>(k: usize, items: &[(f32, i64)]) -> (Vec<i64>, Vec<f32>, usize) {
        let mut labels = vec![0; k];
        let mut scores = vec![0.0; k];
        TopK::<K>::reset(&mut labels, &mut scores);
        let mut h = TopK::<K>::resume(&mut labels, &mut scores);
        for &(s, id) in items {
            h.push(s, id);
        }
        let found = h.finish();
        (labels, scores, found)
    }

    #[test]
    fn keeps_the_k_best_sorted() {
        let items: Vec<(f32, i64)> = (0..100).map(|i| (((i * 37) % 100) as f32, i)).collect();
        let (labels, scores, found) = run::<L2Kernel>(5, &items);
        assert_eq!(found, 5);
        assert_eq!(scores, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        for (l, s) in labels.iter().zip(&scores) {
            assert_eq!((l * 37) % 100, *s as i64);
        }
        let (_, scores, _) = run::<IpKernel>(3, &items);
        assert_eq!(scores, vec![99.0, 98.0, 97.0]);
    }

    #[test]
    fn fewer_candidates_than_k_leaves_empty_slots_last() {
        let (labels, scores, found) = run::<L2Kernel>(4, &[(2.0, 7), (1.0, 9)]);
        assert_eq!(found, 2);
        assert_eq!(labels, vec![9, 7, -1, -1]);
        assert_eq!(&scores[..2], &[1.0, 2.0]);
        assert!(scores[2..].iter().all(|s| *s == f32::INFINITY));
        let (labels, scores, _) = run::<IpKernel>(3, &[(0.5, 1)]);
        assert_eq!(labels, vec![1, -1, -1]);
        assert_eq!(scores[1], f32::NEG_INFINITY);
    }

    #[test]
    fn ties_go_to_the_lower_id_and_beat_empty_slots() {
        let (labels, _, _) = run::<L2Kernel>(2, &[(1.0, 8), (1.0, 3), (1.0, 5)]);
        assert_eq!(labels, vec![3, 5]);
        // A real candidate at the worst possible score still fills a slot.
        let (labels, _, found) = run::<L2Kernel>(2, &[(f32::INFINITY, 4)]);
        assert_eq!((labels, found), (vec![4, -1], 1));
    }

    #[test]
    fn nan_scores_never_enter() {
        let (labels, _, found) = run::<IpKernel>(2, &[(f32::NAN, 1), (1.0, 2)]);
        assert_eq!((labels, found), (vec![2, -1], 1));
    }

    #[test]
    fn k_one() {
        let (labels, _, _) = run::<L2Kernel>(1, &[(3.0, 1), (2.0, 2), (5.0, 3)]);
        assert_eq!(labels, vec![2]);
    }
}

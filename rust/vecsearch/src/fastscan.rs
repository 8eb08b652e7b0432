//! 4-bit PQ "fast-scan": codes packed so one `pshufb` looks up 32 table
//! entries at once, tables quantized to `u8`, sums kept in `u16`.
//!
//! This is the technique of FAISS `IndexIVFPQFastScan` (and ScaNN's
//! "LUT16"). A 4-bit product quantizer (16 centroids per sub-quantizer,
//! trained by [`crate::pq::ProductQuantizer`] with `nbits = 4`) gives codes
//! of `m` nibbles. Scanning a list then costs, per 32 vectors and per *pair*
//! of sub-quantizers, one 32-byte load and two byte shuffles, instead of
//! 64 scattered float look-ups: several times more vectors per second than
//! the 8-bit scan, at lower precision. The approximate distances are used
//! only to pick the best `k × refine` candidates, which the caller then
//! re-ranks exactly (stored vectors, SQ8 copy, or the float tables via
//! [`table_distance`]), so recall stays high.
//!
//! # Block layout
//!
//! Vectors are grouped in blocks of 32 (the last block zero-padded).
//! Sub-quantizers are taken in pairs (`m` rounded up to even; the padding
//! sub-quantizer has code 0 and an all-zero table). For block `b` and pair
//! `p` there are 32 bytes at `(b * pairs + p) * 32`:
//!
//! | byte       | low nibble                    | high nibble                        |
//! |------------|-------------------------------|------------------------------------|
//! | `i`        | code of vector `i`, sq `2p`   | code of vector `i + 16`, sq `2p`   |
//! | `16 + i`   | code of vector `i`, sq `2p+1` | code of vector `i + 16`, sq `2p+1` |
//!
//! for `i` in `0..16`. The quantized table of pair `p` is 32 bytes too: 16
//! entries of sub-quantizer `2p`, then 16 of `2p + 1`. An AVX2 register of
//! codes thus meets its own table in each 128-bit lane, which is what
//! `_mm256_shuffle_epi8` needs (it looks up within lanes). This is FAISS's
//! idea with a simpler permutation than `pq4_pack_codes` (FAISS also
//! interleaves for 4 queries at once, which a one-query scan does not need).
//!
//! # Table quantization
//!
//! Per (query, list), each sub-quantizer's 16 float entries are shifted by
//! their minimum and all are scaled by one factor so the widest
//! sub-quantizer spans `0..=qmax`, with `qmax = min(255, 65535 / m_even)`:
//! no vector's sum can overflow `u16`, so no splitting of `m` into groups is
//! needed (`qmax` is 255 up to m = 256). An approximate distance is then
//! `bias + sum / scale`, within `m / (2 * scale)` of the float-table
//! distance. Sums compare across lists after that conversion; within a list
//! the scan compares raw `u16` sums against a threshold derived from the
//! current k-th best.

#![deny(unsafe_code)]
#![allow(dead_code)] // parts are used only by the IVF integration and tests

use crate::simd::{self, PQ4_BLOCK};
use std::cmp::Ordering;

/// Sub-quantizer pairs for `m` sub-quantizers.
#[inline]
pub(crate) fn pairs(m: usize) -> usize {
    m.div_ceil(2)
}

/// Bytes of one packed block of 32 vectors.
#[inline]
pub(crate) fn block_bytes(m: usize) -> usize {
    pairs(m) * 32
}

/// Where nibble (vector slot `s` in `0..32`, sub-quantizer `j`) lives
/// within a block: byte offset and whether it is the high nibble.
#[inline]
fn nibble_at(s: usize, j: usize) -> (usize, bool) {
    ((j / 2) * 32 + (j % 2) * 16 + (s % 16), s >= 16)
}

/// 4-bit codes of one list (or any sequence of vectors) in the block
/// layout. Positions are stable except through [`PackedCodes::swap_remove`]
/// and [`PackedCodes::retain`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PackedCodes {
    m: usize,
    len: usize,
    data: Vec<u8>,
}

impl PackedCodes {
    /// An empty sequence of `m`-nibble codes.
    pub(crate) fn new(m: usize) -> Self {
        Self {
            m,
            len: 0,
            data: Vec::new(),
        }
    }

    /// Packs `codes` (`n × m` bytes, each below 16).
    pub(crate) fn from_codes(m: usize, codes: &[u8]) -> Self {
        let mut p = Self::new(m);
        let n = codes.len() / m.max(1);
        p.data.reserve_exact(n.div_ceil(PQ4_BLOCK) * block_bytes(m));
        p.extend(codes);
        p
    }

    /// Rebuilds from raw block bytes (e.g. after loading a file). Returns
    /// `None` if `data` does not hold exactly the blocks `len` codes need.
    pub(crate) fn from_raw(m: usize, len: usize, data: Vec<u8>) -> Option<Self> {
        (m > 0 && data.len() == len.div_ceil(PQ4_BLOCK) * block_bytes(m)).then_some(Self {
            m,
            len,
            data,
        })
    }

    /// The raw block bytes (for persistence).
    pub(crate) fn raw(&self) -> &[u8] {
        &self.data
    }

    /// Sub-quantizers per code.
    pub(crate) fn m(&self) -> usize {
        self.m
    }

    /// Number of codes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no codes.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of 32-vector blocks.
    pub(crate) fn blocks(&self) -> usize {
        self.len.div_ceil(PQ4_BLOCK)
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.data.capacity()
    }

    /// Releases spare capacity (after compaction).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.data.shrink_to_fit();
    }

    /// Reserves room for `extra` more codes.
    pub(crate) fn try_reserve(
        &mut self,
        extra: usize,
    ) -> Result<(), std::collections::TryReserveError> {
        let want = (self.len + extra).div_ceil(PQ4_BLOCK) * block_bytes(self.m);
        self.data.try_reserve(want.saturating_sub(self.data.len()))
    }

    /// Appends one code of `m` nibbles (values below 16; higher bits are
    /// ignored).
    pub(crate) fn push(&mut self, code: &[u8]) {
        if self.len == 0 && self.m == 0 {
            self.m = code.len(); // a `Default` sequence takes the first code's m
        }
        assert_eq!(code.len(), self.m, "PackedCodes::push: code length");
        if self.len.is_multiple_of(PQ4_BLOCK) {
            self.data.resize(self.data.len() + block_bytes(self.m), 0);
        }
        self.len += 1;
        self.set(self.len - 1, code);
    }

    /// Appends `codes.len() / m` codes.
    pub(crate) fn extend(&mut self, codes: &[u8]) {
        assert!(
            codes.len().is_multiple_of(self.m.max(1)),
            "PackedCodes::extend"
        );
        for c in codes.chunks_exact(self.m) {
            self.push(c);
        }
    }

    /// Overwrites code `i`.
    pub(crate) fn set(&mut self, i: usize, code: &[u8]) {
        assert!(i < self.len && code.len() == self.m, "PackedCodes::set");
        let block = &mut self.data[(i / PQ4_BLOCK) * block_bytes(self.m)..][..block_bytes(self.m)];
        let s = i % PQ4_BLOCK;
        for (j, &c) in code.iter().enumerate() {
            let (at, high) = nibble_at(s, j);
            let c = c & 15;
            block[at] = if high {
                (block[at] & 0x0f) | (c << 4)
            } else {
                (block[at] & 0xf0) | c
            };
        }
    }

    /// Reads code `i` into `out` (`m` bytes).
    pub(crate) fn get(&self, i: usize, out: &mut [u8]) {
        assert!(i < self.len && out.len() == self.m, "PackedCodes::get");
        let block = &self.data[(i / PQ4_BLOCK) * block_bytes(self.m)..][..block_bytes(self.m)];
        let s = i % PQ4_BLOCK;
        for (j, o) in out.iter_mut().enumerate() {
            let (at, high) = nibble_at(s, j);
            *o = if high { block[at] >> 4 } else { block[at] & 15 };
        }
    }

    /// Removes code `i`, moving the last code into its place (O(m)).
    pub(crate) fn swap_remove(&mut self, i: usize) {
        assert!(i < self.len, "PackedCodes::swap_remove");
        let last = self.len - 1;
        if i != last {
            let mut tmp = vec![0u8; self.m];
            self.get(last, &mut tmp);
            self.set(i, &tmp);
        }
        self.truncate(last);
    }

    /// Keeps the first `len` codes.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        // Zero the dropped slots of the last kept block, so padding stays 0
        // (the packed bytes then depend only on the codes: files compare).
        let zeros = vec![0u8; self.m];
        let keep_blocks = len.div_ceil(PQ4_BLOCK);
        let upto = (keep_blocks * PQ4_BLOCK).min(self.len);
        for i in len..upto {
            self.set(i, &zeros);
        }
        self.len = len;
        self.data.truncate(keep_blocks * block_bytes(self.m));
    }

    /// Keeps the codes for which `keep(position)` is true, in order
    /// (compaction after removals).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut tmp = vec![0u8; self.m];
        let mut w = 0;
        for r in 0..self.len {
            if keep(r) {
                if w != r {
                    self.get(r, &mut tmp);
                    self.set(w, &tmp);
                }
                w += 1;
            }
        }
        self.truncate(w);
    }
}

/// A quantized look-up table for one (query, list): `pairs × 32` bytes in
/// the layout the scan reads, and the affine map back to distances.
#[derive(Debug, Clone, Default)]
pub(crate) struct QuantizedLut {
    /// `pairs(m) * 32` bytes.
    pub(crate) bytes: Vec<u8>,
    /// Sum of the per-sub-quantizer minima.
    pub(crate) bias: f32,
    /// Quantized units per distance unit.
    pub(crate) scale: f32,
}

impl QuantizedLut {
    /// Quantizes `tables` (`m × 16` floats, smaller is better; negate inner
    /// products first) into `self`, reusing its buffer.
    pub(crate) fn quantize(&mut self, tables: &[f32], m: usize) {
        assert_eq!(tables.len(), m * 16, "QuantizedLut::quantize: table length");
        let pairs = pairs(m);
        self.bytes.clear();
        self.bytes.resize(pairs * 32, 0);
        let qmax = (65535 / (2 * pairs)).min(255) as f32;
        // Vectorised with AVX2 where available (identical results).
        let (bias, scale) = simd::quantize_lut(tables, qmax, &mut self.bytes);
        self.bias = bias;
        self.scale = scale;
    }

    /// The approximate distance of a `u16` sum.
    #[inline]
    pub(crate) fn distance(&self, sum: u16) -> f32 {
        self.bias + f32::from(sum) / self.scale
    }

    /// The largest sum whose distance may still beat `threshold` (rounding
    /// errs on letting a candidate through: the float heap decides).
    #[inline]
    fn sum_bound(&self, threshold: f32) -> u32 {
        let t = (threshold - self.bias) * self.scale;
        if t.is_nan() || t >= 65535.0 {
            u32::MAX
        } else if t < 0.0 {
            0
        } else {
            t as u32 + 1
        }
    }
}

/// The float-table distance of one 4-bit code: `sum_j tables[j*16 + code[j]]`.
#[inline]
pub(crate) fn table_distance(tables: &[f32], code: &[u8]) -> f32 {
    code.iter()
        .zip(tables.chunks_exact(16))
        .map(|(&c, t)| t[usize::from(c & 15)])
        .sum()
}

/// A candidate: approximate distance and the caller's key (for an IVF,
/// the entry's address).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub(crate) dist: f32,
    pub(crate) key: u64,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.dist
            .total_cmp(&other.dist)
            .then(self.key.cmp(&other.key))
    }
}

/// Per-query scan state, reusable across queries (no allocation once
/// warm): the quantized table, the `u16` sums of one list, and a reservoir
/// of the best `cap` candidates by approximate distance.
///
/// The reservoir (FAISS's `ReservoirTopN`) collects candidates below the
/// current threshold into a buffer of `2 × cap`; when it fills, a
/// selection keeps the best `cap` and tightens the threshold. A candidate
/// thus costs O(1) amortised instead of a heap's O(log cap), which matters
/// for the large `cap` of a re-ranked search (k × refine).
#[derive(Debug, Default)]
pub(crate) struct Scanner {
    lut: QuantizedLut,
    sums: Vec<u16>,
    buf: Vec<Candidate>,
    /// Candidates must be below this (`+inf` until the first selection).
    limit: f32,
    cap: usize,
}

/// Blocks scanned per kernel call: the sums (4 KiB) stay in L1.
const CHUNK_BLOCKS: usize = 64;

impl Scanner {
    /// Starts a query that keeps the best `cap` candidates (`k × refine`).
    pub(crate) fn reset(&mut self, cap: usize) {
        self.buf.clear();
        self.cap = cap.max(1);
        self.limit = f32::INFINITY;
        let want = 2 * self.cap;
        if self.buf.capacity() < want {
            self.buf.reserve(want - self.buf.len());
        }
    }

    /// The current admission threshold: candidates at or above it cannot
    /// be among the best `cap` (`+inf` until a selection has run).
    #[inline]
    pub(crate) fn threshold(&self) -> f32 {
        self.limit
    }

    /// Keeps the best `cap` of the buffer and tightens the threshold.
    fn shrink(&mut self) {
        let cap = self.cap;
        if self.buf.len() <= cap {
            return;
        }
        self.buf.select_nth_unstable(cap - 1);
        self.buf.truncate(cap);
        // The selection put the worst kept at cap - 1: later candidates
        // must beat it.
        self.limit = self.buf[cap - 1].dist;
    }

    /// Offers a candidate directly (e.g. from another source).
    #[inline]
    pub(crate) fn offer(&mut self, dist: f32, key: u64) {
        if dist < self.limit {
            self.buf.push(Candidate { dist, key });
            if self.buf.len() >= 2 * self.cap {
                self.shrink();
            }
        }
    }

    /// Scans one list: `tables` are its `m × 16` float tables (smaller is
    /// better), `offset` a distance term common to the list (an IVF's
    /// coarse distance), `codes` its packed codes; candidates get key
    /// `key(position)`. `skip(position)` drops a position (tombstones,
    /// exclusions) before it reaches the heap.
    pub(crate) fn scan(
        &mut self,
        tables: &[f32],
        offset: f32,
        codes: &PackedCodes,
        key: impl Fn(usize) -> u64,
        mut skip: impl FnMut(usize) -> bool,
    ) {
        if codes.is_empty() {
            return;
        }
        let m = codes.m();
        self.lut.quantize(tables, m);
        self.lut.bias += offset;
        let bb = block_bytes(m);
        let pairs = pairs(m);
        let n = codes.len();
        let nblocks = codes.blocks();
        // Taken out of `self` so `offer` can borrow `self` in the loop.
        let mut sums = std::mem::take(&mut self.sums);
        let mut b0 = 0;
        while b0 < nblocks {
            let nb = (nblocks - b0).min(CHUNK_BLOCKS);
            sums.resize(nb * PQ4_BLOCK, 0);
            simd::pq4_scan(
                &codes.raw()[b0 * bb..(b0 + nb) * bb],
                pairs,
                &self.lut.bytes,
                &mut sums,
            );
            let mut bound = self.lut.sum_bound(self.threshold());
            for (bi, block) in sums.chunks_exact(PQ4_BLOCK).enumerate() {
                // Most blocks hold no candidate: one vectorised min decides.
                let min = block.iter().copied().min().unwrap_or(u16::MAX);
                if u32::from(min) > bound {
                    continue;
                }
                let base = (b0 + bi) * PQ4_BLOCK;
                for (s, &sum) in block.iter().enumerate() {
                    let pos = base + s;
                    if u32::from(sum) > bound || pos >= n || skip(pos) {
                        continue;
                    }
                    self.offer(self.lut.distance(sum), key(pos));
                    bound = self.lut.sum_bound(self.threshold());
                }
            }
            b0 += nb;
        }
        self.sums = sums;
    }

    /// Number of candidates kept (at most `cap` after a drain).
    pub(crate) fn len(&self) -> usize {
        self.buf.len().min(self.cap)
    }

    /// Whether no candidate is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Moves the best `cap` candidates into `out`, best first, leaving the
    /// scanner ready for [`Scanner::reset`].
    pub(crate) fn drain_sorted(&mut self, out: &mut Vec<Candidate>) {
        self.shrink();
        out.clear();
        out.append(&mut self.buf);
        out.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Isa;

    /// xorshift64 in tests: no dependency, fixed seeds.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn f32(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 24) as f32
        }
    }

    fn random_codes(rng: &mut Rng, n: usize, m: usize) -> Vec<u8> {
        (0..n * m).map(|_| rng.below(16) as u8).collect()
    }

    #[test]
    fn pack_get_roundtrip_and_layout() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for m in [1usize, 2, 3, 7, 8, 16, 20, 33] {
            for n in [0usize, 1, 31, 32, 33, 64, 100] {
                let codes = random_codes(&mut rng, n, m);
                let p = PackedCodes::from_codes(m, &codes);
                assert_eq!(p.len(), n);
                assert_eq!(p.raw().len(), n.div_ceil(32) * pairs(m) * 32);
                let mut out = vec![0u8; m];
                for i in 0..n {
                    p.get(i, &mut out);
                    assert_eq!(out, codes[i * m..(i + 1) * m], "m={m} n={n} i={i}");
                    // The documented layout, byte by byte.
                    let blk = &p.raw()[(i / 32) * pairs(m) * 32..];
                    for j in 0..m {
                        let byte = blk[(j / 2) * 32 + (j % 2) * 16 + i % 16];
                        let nib = if i % 32 >= 16 { byte >> 4 } else { byte & 15 };
                        assert_eq!(nib, codes[i * m + j]);
                    }
                }
                // Padding is zero: rebuilding from raw bytes is faithful.
                let q = PackedCodes::from_raw(m, n, p.raw().to_vec()).unwrap();
                assert_eq!(q, p);
            }
        }
        assert!(PackedCodes::from_raw(4, 33, vec![0; 64]).is_none());
    }

    #[test]
    fn swap_remove_truncate_retain() {
        let mut rng = Rng(77);
        let m = 5;
        let n = 70;
        let codes = random_codes(&mut rng, n, m);
        let mut rows: Vec<Vec<u8>> = codes.chunks(m).map(<[u8]>::to_vec).collect();
        let mut p = PackedCodes::from_codes(m, &codes);
        for i in [3usize, 60, 0, 40] {
            p.swap_remove(i);
            rows.swap_remove(i);
        }
        p.retain(|i| i % 3 != 1);
        let mut i = 0;
        rows.retain(|_| {
            i += 1;
            (i - 1) % 3 != 1
        });
        assert_eq!(p.len(), rows.len());
        let mut out = vec![0; m];
        for (i, r) in rows.iter().enumerate() {
            p.get(i, &mut out);
            assert_eq!(&out, r);
        }
        // Truncated storage equals a fresh packing of the same codes.
        let flat: Vec<u8> = rows.concat();
        assert_eq!(p, PackedCodes::from_codes(m, &flat));
        p.truncate(0);
        assert!(p.is_empty() && p.raw().is_empty());
    }

    /// Naive reference: unpacked codes, LUT bytes summed in u32.
    fn naive_sums(codes: &[u8], m: usize, lut: &[u8]) -> Vec<u32> {
        codes
            .chunks_exact(m)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .map(|(j, &v)| u32::from(lut[(j / 2) * 32 + (j % 2) * 16 + usize::from(v)]))
                    .sum()
            })
            .collect()
    }

    #[test]
    fn scan_kernels_match_naive_reference() {
        let mut rng = Rng(12345);
        for m in [1usize, 2, 3, 4, 5, 8, 15, 16, 20, 31, 32, 50, 64] {
            for n in [1usize, 5, 32, 33, 95, 200] {
                let codes = random_codes(&mut rng, n, m);
                let p = PackedCodes::from_codes(m, &codes);
                // Random full-range LUT bytes, padding table zero (as
                // quantize leaves it).
                let mut lut: Vec<u8> = (0..pairs(m) * 32).map(|_| rng.below(256) as u8).collect();
                if m % 2 == 1 {
                    lut[(m / 2) * 32 + 16..].fill(0);
                }
                let want = naive_sums(&codes, m, &lut);
                for isa in Isa::all() {
                    let mut out = vec![0u16; p.blocks() * 32];
                    simd::pq4_scan_with(isa, p.raw(), pairs(m), &lut, &mut out);
                    for i in 0..n {
                        assert_eq!(
                            u32::from(out[i]),
                            want[i],
                            "{} m={m} n={n} i={i}",
                            isa.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn scan_kernels_agree_at_the_u16_limit() {
        // m = 256 with every entry 255: sums of 65280, near the u16 limit,
        // exercise the wrapping accumulator trick.
        let m = 256;
        let n = 64;
        let mut rng = Rng(5);
        let codes = random_codes(&mut rng, n, m);
        let p = PackedCodes::from_codes(m, &codes);
        let lut = vec![255u8; pairs(m) * 32];
        for isa in Isa::all() {
            let mut out = vec![0u16; 64];
            simd::pq4_scan_with(isa, p.raw(), pairs(m), &lut, &mut out);
            assert!(out.iter().all(|&s| s == 65280), "{}", isa.name());
        }
        // And quantization keeps larger m within u16.
        let m = 600;
        let tables: Vec<f32> = (0..m * 16).map(|_| rng.f32() * 10.0).collect();
        let mut q = QuantizedLut::default();
        q.quantize(&tables, m);
        let worst: u32 = q
            .bytes
            .chunks_exact(16)
            .map(|t| u32::from(*t.iter().max().unwrap()))
            .sum();
        assert!(worst <= 65535);
    }

    #[test]
    fn quantized_distance_tracks_float_tables() {
        let mut rng = Rng(99);
        for m in [3usize, 8, 20, 25] {
            let tables: Vec<f32> = (0..m * 16).map(|_| rng.f32() * 3.0 - 1.0).collect();
            let mut q = QuantizedLut::default();
            q.quantize(&tables, m);
            let codes = random_codes(&mut rng, 300, m);
            let p = PackedCodes::from_codes(m, &codes);
            let mut out = vec![0u16; p.blocks() * 32];
            simd::pq4_scan(p.raw(), pairs(m), &q.bytes, &mut out);
            let tol = m as f32 * 0.5 / q.scale * 1.001 + 1e-5;
            for (i, c) in codes.chunks_exact(m).enumerate() {
                let exact = table_distance(&tables, c);
                let approx = q.distance(out[i]);
                assert!(
                    (exact - approx).abs() <= tol,
                    "m={m} {exact} vs {approx} (tol {tol})"
                );
            }
        }
    }

    #[test]
    fn scanner_keeps_the_best_by_approximate_distance() {
        let mut rng = Rng(4242);
        let m = 12;
        let lists: Vec<(Vec<f32>, Vec<u8>)> = (0..5)
            .map(|l| {
                let tables: Vec<f32> = (0..m * 16).map(|_| rng.f32() + l as f32 * 0.1).collect();
                let n = 10 + 37 * l;
                (tables, random_codes(&mut rng, n, m))
            })
            .collect();
        let cap = 25;
        let mut sc = Scanner::default();
        sc.reset(cap);
        let skip = |pos: usize| pos % 7 == 3;
        for (l, (tables, codes)) in lists.iter().enumerate() {
            sc.scan(
                tables,
                0.5,
                &PackedCodes::from_codes(m, codes),
                |pos| ((l as u64) << 32) + pos as u64,
                skip,
            );
        }
        let mut got = Vec::new();
        sc.drain_sorted(&mut got);
        // Reference: every candidate's quantized distance, computed naively.
        let mut all = Vec::new();
        for (l, (tables, codes)) in lists.iter().enumerate() {
            let mut q = QuantizedLut::default();
            q.quantize(tables, m);
            q.bias += 0.5; // the offset passed to `scan`
            for (pos, s) in naive_sums(codes, m, &q.bytes).into_iter().enumerate() {
                if !skip(pos) {
                    all.push(Candidate {
                        dist: q.distance(s as u16),
                        key: ((l as u64) << 32) + pos as u64,
                    });
                }
            }
        }
        all.sort_unstable();
        all.truncate(cap);
        assert_eq!(got.len(), cap);
        for (g, w) in got.iter().zip(&all) {
            assert_eq!((g.dist, g.key), (w.dist, w.key));
        }
    }
}

//! AVX2 + FMA kernels (x86-64 only).
//!
//! Every function here is `unsafe` for one reason beyond its slice
//! contract: it must only run on a CPU with `avx2` and `fma`. The
//! dispatcher in `simd` guarantees both (an `Isa` holding `Kind::Avx2` is
//! only built after detection) and checks the slice lengths before calling.
//! Loads are unaligned (`loadu`), so callers' slices need no alignment.

use std::arch::x86_64::*;

/// Masks for `_mm256_maskload_ps`: the 8 lanes starting at `8 - rem` have
/// the first `rem` lanes set.
static TAIL_MASK: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

/// A mask selecting the first `rem` (< 8) lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn tail_mask(rem: usize) -> __m256i {
    debug_assert!(rem < 8);
    // SAFETY: 8 - rem is in 1..=8, so the 8 i32 read lie inside TAIL_MASK.
    unsafe { _mm256_loadu_si256(TAIL_MASK.as_ptr().add(8 - rem).cast::<__m256i>()) }
}

/// Sum of the 8 lanes (a fixed order).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps::<1>(s, s));
    _mm_cvtss_f32(s)
}

/// Squared L2 or inner product of two equal-length vectors.
///
/// # Safety
///
/// The CPU supports avx2 and fma, and `a.len() == b.len()`.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn reduce<const L2: bool>(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut i = 0;
    while i + 32 <= n {
        for (u, acc) in acc.iter_mut().enumerate() {
            // SAFETY: i + 8u + 8 <= i + 32 <= n == a.len() == b.len().
            let (x, y) = unsafe {
                (
                    _mm256_loadu_ps(pa.add(i + 8 * u)),
                    _mm256_loadu_ps(pb.add(i + 8 * u)),
                )
            };
            *acc = step::<L2>(x, y, *acc);
        }
        i += 32;
    }
    while i + 8 <= n {
        // SAFETY: i + 8 <= n == a.len() == b.len().
        let (x, y) = unsafe { (_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i))) };
        acc[0] = step::<L2>(x, y, acc[0]);
        i += 8;
    }
    if i < n {
        let mask = tail_mask(n - i);
        // SAFETY: lanes past n - i are masked off and not accessed (maskload
        // never touches masked-off memory); the first n - i are in bounds.
        let (x, y) = unsafe {
            (
                _mm256_maskload_ps(pa.add(i), mask),
                _mm256_maskload_ps(pb.add(i), mask),
            )
        };
        acc[1] = step::<L2>(x, y, acc[1]);
    }
    hsum(_mm256_add_ps(
        _mm256_add_ps(acc[0], acc[1]),
        _mm256_add_ps(acc[2], acc[3]),
    ))
}

/// One accumulation step: `acc + (x - y)^2` or `acc + x * y`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn step<const L2: bool>(x: __m256, y: __m256, acc: __m256) -> __m256 {
    if L2 {
        let d = _mm256_sub_ps(x, y);
        _mm256_fmadd_ps(d, d, acc)
    } else {
        _mm256_fmadd_ps(x, y, acc)
    }
}

/// Squared L2.
///
/// # Safety
///
/// The CPU supports avx2 and fma, and `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn l2_sq(a: &[f32], b: &[f32]) -> f32 {
    // SAFETY: forwarded contract.
    unsafe { reduce::<true>(a, b) }
}

/// Inner product.
///
/// # Safety
///
/// The CPU supports avx2 and fma, and `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
    // SAFETY: forwarded contract.
    unsafe { reduce::<false>(a, b) }
}

/// One query against `out.len()` rows, four rows at a time so each query
/// load feeds four multiply-adds.
///
/// # Safety
///
/// The CPU supports avx2 and fma, `q` is non-empty and
/// `data.len() == out.len() * q.len()`.
#[target_feature(enable = "avx2,fma")]
unsafe fn batch<const L2: bool>(q: &[f32], data: &[f32], out: &mut [f32]) {
    let d = q.len();
    let n = out.len();
    let d8 = d - d % 8;
    let mask = tail_mask(d % 8);
    let pq = q.as_ptr();
    let mut r = 0;
    while r + 4 <= n {
        // SAFETY: rows r..r+4 exist (r + 4 <= n), each d long, so the row
        // pointers point inside `data`.
        let rows = unsafe { [0, 1, 2, 3].map(|k| data.as_ptr().add((r + k) * d)) };
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        while i < d8 {
            // SAFETY: i + 8 <= d8 <= d == q.len().
            let x = unsafe { _mm256_loadu_ps(pq.add(i)) };
            for (acc, row) in acc.iter_mut().zip(rows) {
                // SAFETY: i + 8 <= d, and the row has d values.
                let y = unsafe { _mm256_loadu_ps(row.add(i)) };
                *acc = step::<L2>(x, y, *acc);
            }
            i += 8;
        }
        if d8 < d {
            // SAFETY: only the first d - d8 lanes (in bounds) are read.
            let x = unsafe { _mm256_maskload_ps(pq.add(d8), mask) };
            for (acc, row) in acc.iter_mut().zip(rows) {
                // SAFETY: as above, masked lanes are never accessed.
                let y = unsafe { _mm256_maskload_ps(row.add(d8), mask) };
                *acc = step::<L2>(x, y, *acc);
            }
        }
        for k in 0..4 {
            out[r + k] = hsum(acc[k]);
        }
        r += 4;
    }
    while r < n {
        // SAFETY: forwarded contract; the row is d long like q.
        out[r] = unsafe { reduce::<L2>(q, &data[r * d..(r + 1) * d]) };
        r += 1;
    }
}

/// Squared L2 of `q` against every row.
///
/// # Safety
///
/// The CPU supports avx2 and fma, `q` is non-empty and
/// `data.len() == out.len() * q.len()`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn l2_sq_batch(q: &[f32], data: &[f32], out: &mut [f32]) {
    // SAFETY: forwarded contract.
    unsafe { batch::<true>(q, data, out) }
}

/// Inner product of `q` with every row.
///
/// # Safety
///
/// The CPU supports avx2 and fma, `q` is non-empty and
/// `data.len() == out.len() * q.len()`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn dot_batch(q: &[f32], data: &[f32], out: &mut [f32]) {
    // SAFETY: forwarded contract.
    unsafe { batch::<false>(q, data, out) }
}

/// ADC table from transposed codebooks (`[m][dsub][ksub]`): 32 (then 8)
/// centroids per register group, one broadcast query component per step.
///
/// # Safety
///
/// The CPU supports avx2 and fma; with `m = out.len() / ksub` (exact),
/// `q.len() == m * dsub` and `ct.len() == m * dsub * ksub`, `m >= 1`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn adc_table(l2: bool, q: &[f32], ct: &[f32], ksub: usize, out: &mut [f32]) {
    if l2 {
        // SAFETY: forwarded contract.
        unsafe { adc::<true>(q, ct, ksub, out) }
    } else {
        // SAFETY: forwarded contract.
        unsafe { adc::<false>(q, ct, ksub, out) }
    }
}

/// # Safety
///
/// As [`adc_table`].
#[target_feature(enable = "avx2,fma")]
unsafe fn adc<const L2: bool>(q: &[f32], ct: &[f32], ksub: usize, out: &mut [f32]) {
    let m = out.len() / ksub;
    let dsub = q.len() / m;
    for j in 0..m {
        let qj = &q[j * dsub..(j + 1) * dsub];
        let ctj = &ct[j * dsub * ksub..(j + 1) * dsub * ksub];
        let outj = &mut out[j * ksub..(j + 1) * ksub];
        let pc = ctj.as_ptr();
        let mut c = 0;
        while c + 32 <= ksub {
            let mut acc = [_mm256_setzero_ps(); 4];
            for (t, &x) in qj.iter().enumerate() {
                let x = _mm256_set1_ps(x);
                for (u, acc) in acc.iter_mut().enumerate() {
                    // SAFETY: t < dsub and c + 8u + 8 <= ksub, so the index
                    // t*ksub + c + 8u + 8 <= dsub*ksub == ctj.len().
                    let v = unsafe { _mm256_loadu_ps(pc.add(t * ksub + c + 8 * u)) };
                    *acc = step::<L2>(v, x, *acc);
                }
            }
            for (u, acc) in acc.iter().enumerate() {
                // SAFETY: c + 8u + 8 <= ksub == outj.len().
                unsafe { _mm256_storeu_ps(outj.as_mut_ptr().add(c + 8 * u), *acc) };
            }
            c += 32;
        }
        while c + 8 <= ksub {
            let mut acc = _mm256_setzero_ps();
            for (t, &x) in qj.iter().enumerate() {
                // SAFETY: t < dsub and c + 8 <= ksub (as above).
                let v = unsafe { _mm256_loadu_ps(pc.add(t * ksub + c)) };
                acc = step::<L2>(v, _mm256_set1_ps(x), acc);
            }
            // SAFETY: c + 8 <= ksub == outj.len().
            unsafe { _mm256_storeu_ps(outj.as_mut_ptr().add(c), acc) };
            c += 8;
        }
        while c < ksub {
            let mut s = 0.0f32;
            for (t, &x) in qj.iter().enumerate() {
                let v = ctj[t * ksub + c];
                s += if L2 { (v - x) * (v - x) } else { v * x };
            }
            outj[c] = s;
            c += 1;
        }
    }
}

/// SQ8 decode (`bias + scale * code`) and distance to `q`.
///
/// # Safety
///
/// The CPU supports avx2 and fma; all four slices have the same length.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn sq8(l2: bool, q: &[f32], code: &[u8], bias: &[f32], scale: &[f32]) -> f32 {
    if l2 {
        // SAFETY: forwarded contract.
        unsafe { sq8_impl::<true>(q, code, bias, scale) }
    } else {
        // SAFETY: forwarded contract.
        unsafe { sq8_impl::<false>(q, code, bias, scale) }
    }
}

/// # Safety
///
/// As [`sq8`].
#[target_feature(enable = "avx2,fma")]
unsafe fn sq8_impl<const L2: bool>(q: &[f32], code: &[u8], bias: &[f32], scale: &[f32]) -> f32 {
    let d = q.len();
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut i = 0;
    while i + 8 <= d {
        // SAFETY: i + 8 <= d and every slice is d long: 8 bytes of `code`
        // and 8 floats of each other slice are in bounds.
        let (c, b, s, x) = unsafe {
            (
                _mm_loadl_epi64(code.as_ptr().add(i).cast::<__m128i>()),
                _mm256_loadu_ps(bias.as_ptr().add(i)),
                _mm256_loadu_ps(scale.as_ptr().add(i)),
                _mm256_loadu_ps(q.as_ptr().add(i)),
            )
        };
        let v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(c)), s, b);
        let a = &mut acc[(i / 8) & 1];
        *a = step::<L2>(x, v, *a);
        i += 8;
    }
    let mut tail = 0.0f32;
    while i < d {
        let v = bias[i] + scale[i] * f32::from(code[i]);
        tail += if L2 {
            (q[i] - v) * (q[i] - v)
        } else {
            q[i] * v
        };
        i += 1;
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) + tail
}

/// Combines the even-vector and odd-vector `u16` sums of one half block
/// (lane 0: even sub-quantizers, lane 1: odd ones) into 16 totals in
/// vector order.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn combine(even: __m256i, odd: __m256i) -> __m256i {
    let x = _mm256_unpacklo_epi16(even, odd); // vectors 0..8 per lane
    let y = _mm256_unpackhi_epi16(even, odd); // vectors 8..16 per lane
    _mm256_add_epi16(
        _mm256_permute2x128_si256::<0x20>(x, y),
        _mm256_permute2x128_si256::<0x31>(x, y),
    )
}

/// 4-bit fast-scan over `out.len() / 32` blocks: two `pshufb` look-ups per
/// sub-quantizer pair and block, accumulated in `u16`.
///
/// `lo_a` accumulates each byte pair as one `u16` (even vector + 256 × odd
/// vector, wrapping), `lo_b` the odd byte alone; `lo_a - (lo_b << 8)` is
/// then exactly the even vectors' sum (FAISS's trick, one shift instead of
/// a mask per step).
///
/// # Safety
///
/// The CPU supports avx2 and fma; `out.len()` is a multiple of 32,
/// `lut.len() == pairs * 32` and `packed.len() == out.len() / 32 * pairs * 32`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pq4_scan(packed: &[u8], pairs: usize, lut: &[u8], out: &mut [u16]) {
    let mask = _mm256_set1_epi8(0x0f);
    let pl = lut.as_ptr();
    for (b, o) in out.chunks_exact_mut(32).enumerate() {
        // SAFETY: block b < out.len()/32 starts at b*pairs*32 <= packed.len().
        let blk = unsafe { packed.as_ptr().add(b * pairs * 32) };
        let (mut lo_a, mut lo_b) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        let (mut hi_a, mut hi_b) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        for p in 0..pairs {
            // SAFETY: p < pairs: bytes p*32..p*32+32 lie inside the block
            // (pairs*32 bytes) and inside the lut (pairs*32 bytes).
            let (c, l) = unsafe {
                (
                    _mm256_loadu_si256(blk.add(p * 32).cast::<__m256i>()),
                    _mm256_loadu_si256(pl.add(p * 32).cast::<__m256i>()),
                )
            };
            let clo = _mm256_and_si256(c, mask);
            let chi = _mm256_and_si256(_mm256_srli_epi16::<4>(c), mask);
            let rlo = _mm256_shuffle_epi8(l, clo);
            let rhi = _mm256_shuffle_epi8(l, chi);
            lo_a = _mm256_add_epi16(lo_a, rlo);
            lo_b = _mm256_add_epi16(lo_b, _mm256_srli_epi16::<8>(rlo));
            hi_a = _mm256_add_epi16(hi_a, rhi);
            hi_b = _mm256_add_epi16(hi_b, _mm256_srli_epi16::<8>(rhi));
        }
        let lo_even = _mm256_sub_epi16(lo_a, _mm256_slli_epi16::<8>(lo_b));
        let hi_even = _mm256_sub_epi16(hi_a, _mm256_slli_epi16::<8>(hi_b));
        let op = o.as_mut_ptr();
        // SAFETY: `o` is 32 u16 long: two 16-u16 (32-byte) stores fit.
        unsafe {
            _mm256_storeu_si256(op.cast::<__m256i>(), combine(lo_even, lo_b));
            _mm256_storeu_si256(op.add(16).cast::<__m256i>(), combine(hi_even, hi_b));
        }
    }
}

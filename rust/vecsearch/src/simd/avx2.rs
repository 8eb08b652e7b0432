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
/// `out[i * nc + j] = dot(x_i, c_j)`: 2 × 4 register blocks (8
/// accumulators, 6 loads per 8 FMAs), the tails by smaller blocks.
///
/// # Safety
///
/// The CPU supports avx2 and fma; `d > 0`, `x.len()` and `c.len()` are
/// multiples of `d` and `out.len() == x.len() / d * c.len() / d`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn dot_tile(x: &[f32], c: &[f32], d: usize, out: &mut [f32]) {
    let (nx, nc) = (x.len() / d, c.len() / d);
    let mut j = 0;
    while j < nc {
        let cw = (nc - j).min(4);
        let mut i = 0;
        while i < nx {
            let xw = (nx - i).min(2);
            // SAFETY: rows i..i+xw of x and j..j+cw of c exist (xw <= nx - i,
            // cw <= nc - j) and out has nx * nc slots; the caller
            // guarantees the CPU features.
            unsafe {
                match (xw, cw) {
                    (2, 4) => tile_block::<2, 4>(x, c, d, i, j, nc, out),
                    (2, 3) => tile_block::<2, 3>(x, c, d, i, j, nc, out),
                    (2, 2) => tile_block::<2, 2>(x, c, d, i, j, nc, out),
                    (2, _) => tile_block::<2, 1>(x, c, d, i, j, nc, out),
                    (_, 4) => tile_block::<1, 4>(x, c, d, i, j, nc, out),
                    (_, 3) => tile_block::<1, 3>(x, c, d, i, j, nc, out),
                    (_, 2) => tile_block::<1, 2>(x, c, d, i, j, nc, out),
                    _ => tile_block::<1, 1>(x, c, d, i, j, nc, out),
                }
            }
            i += xw;
        }
        j += cw;
    }
}

/// One `R × C` block of [`dot_tile`]: rows `i..i+R` of `x` against rows
/// `j..j+C` of `c`.
///
/// # Safety
///
/// As [`dot_tile`], plus `i + R <= nx`, `j + C <= nc`.
#[inline]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_block<const R: usize, const C: usize>(
    x: &[f32],
    c: &[f32],
    d: usize,
    i: usize,
    j: usize,
    nc: usize,
    out: &mut [f32],
) {
    let d8 = d - d % 8;
    // Rows i..i+R of x and j..j+C of c are in bounds (caller); every load
    // below reads at most d values of one row (full loads below d8, a
    // masked load for the rest).
    let px: [*const f32; R] =
        // SAFETY: row i + r < nx starts inside x.
        std::array::from_fn(|r| unsafe { x.as_ptr().add((i + r) * d) });
    let pc: [*const f32; C] =
        // SAFETY: row j + s < nc starts inside c.
        std::array::from_fn(|s| unsafe { c.as_ptr().add((j + s) * d) });
    let mut acc = [[_mm256_setzero_ps(); C]; R];
    let mut t = 0;
    while t < d8 {
        let xv: [__m256; R] =
            // SAFETY: t + 8 <= d8 <= d: inside row i + r.
            std::array::from_fn(|r| unsafe { _mm256_loadu_ps(px[r].add(t)) });
        for s in 0..C {
            // SAFETY: t + 8 <= d: inside row j + s.
            let cv = unsafe { _mm256_loadu_ps(pc[s].add(t)) };
            for r in 0..R {
                acc[r][s] = _mm256_fmadd_ps(xv[r], cv, acc[r][s]);
            }
        }
        t += 8;
    }
    if d8 < d {
        let mask = tail_mask(d - d8);
        let xv: [__m256; R] =
            // SAFETY: the mask reads only the d - d8 values left in the row.
            std::array::from_fn(|r| unsafe { _mm256_maskload_ps(px[r].add(d8), mask) });
        for s in 0..C {
            // SAFETY: as above, masked to the row's last d - d8 values.
            let cv = unsafe { _mm256_maskload_ps(pc[s].add(d8), mask) };
            for r in 0..R {
                acc[r][s] = _mm256_fmadd_ps(xv[r], cv, acc[r][s]);
            }
        }
    }
    for r in 0..R {
        for s in 0..C {
            out[(i + r) * nc + j + s] = hsum(acc[r][s]);
        }
    }
}

/// `out[i] = a[i] + b[i]`: the portable loop, compiled with AVX2 enabled
/// so LLVM vectorises it 8 wide.
///
/// # Safety
///
/// The CPU supports avx2 (lengths need no contract: the loop is safe code).
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    super::scalar::add(a, b, out)
}

/// 4-bit LUT quantization: the portable code compiled with AVX2 enabled
/// (element-wise float ops, so results are identical).
///
/// # Safety
///
/// The CPU supports avx2 (the body is safe code).
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn quantize_lut(tables: &[f32], qmax: f32, out: &mut [u8]) -> (f32, f32) {
    super::scalar::quantize_lut(tables, qmax, out)
}

/// Inner-product tables of several queries (see `simd::adc_tables_dot`):
/// for each sub-quantizer and run of 32 centroids, every query in turn, so
/// the `dsub × 32` codebook slice stays in L1 across the queries.
///
/// # Safety
///
/// The CPU supports avx2 and fma; `qs.len() = nq * d`, `out.len() = nq * m *
/// ksub`, `ct.len() = d * ksub`, `d = m * dsub`, `nq, m, ksub > 0`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn adc_tables_dot(
    qs: &[f32],
    d: usize,
    ct: &[f32],
    ksub: usize,
    out: &mut [f32],
) {
    let nq = qs.len() / d;
    let m = out.len() / (nq * ksub);
    let dsub = d / m;
    let mk = m * ksub;
    for j in 0..m {
        let ctj = &ct[j * dsub * ksub..(j + 1) * dsub * ksub];
        let pc = ctj.as_ptr();
        let mut c = 0;
        while c + 32 <= ksub {
            // Two queries per pass: 8 independent accumulators keep both
            // FMA pipes busy (4 chains would wait on FMA latency).
            let mut qi = 0;
            while qi + 2 <= nq {
                let q0 = &qs[qi * d + j * dsub..qi * d + (j + 1) * dsub];
                let q1 = &qs[(qi + 1) * d + j * dsub..(qi + 1) * d + (j + 1) * dsub];
                let mut a0 = [_mm256_setzero_ps(); 4];
                let mut a1 = [_mm256_setzero_ps(); 4];
                for (t, (&x0, &x1)) in q0.iter().zip(q1).enumerate() {
                    let (x0, x1) = (_mm256_set1_ps(x0), _mm256_set1_ps(x1));
                    for u in 0..4 {
                        // SAFETY: t < dsub and c + 8u + 8 <= ksub: inside ctj.
                        let v = unsafe { _mm256_loadu_ps(pc.add(t * ksub + c + 8 * u)) };
                        a0[u] = _mm256_fmadd_ps(v, x0, a0[u]);
                        a1[u] = _mm256_fmadd_ps(v, x1, a1[u]);
                    }
                }
                for (r, acc) in [a0, a1].iter().enumerate() {
                    let at = (qi + r) * mk + j * ksub + c;
                    let o = &mut out[at..at + 32];
                    for (u, acc) in acc.iter().enumerate() {
                        // SAFETY: `o` has 32 floats; 8u + 8 <= 32.
                        unsafe { _mm256_storeu_ps(o.as_mut_ptr().add(8 * u), *acc) };
                    }
                }
                qi += 2;
            }
            for qi in qi..nq {
                let qj = &qs[qi * d + j * dsub..qi * d + (j + 1) * dsub];
                let mut acc = [_mm256_setzero_ps(); 4];
                for (t, &x) in qj.iter().enumerate() {
                    let x = _mm256_set1_ps(x);
                    for (u, acc) in acc.iter_mut().enumerate() {
                        // SAFETY: t < dsub and c + 8u + 8 <= ksub: inside ctj.
                        let v = unsafe { _mm256_loadu_ps(pc.add(t * ksub + c + 8 * u)) };
                        *acc = _mm256_fmadd_ps(v, x, *acc);
                    }
                }
                let o = &mut out[qi * mk + j * ksub + c..qi * mk + j * ksub + c + 32];
                for (u, acc) in acc.iter().enumerate() {
                    // SAFETY: `o` has 32 floats; 8u + 8 <= 32.
                    unsafe { _mm256_storeu_ps(o.as_mut_ptr().add(8 * u), *acc) };
                }
            }
            c += 32;
        }
        // The rest (ksub not a multiple of 32, e.g. 16 for 4-bit codes).
        for qi in 0..nq {
            let qj = &qs[qi * d + j * dsub..qi * d + (j + 1) * dsub];
            for cc in c..ksub {
                let mut s = 0.0f32;
                for (t, &x) in qj.iter().enumerate() {
                    s += ctj[t * ksub + cc] * x;
                }
                out[qi * mk + j * ksub + cc] = s;
            }
        }
    }
}

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

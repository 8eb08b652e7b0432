//! Portable kernels: safe loops written so LLVM vectorises them for the
//! baseline target. Sixteen independent accumulators break the serial
//! dependency of a float sum (which the compiler may not reorder on its
//! own). The dispatcher in `simd` checked the slice contracts.

#![deny(unsafe_code)]

/// Independent accumulators for the float reductions.
const LANES: usize = 16;

/// Squared L2 (equal lengths).
#[inline]
pub(crate) fn l2_sq(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let ac = a.chunks_exact(LANES);
    let bc = b.chunks_exact(LANES);
    let (ar, br) = (ac.remainder(), bc.remainder());
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

/// Inner product (equal lengths).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let ac = a.chunks_exact(LANES);
    let bc = b.chunks_exact(LANES);
    let (ar, br) = (ac.remainder(), bc.remainder());
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

/// Pairwise sum of the accumulators in a fixed order.
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

pub(crate) fn l2_sq_batch(q: &[f32], data: &[f32], out: &mut [f32]) {
    for (row, o) in data.chunks_exact(q.len()).zip(out) {
        *o = l2_sq(q, row);
    }
}

pub(crate) fn dot_batch(q: &[f32], data: &[f32], out: &mut [f32]) {
    for (row, o) in data.chunks_exact(q.len()).zip(out) {
        *o = dot(q, row);
    }
}

/// `out[i * nc + j] = dot(x_i, c_j)` (contract checked by the dispatcher).
pub(crate) fn dot_tile(x: &[f32], c: &[f32], d: usize, out: &mut [f32]) {
    let nc = c.len() / d;
    for (xi, o) in x.chunks_exact(d).zip(out.chunks_exact_mut(nc.max(1))) {
        dot_batch(xi, c, &mut o[..nc]);
    }
}

/// `out[i] = a[i] + b[i]`.
#[inline(always)]
pub(crate) fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
}

/// Smallest and largest of 16 values by a fixed pairwise tree (exact, so
/// every implementation agrees; independent lanes vectorise).
#[inline(always)]
fn min_max16(t: &[f32; 16]) -> (f32, f32) {
    let (mut lo, mut hi) = (*t, *t);
    let mut w = 8;
    while w > 0 {
        for i in 0..w {
            lo[i] = if lo[i + w] < lo[i] { lo[i + w] } else { lo[i] };
            hi[i] = if hi[i + w] > hi[i] { hi[i + w] } else { hi[i] };
        }
        w /= 2;
    }
    (lo[0], hi[0])
}

/// Quantizes `m × 16` float tables to bytes for the 4-bit scan (see
/// `fastscan::QuantizedLut`): entry `v` of sub-quantizer `j` becomes
/// `round((v - min_j) * scale)`, capped at `qmax`, at byte
/// `(j / 2) * 32 + (j % 2) * 16 + c`; `scale = qmax / widest span`.
/// Returns `(sum of the minima, scale)`.
#[inline(always)]
pub(crate) fn quantize_lut(tables: &[f32], qmax: f32, out: &mut [u8]) -> (f32, f32) {
    let mut bias = 0.0f32;
    let mut span = 0.0f32;
    let mut los = [0.0f32; 256];
    let m = tables.len() / 16;
    for (j, t) in tables.chunks_exact(16).enumerate() {
        let t: &[f32; 16] = t.try_into().expect("16 entries");
        let (lo, hi) = min_max16(t);
        if j < los.len() {
            los[j] = lo;
        }
        bias += lo;
        span = if hi - lo > span { hi - lo } else { span };
    }
    let scale = if span > 0.0 && span.is_finite() {
        qmax / span
    } else {
        1.0
    };
    for (j, t) in tables.chunks_exact(16).enumerate().take(m) {
        let lo = if j < los.len() {
            los[j]
        } else {
            min_max16(t.try_into().expect("16 entries")).0
        };
        let dst = &mut out[(j / 2) * 32 + (j % 2) * 16..][..16];
        for (o, &v) in dst.iter_mut().zip(t) {
            // Round half up by truncation: `f32::round` is a libm call on
            // baseline x86-64 (no SSE4.1).
            *o = ((v - lo) * scale + 0.5).min(qmax) as u8;
        }
    }
    (bias, scale)
}

/// ADC table from transposed codebooks `ct` (`[m][dsub][ksub]`): the inner
/// loop runs over `ksub` consecutive centroids, which vectorises.
pub(crate) fn adc_table(l2: bool, q: &[f32], ct: &[f32], ksub: usize, out: &mut [f32]) {
    let m = out.len() / ksub;
    let dsub = q.len() / m;
    for ((qj, ctj), outj) in q
        .chunks_exact(dsub)
        .zip(ct.chunks_exact(dsub * ksub))
        .zip(out.chunks_exact_mut(ksub))
    {
        outj.fill(0.0);
        for (&x, comp) in qj.iter().zip(ctj.chunks_exact(ksub)) {
            if l2 {
                for (o, &c) in outj.iter_mut().zip(comp) {
                    let d = c - x;
                    *o += d * d;
                }
            } else {
                for (o, &c) in outj.iter_mut().zip(comp) {
                    *o += x * c;
                }
            }
        }
    }
}

/// 8-bit PQ scan. The table is viewed as `m` arrays of 256, so indexing by
/// a `u8` needs no bounds check; four partial sums per code shorten the
/// dependency chain.
pub(crate) fn pq8_scan(codes: &[u8], m: usize, table: &[f32], out: &mut [f32]) {
    let (tab, _) = table.as_chunks::<256>();
    let m4 = m - m % 4;
    for (code, o) in codes.chunks_exact(m).zip(out.iter_mut()) {
        let (mut s0, mut s1, mut s2, mut s3) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        let (head, rest) = code.split_at(m4);
        let (thead, trest) = tab.split_at(m4);
        for (c, t) in head.chunks_exact(4).zip(thead.chunks_exact(4)) {
            s0 += t[0][usize::from(c[0])];
            s1 += t[1][usize::from(c[1])];
            s2 += t[2][usize::from(c[2])];
            s3 += t[3][usize::from(c[3])];
        }
        for (&c, t) in rest.iter().zip(trest) {
            s0 += t[usize::from(c)];
        }
        *o = (s0 + s1) + (s2 + s3);
    }
}

/// SQ8 decode + distance (equal lengths).
pub(crate) fn sq8(l2: bool, q: &[f32], code: &[u8], bias: &[f32], scale: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let n8 = q.len() - q.len() % 8;
    let mut i = 0;
    while i < n8 {
        for l in 0..8 {
            let x = bias[i + l] + scale[i + l] * f32::from(code[i + l]);
            if l2 {
                let d = q[i + l] - x;
                acc[l] += d * d;
            } else {
                acc[l] += q[i + l] * x;
            }
        }
        i += 8;
    }
    let mut tail = 0.0f32;
    for j in n8..q.len() {
        let x = bias[j] + scale[j] * f32::from(code[j]);
        if l2 {
            let d = q[j] - x;
            tail += d * d;
        } else {
            tail += q[j] * x;
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// 4-bit fast-scan reference: reads the packed layout nibble by nibble.
/// Sums in `u32` and truncates, which equals the AVX2 kernel's wrapping
/// `u16` arithmetic whenever the true sum fits (the LUT contract).
pub(crate) fn pq4_scan(packed: &[u8], pairs: usize, lut: &[u8], out: &mut [u16]) {
    if pairs == 0 {
        out.fill(0);
        return;
    }
    for (block, o) in packed
        .chunks_exact(pairs * 32)
        .zip(out.chunks_exact_mut(32))
    {
        let mut acc = [0u32; 32];
        for (codes, l) in block.chunks_exact(32).zip(lut.chunks_exact(32)) {
            let (even, odd) = codes.split_at(16);
            let (leven, lodd) = l.split_at(16);
            for i in 0..16 {
                let (e, d) = (even[i], odd[i]);
                acc[i] +=
                    u32::from(leven[usize::from(e & 15)]) + u32::from(lodd[usize::from(d & 15)]);
                acc[i + 16] +=
                    u32::from(leven[usize::from(e >> 4)]) + u32::from(lodd[usize::from(d >> 4)]);
            }
        }
        for (dst, &a) in o.iter_mut().zip(&acc) {
            *dst = a as u16;
        }
    }
}

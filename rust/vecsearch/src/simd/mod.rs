//! SIMD kernels behind a safe API, chosen at run time.
//!
//! Every kernel exists twice: a portable version in [`scalar`] (safe code,
//! written so LLVM vectorises it for the baseline target) and an AVX2/FMA
//! version in `avx2` (x86-64 only). [`Isa::active`] picks one once per
//! process: AVX2 when the CPU has both `avx2` and `fma`, unless the
//! environment variable `VECSEARCH_FORCE_SCALAR` is set to anything but `0`
//! or the empty string (to compare the paths from outside, e.g. in a
//! benchmark). Both paths give the same results within float tolerance
//! (summation order differs); the integer kernels (4-bit fast-scan) give
//! identical results.
//!
//! Callers use the free functions ([`l2_sq`], [`l2_sq_batch`], ...), which
//! dispatch on [`Isa::active`]. The `*_with` variants take the
//! implementation explicitly so tests can run both paths in one process.
//! An [`Isa`] can only be obtained from detection, so passing one never
//! enables instructions the CPU lacks: the `unsafe` calls into `avx2` rely
//! on exactly that invariant.
//!
//! This module (with `ffi`) is the only place the crate allows `unsafe`.

use std::sync::OnceLock;

#[cfg(target_arch = "x86_64")]
mod avx2;
pub(crate) mod scalar;
#[cfg(test)]
mod tests;

/// Vectors per 4-bit fast-scan block (the layout is described in
/// [`crate::fastscan`]).
pub(crate) const PQ4_BLOCK: usize = 32;

/// Which implementation: private so that an `Avx2` value exists only after
/// the CPU was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

/// A kernel implementation the running CPU supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Isa(Kind);

impl Isa {
    /// The portable implementation (always available).
    pub(crate) const fn scalar() -> Self {
        Isa(Kind::Scalar)
    }

    /// The fastest implementation the CPU supports, ignoring
    /// `VECSEARCH_FORCE_SCALAR`.
    pub(crate) fn best() -> Self {
        static BEST: OnceLock<Isa> = OnceLock::new();
        *BEST.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa(Kind::Avx2);
            }
            Isa::scalar()
        })
    }

    /// The implementation the free functions use: [`Isa::best`], or scalar
    /// when `VECSEARCH_FORCE_SCALAR` is set (read once per process).
    #[inline]
    pub(crate) fn active() -> Self {
        static ACTIVE: OnceLock<Isa> = OnceLock::new();
        *ACTIVE.get_or_init(|| {
            let forced = std::env::var_os("VECSEARCH_FORCE_SCALAR")
                .is_some_and(|v| !v.is_empty() && v != "0");
            if forced { Isa::scalar() } else { Isa::best() }
        })
    }

    /// Every implementation this CPU supports (for tests and benchmarks).
    #[allow(dead_code)] // used by tests and timing harnesses
    pub(crate) fn all() -> Vec<Self> {
        let mut v = vec![Isa::scalar()];
        if Isa::best() != Isa::scalar() {
            v.push(Isa::best());
        }
        v
    }

    /// A short name ("scalar", "avx2") for logs and benchmark output.
    #[allow(dead_code)] // used by tests and timing harnesses
    pub(crate) fn name(self) -> &'static str {
        match self.0 {
            Kind::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2 => "avx2",
        }
    }
}

/// The name of the implementation in use ("scalar" or "avx2").
#[allow(dead_code)] // for benchmarks and stats
pub(crate) fn active_name() -> &'static str {
    Isa::active().name()
}

// ---------------------------------------------------------------------------
// Dispatch. Each `*_with` checks the slice contracts (cheap asserts, so the
// AVX2 kernels may read without bounds checks) and calls one implementation.
// ---------------------------------------------------------------------------

/// Squared Euclidean distance between `a` and `b` (equal lengths).
#[inline]
pub(crate) fn l2_sq(a: &[f32], b: &[f32]) -> f32 {
    l2_sq_with(Isa::active(), a, b)
}

/// [`l2_sq`] with an explicit implementation.
#[inline]
pub(crate) fn l2_sq_with(isa: Isa, a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "l2_sq: length mismatch");
    match isa.0 {
        Kind::Scalar => scalar::l2_sq(a, b),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Kind::Avx2` is only constructed after detecting avx2+fma;
        // the lengths are equal (asserted above).
        Kind::Avx2 => unsafe { avx2::l2_sq(a, b) },
    }
}

/// Inner product of `a` and `b` (equal lengths).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    dot_with(Isa::active(), a, b)
}

/// [`dot`] with an explicit implementation.
#[inline]
pub(crate) fn dot_with(isa: Isa, a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "dot: length mismatch");
    match isa.0 {
        Kind::Scalar => scalar::dot(a, b),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); equal lengths asserted.
        Kind::Avx2 => unsafe { avx2::dot(a, b) },
    }
}

/// One query against many contiguous vectors: `out[i] = l2_sq(q, row i)`
/// where row `i` is `data[i*d..(i+1)*d]` and `d = q.len()`. Use it for the
/// coarse quantizer (query against every centroid) and flat scans.
///
/// Panics unless `data.len() == out.len() * q.len()`.
#[inline]
pub(crate) fn l2_sq_batch(q: &[f32], data: &[f32], out: &mut [f32]) {
    l2_sq_batch_with(Isa::active(), q, data, out)
}

/// [`l2_sq_batch`] with an explicit implementation.
pub(crate) fn l2_sq_batch_with(isa: Isa, q: &[f32], data: &[f32], out: &mut [f32]) {
    check_batch("l2_sq_batch", q, data, out);
    if q.is_empty() {
        out.fill(0.0);
        return;
    }
    match isa.0 {
        Kind::Scalar => scalar::l2_sq_batch(q, data, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); `check_batch` asserted
        // `data.len() == out.len() * q.len()` and `q` is non-empty.
        Kind::Avx2 => unsafe { avx2::l2_sq_batch(q, data, out) },
    }
}

/// One query against many contiguous vectors by inner product:
/// `out[i] = dot(q, row i)`. Same contract as [`l2_sq_batch`].
#[inline]
pub(crate) fn dot_batch(q: &[f32], data: &[f32], out: &mut [f32]) {
    dot_batch_with(Isa::active(), q, data, out)
}

/// [`dot_batch`] with an explicit implementation.
pub(crate) fn dot_batch_with(isa: Isa, q: &[f32], data: &[f32], out: &mut [f32]) {
    check_batch("dot_batch", q, data, out);
    if q.is_empty() {
        out.fill(0.0);
        return;
    }
    match isa.0 {
        Kind::Scalar => scalar::dot_batch(q, data, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); `check_batch` asserted the
        // lengths and `q` is non-empty.
        Kind::Avx2 => unsafe { avx2::dot_batch(q, data, out) },
    }
}

/// Many queries against many vectors: `out[i * nc + j] = dot(x_i, c_j)`
/// where `x_i` is row `i` of `x` and `c_j` row `j` of `c` (both `d` wide),
/// `nc = c.len() / d`. A register-blocked matrix product (2 rows of `x` ×
/// 4 rows of `c` per pass), so each loaded value feeds several FMAs: use it
/// for k-means assignment and the coarse quantizer of a batch of queries.
///
/// Panics unless `d > 0`, both lengths are multiples of `d` and
/// `out.len() == (x.len() / d) * (c.len() / d)`.
#[inline]
pub(crate) fn dot_tile(x: &[f32], c: &[f32], d: usize, out: &mut [f32]) {
    dot_tile_with(Isa::active(), x, c, d, out)
}

/// [`dot_tile`] with an explicit implementation.
pub(crate) fn dot_tile_with(isa: Isa, x: &[f32], c: &[f32], d: usize, out: &mut [f32]) {
    assert!(
        d > 0 && x.len().is_multiple_of(d) && c.len().is_multiple_of(d),
        "dot_tile: lengths are not multiples of d"
    );
    assert_eq!(
        out.len(),
        (x.len() / d) * (c.len() / d),
        "dot_tile: out length"
    );
    match isa.0 {
        Kind::Scalar => scalar::dot_tile(x, c, d, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); d > 0 and the lengths of
        // x, c and out were asserted above.
        Kind::Avx2 => unsafe { avx2::dot_tile(x, c, d, out) },
    }
}

fn check_batch(what: &str, q: &[f32], data: &[f32], out: &[f32]) {
    assert_eq!(
        Some(data.len()),
        out.len().checked_mul(q.len()),
        "{what}: data holds {} values, expected {} rows of {}",
        data.len(),
        out.len(),
        q.len()
    );
}

/// Rearranges PQ codebooks from the natural layout `[m][ksub][dsub]`
/// (sub-quantizer, centroid, component) to `[m][dsub][ksub]`, the layout
/// [`adc_table_l2`] and [`adc_table_dot`] read: one component of `ksub`
/// consecutive centroids is one SIMD load.
#[allow(dead_code)] // called by the IVF-PQ index and fast-scan
pub(crate) fn transpose_codebooks(
    centroids: &[f32],
    m: usize,
    ksub: usize,
    dsub: usize,
) -> Vec<f32> {
    assert_eq!(centroids.len(), m * ksub * dsub, "transpose_codebooks");
    let mut t = vec![0.0; centroids.len()];
    for j in 0..m {
        let src = &centroids[j * ksub * dsub..(j + 1) * ksub * dsub];
        let dst = &mut t[j * ksub * dsub..(j + 1) * ksub * dsub];
        for (c, cent) in src.chunks_exact(dsub).enumerate() {
            for (t_idx, &v) in cent.iter().enumerate() {
                dst[t_idx * ksub + c] = v;
            }
        }
    }
    t
}

/// PQ distance table for a query (or a query residual) by squared L2:
/// `out[j*ksub + c] = l2_sq(q_j, centroid c of sub-quantizer j)` where `q_j`
/// is the `j`-th of `m` equal pieces of `q`, `m = out.len() / ksub`, and
/// `ct` holds the codebooks transposed ([`transpose_codebooks`]).
///
/// Panics unless `out.len() == m * ksub`, `q.len() == m * dsub` and
/// `ct.len() == m * dsub * ksub` for some integer `dsub`.
#[inline]
#[allow(dead_code)] // called by the IVF-PQ index and fast-scan
pub(crate) fn adc_table_l2(q: &[f32], ct: &[f32], ksub: usize, out: &mut [f32]) {
    adc_table_with(Isa::active(), true, q, ct, ksub, out)
}

/// PQ inner-product table: `out[j*ksub + c] = dot(q_j, centroid c of
/// sub-quantizer j)`. Same layout and contract as [`adc_table_l2`].
#[inline]
#[allow(dead_code)] // called by the IVF-PQ index and fast-scan
pub(crate) fn adc_table_dot(q: &[f32], ct: &[f32], ksub: usize, out: &mut [f32]) {
    adc_table_with(Isa::active(), false, q, ct, ksub, out)
}

/// [`adc_table_l2`] (`l2 = true`) or [`adc_table_dot`] with an explicit
/// implementation.
pub(crate) fn adc_table_with(
    isa: Isa,
    l2: bool,
    q: &[f32],
    ct: &[f32],
    ksub: usize,
    out: &mut [f32],
) {
    assert!(
        ksub > 0 && out.len().is_multiple_of(ksub),
        "adc_table: ksub"
    );
    let m = out.len() / ksub;
    assert!(m > 0 && q.len().is_multiple_of(m), "adc_table: q length");
    let dsub = q.len() / m;
    assert_eq!(ct.len(), m * dsub * ksub, "adc_table: codebook length");
    match isa.0 {
        Kind::Scalar => scalar::adc_table(l2, q, ct, ksub, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); the lengths were asserted
        // above: q = m*dsub, ct = m*dsub*ksub, out = m*ksub.
        Kind::Avx2 => unsafe { avx2::adc_table(l2, q, ct, ksub, out) },
    }
}

/// [`adc_table_dot`] for several queries at once: `qs` holds `nq` rows of
/// `d = m * dsub`, `out` `nq` tables of `m × ksub` (table `i` at
/// `i * m * ksub`). Each slice of the codebooks is loaded once for all the
/// queries, so large codebooks (d = 784: 800 KB) stream from memory once
/// per block instead of once per query.
///
/// Panics unless `d > 0` divides `qs.len()` and, with `nq = qs.len() / d`,
/// `out.len() == nq * m * ksub` and `ct.len() == d * ksub` for an integer
/// `m` dividing `d`.
#[inline]
pub(crate) fn adc_tables_dot(qs: &[f32], d: usize, ct: &[f32], ksub: usize, out: &mut [f32]) {
    adc_tables_dot_with(Isa::active(), qs, d, ct, ksub, out)
}

/// [`adc_tables_dot`] with an explicit implementation.
pub(crate) fn adc_tables_dot_with(
    isa: Isa,
    qs: &[f32],
    d: usize,
    ct: &[f32],
    ksub: usize,
    out: &mut [f32],
) {
    assert!(
        d > 0 && ksub > 0 && qs.len().is_multiple_of(d),
        "adc_tables: d"
    );
    let nq = qs.len() / d;
    if nq == 0 {
        assert!(out.is_empty(), "adc_tables: out length");
        return;
    }
    assert!(
        out.len().is_multiple_of(nq * ksub),
        "adc_tables: out length"
    );
    let m = out.len() / (nq * ksub);
    assert!(m > 0 && d.is_multiple_of(m), "adc_tables: m must divide d");
    assert_eq!(ct.len(), d * ksub, "adc_tables: codebook length");
    match isa.0 {
        Kind::Scalar => {
            for (q, o) in qs.chunks_exact(d).zip(out.chunks_exact_mut(m * ksub)) {
                scalar::adc_table(false, q, ct, ksub, o);
            }
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); asserted above: qs = nq*d,
        // out = nq*m*ksub, ct = d*ksub, d = m*dsub.
        Kind::Avx2 => unsafe { avx2::adc_tables_dot(qs, d, ct, ksub, out) },
    }
}

/// `out[i] = a[i] + b[i]` (an IVF list's table: precomputed term + the
/// query's term). Panics unless the three lengths are equal.
#[inline]
pub(crate) fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    add_with(Isa::active(), a, b, out)
}

/// [`add`] with an explicit implementation (identical results).
pub(crate) fn add_with(isa: Isa, a: &[f32], b: &[f32], out: &mut [f32]) {
    assert!(a.len() == out.len() && b.len() == out.len(), "add: lengths");
    match isa.0 {
        Kind::Scalar => scalar::add(a, b, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); equal lengths asserted.
        Kind::Avx2 => unsafe { avx2::add(a, b, out) },
    }
}

/// Quantizes the `m × 16` float tables of a 4-bit scan into the byte
/// layout of `fastscan::QuantizedLut` (`out`: `ceil(m / 2) * 32` bytes,
/// zeroed by the caller); returns `(bias, scale)`.
///
/// Panics unless `tables.len() == m * 16` and `out.len() == ceil(m/2) * 32`.
#[inline]
pub(crate) fn quantize_lut(tables: &[f32], qmax: f32, out: &mut [u8]) -> (f32, f32) {
    quantize_lut_with(Isa::active(), tables, qmax, out)
}

/// [`quantize_lut`] with an explicit implementation (identical results).
pub(crate) fn quantize_lut_with(isa: Isa, tables: &[f32], qmax: f32, out: &mut [u8]) -> (f32, f32) {
    assert!(tables.len().is_multiple_of(16), "quantize_lut: tables");
    assert_eq!(
        out.len(),
        (tables.len() / 16).div_ceil(2) * 32,
        "quantize_lut: out length"
    );
    match isa.0 {
        Kind::Scalar => scalar::quantize_lut(tables, qmax, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); the body is safe code.
        Kind::Avx2 => unsafe { avx2::quantize_lut(tables, qmax, out) },
    }
}

/// Hints the CPU to fetch the cache lines of `data` (no effect on
/// results; a no-op off x86-64).
#[inline]
pub(crate) fn prefetch(data: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for at in (0..data.len()).step_by(64) {
        // SAFETY: `prefetcht0` never faults and has no architectural
        // effect; the address is inside `data`. SSE is part of the x86-64
        // baseline, so no detection is needed.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                data.as_ptr().add(at).cast::<i8>(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

/// The bytes of an `f32` slice (for [`prefetch`]).
#[inline]
pub(crate) fn as_bytes(v: &[f32]) -> &[u8] {
    // SAFETY: any initialised f32 is 4 initialised bytes; u8 has alignment
    // 1 and the length covers exactly the same memory.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

/// 8-bit PQ code scan: for each of the `out.len()` codes of `m` bytes in
/// `codes`, `out[i] = sum_j table[j*256 + codes[i*m + j]]`.
///
/// Panics unless `codes.len() == out.len() * m` and `table.len() == m * 256`.
#[inline]
#[allow(dead_code)] // called by the IVF-PQ index
pub(crate) fn pq8_scan(codes: &[u8], m: usize, table: &[f32], out: &mut [f32]) {
    pq8_scan_with(Isa::active(), codes, m, table, out)
}

/// [`pq8_scan`] with an explicit implementation. Both paths run the same
/// unrolled scalar loop today: AVX2 gathers were measured slower (see the
/// timing test in `tests`).
pub(crate) fn pq8_scan_with(_isa: Isa, codes: &[u8], m: usize, table: &[f32], out: &mut [f32]) {
    assert_eq!(table.len(), m * 256, "pq8_scan: table length");
    assert_eq!(
        Some(codes.len()),
        out.len().checked_mul(m),
        "pq8_scan: codes"
    );
    if m == 0 {
        out.fill(0.0);
        return;
    }
    scalar::pq8_scan(codes, m, table, out)
}

/// Squared L2 between `q` and an 8-bit scalar-quantized vector whose
/// component `i` decodes to `bias[i] + scale[i] * code[i]`.
///
/// Panics unless all four slices have the same length.
#[inline]
#[allow(dead_code)] // called by the IVF-PQ re-rank
pub(crate) fn sq8_l2_sq(q: &[f32], code: &[u8], bias: &[f32], scale: &[f32]) -> f32 {
    sq8_with(Isa::active(), true, q, code, bias, scale)
}

/// Inner product between `q` and an 8-bit scalar-quantized vector (decoded
/// as in [`sq8_l2_sq`]).
#[inline]
#[allow(dead_code)] // called by the IVF-PQ re-rank
pub(crate) fn sq8_dot(q: &[f32], code: &[u8], bias: &[f32], scale: &[f32]) -> f32 {
    sq8_with(Isa::active(), false, q, code, bias, scale)
}

/// [`sq8_l2_sq`] (`l2 = true`) or [`sq8_dot`] with an explicit
/// implementation.
pub(crate) fn sq8_with(
    isa: Isa,
    l2: bool,
    q: &[f32],
    code: &[u8],
    bias: &[f32],
    scale: &[f32],
) -> f32 {
    let d = q.len();
    assert!(
        code.len() == d && bias.len() == d && scale.len() == d,
        "sq8: length mismatch"
    );
    match isa.0 {
        Kind::Scalar => scalar::sq8(l2, q, code, bias, scale),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); all four lengths equal d
        // (asserted above).
        Kind::Avx2 => unsafe { avx2::sq8(l2, q, code, bias, scale) },
    }
}

/// 4-bit fast-scan: accumulates the quantized look-up table `lut` over
/// `out.len() / 32` packed blocks of `packed` (layout in
/// [`crate::fastscan`]), `pairs` sub-quantizer pairs per block, writing one
/// `u16` sum per vector slot. The sums are exact (integer) provided no
/// vector's total exceeds `u16::MAX`, which the LUT quantization guarantees.
///
/// Panics unless `out.len()` is a multiple of 32, `lut.len() == pairs * 32`
/// and `packed.len() == out.len() / 32 * pairs * 32`.
#[inline]
#[allow(dead_code)] // called by fast-scan
pub(crate) fn pq4_scan(packed: &[u8], pairs: usize, lut: &[u8], out: &mut [u16]) {
    pq4_scan_with(Isa::active(), packed, pairs, lut, out)
}

/// [`pq4_scan`] with an explicit implementation (identical results).
pub(crate) fn pq4_scan_with(isa: Isa, packed: &[u8], pairs: usize, lut: &[u8], out: &mut [u16]) {
    assert!(out.len().is_multiple_of(PQ4_BLOCK), "pq4_scan: out length");
    assert_eq!(lut.len(), pairs * 32, "pq4_scan: lut length");
    assert_eq!(
        packed.len(),
        out.len() / PQ4_BLOCK * pairs * 32,
        "pq4_scan: packed length"
    );
    match isa.0 {
        Kind::Scalar => scalar::pq4_scan(packed, pairs, lut, out),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: avx2+fma detected (see `Kind`); lengths asserted above:
        // each of the out.len()/32 blocks has pairs*32 packed bytes and the
        // lut has pairs*32 bytes.
        Kind::Avx2 => unsafe { avx2::pq4_scan(packed, pairs, lut, out) },
    }
}

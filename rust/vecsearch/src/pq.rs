//! Product quantizer: `m` sub-quantizers of `2^nbits` centroids over
//! `d / m`-dimensional slices, codes stored one byte per sub-quantizer.
//!
//! Distances are asymmetric (ADC): a query is compared with the centroids
//! once per query, giving an `m × ksub` table, and a code's distance is the
//! sum of `m` table entries.

#[cfg(test)]
use crate::distance::{dot, l2_sq};
use crate::error::Error;
use crate::kmeans::{self, KMeansParams};
use crate::simd;

/// A trained product quantizer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProductQuantizer {
    pub d: usize,
    pub m: usize,
    pub nbits: usize,
    /// `2^nbits` centroids per sub-quantizer.
    pub ksub: usize,
    /// `d / m`.
    pub dsub: usize,
    /// `m × ksub × dsub` floats: sub-quantizer `j`'s centroid `c` starts at
    /// `(j * ksub + c) * dsub`.
    pub centroids: Vec<f32>,
    /// The same codebooks transposed to `[m][dsub][ksub]`
    /// ([`simd::transpose_codebooks`]), the layout the SIMD table kernels
    /// read; derived from `centroids`, never persisted.
    pub ct: Vec<f32>,
}

impl ProductQuantizer {
    /// Checks the shape: `m >= 1` divides `d`, `1 <= nbits <= 8`.
    pub(crate) fn check_shape(d: usize, m: usize, nbits: usize) -> Result<(), Error> {
        if m == 0 || d == 0 || !d.is_multiple_of(m) {
            return Err(Error::invalid(format!(
                "pq: m = {m} must be >= 1 and divide d = {d}"
            )));
        }
        if !(1..=8).contains(&nbits) {
            return Err(Error::invalid(format!("pq: nbits = {nbits}, must be 1..8")));
        }
        Ok(())
    }

    /// Trains on `n` row-major vectors of dimension `d`.
    pub(crate) fn train(
        x: &[f32],
        n: usize,
        d: usize,
        m: usize,
        nbits: usize,
        p: &KMeansParams,
    ) -> Result<Self, Error> {
        Self::check_shape(d, m, nbits)?;
        let (ksub, dsub) = (1usize << nbits, d / m);
        if n < ksub {
            return Err(Error::invalid(format!(
                "train: {n} training vectors for {ksub} PQ centroids (need at least {ksub})"
            )));
        }
        let mut centroids = Vec::new();
        centroids.try_reserve_exact(m * ksub * dsub)?;
        let mut sub = Vec::new();
        sub.try_reserve_exact(n * dsub)?;
        for j in 0..m {
            sub.clear();
            for row in x.chunks_exact(d) {
                sub.extend_from_slice(&row[j * dsub..(j + 1) * dsub]);
            }
            let p = KMeansParams {
                seed: p.seed.wrapping_add(j as u64 + 1),
                ..*p
            };
            centroids.extend(kmeans::train(&sub, n, dsub, ksub, &p)?);
        }
        Ok(Self::from_centroids(d, m, nbits, centroids))
    }

    /// A quantizer from trained codebooks (`m × 2^nbits × d/m` floats; the
    /// caller checked the shape).
    pub(crate) fn from_centroids(d: usize, m: usize, nbits: usize, centroids: Vec<f32>) -> Self {
        let (ksub, dsub) = (1usize << nbits, d / m);
        let ct = simd::transpose_codebooks(&centroids, m, ksub, dsub);
        Self {
            d,
            m,
            nbits,
            ksub,
            dsub,
            centroids,
            ct,
        }
    }

    /// Centroid `c` of sub-quantizer `j`.
    #[inline]
    pub(crate) fn centroid(&self, j: usize, c: usize) -> &[f32] {
        let at = (j * self.ksub + c) * self.dsub;
        &self.centroids[at..at + self.dsub]
    }

    /// Encodes one vector into `m` code bytes. `table` is scratch of
    /// `m × ksub` floats: the vector's L2 table, whose per-sub-quantizer
    /// argmin is the code.
    pub(crate) fn encode(&self, x: &[f32], code: &mut [u8], table: &mut [f32]) {
        self.l2_table(x, table);
        for (out, t) in code.iter_mut().zip(table.chunks_exact(self.ksub)) {
            let mut best = (0usize, f32::INFINITY);
            for (c, &s) in t.iter().enumerate() {
                if s < best.1 {
                    best = (c, s);
                }
            }
            *out = best.0 as u8;
        }
    }

    #[cfg_attr(not(test), allow(dead_code))] // used by tests and fast-scan
    /// Decodes `m` code bytes into a `d`-vector.
    pub(crate) fn decode(&self, code: &[u8], out: &mut [f32]) {
        for (j, &c) in code.iter().enumerate().take(self.m) {
            out[j * self.dsub..(j + 1) * self.dsub].copy_from_slice(self.centroid(j, c as usize));
        }
    }

    /// `table[j * ksub + c] = <x_j, centroid(j, c)>` (SIMD over the
    /// transposed codebooks). Searches use the batched
    /// [`simd::adc_tables_dot`] instead.
    #[cfg(test)]
    pub(crate) fn ip_table(&self, x: &[f32], table: &mut [f32]) {
        simd::adc_table_dot(x, &self.ct, self.ksub, table);
    }

    /// `table[j * ksub + c] = ||x_j - centroid(j, c)||^2`.
    pub(crate) fn l2_table(&self, x: &[f32], table: &mut [f32]) {
        simd::adc_table_l2(x, &self.ct, self.ksub, table);
    }
}

/// The ADC distances of four codes at once (`codes` holds 4 × `m` bytes),
/// from one table of `m × 256` entries: four independent sums, so the
/// lookups of one code overlap those of the next (FAISS's
/// `distance_four_codes`). `ksub` must be 256.
#[inline(always)]
pub(crate) fn adc4_256(table: &[f32], codes: &[u8]) -> [f32; 4] {
    let m = codes.len() / 4;
    let (c0, rest) = codes.split_at(m);
    let (c1, rest) = rest.split_at(m);
    let (c2, c3) = rest.split_at(m);
    let mut acc = [0.0f32; 4];
    for ((((t, &a), &b), &c), &e) in table.chunks_exact(256).zip(c0).zip(c1).zip(c2).zip(c3) {
        let t: &[f32; 256] = t.try_into().expect("chunks of 256");
        acc[0] += t[a as usize];
        acc[1] += t[b as usize];
        acc[2] += t[c as usize];
        acc[3] += t[e as usize];
    }
    acc
}

/// Sum of the table entries a code selects: the ADC distance (plus
/// whatever the table's terms include), summed in the same order as one
/// lane of [`adc4_256`], so the tail of a list scores bit-identically to
/// its body.
#[inline]
pub(crate) fn adc_seq(table: &[f32], ksub: usize, code: &[u8]) -> f32 {
    code.iter()
        .zip(table.chunks_exact(ksub))
        .map(|(&c, t)| t[c as usize])
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::kmeans::SplitMix64;

    fn random(n: usize, d: usize, seed: u64) -> Vec<f32> {
        let mut r = SplitMix64::new(seed);
        (0..n * d).map(|_| r.unit() as f32 * 2.0 - 1.0).collect()
    }

    #[test]
    fn shape_checks() {
        assert_eq!(
            ProductQuantizer::check_shape(10, 3, 8).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert!(ProductQuantizer::check_shape(10, 5, 8).is_ok());
        assert!(ProductQuantizer::check_shape(10, 5, 9).is_err());
        assert!(ProductQuantizer::check_shape(10, 0, 8).is_err());
        let x = random(100, 10, 1);
        let e = ProductQuantizer::train(&x, 100, 10, 5, 8, &KMeansParams::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn encode_decode_reduces_error_and_adc_matches() {
        let (n, d, m) = (2000, 12, 4);
        let x = random(n, d, 3);
        let p = KMeansParams {
            iters: 10,
            ..KMeansParams::default()
        };
        for nbits in [4, 8] {
            let pq = ProductQuantizer::train(&x, n, d, m, nbits, &p).unwrap();
            let mut code = vec![0u8; m];
            let mut scratch = vec![0f32; m * pq.ksub];
            let mut back = vec![0f32; d];
            let mut err = 0.0;
            let mut energy = 0.0;
            for row in x.chunks_exact(d).take(200) {
                pq.encode(row, &mut code, &mut scratch);
                pq.decode(&code, &mut back);
                err += l2_sq(row, &back);
                energy += dot(row, row);
            }
            assert!(err < 0.5 * energy, "nbits {nbits}: {err} vs {energy}");

            // ADC through the table equals the distance to the decoded code.
            let q = random(1, d, 9);
            let mut table = vec![0f32; m * pq.ksub];
            pq.l2_table(&q, &mut table);
            pq.encode(&x[..d], &mut code, &mut scratch);
            pq.decode(&code, &mut back);
            let want = l2_sq(&q, &back);
            assert!((adc_seq(&table, pq.ksub, &code) - want).abs() < 1e-4);
            pq.ip_table(&q, &mut table);
            assert!((adc_seq(&table, pq.ksub, &code) - dot(&q, &back)).abs() < 1e-4);
        }
    }

    #[test]
    fn four_codes_at_once_match_one_at_a_time_bit_for_bit() {
        let m = 7;
        let table = random(m, 256, 5);
        let mut r = SplitMix64::new(11);
        let codes: Vec<u8> = (0..4 * m).map(|_| (r.unit() * 256.0) as u8).collect();
        let four = adc4_256(&table, &codes);
        for (i, code) in codes.chunks_exact(m).enumerate() {
            assert_eq!(four[i].to_bits(), adc_seq(&table, 256, code).to_bits());
        }
    }
}

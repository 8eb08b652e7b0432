//! Both implementations against a naive f64 reference and each other, on
//! random inputs from a fixed-seed PRNG: every length from 0 to 70 plus
//! large ones, `d` not a multiple of 8, and slices starting at odd offsets
//! (unaligned).

use super::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn f32(&mut self) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 24) as f32) * 4.0 - 2.0
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.f32()).collect()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

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

/// Relative tolerance against a magnitude bound of the terms.
fn close(got: f32, want: f64, scale: f64) {
    let tol = 1e-5 * scale.max(1.0);
    assert!(
        (f64::from(got) - want).abs() <= tol,
        "got {got}, want {want} (tol {tol})"
    );
}

fn abs_sum(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x).abs() + f64::from(*y).abs()).powi(2))
        .sum()
}

#[test]
fn detection_is_consistent() {
    let all = Isa::all();
    assert_eq!(all[0], Isa::scalar());
    assert!(all.contains(&Isa::best()));
    assert!(all.contains(&Isa::active()));
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        assert_eq!(Isa::best().name(), "avx2");
    }
}

#[test]
fn pairwise_kernels_match_reference_unaligned() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let lens: Vec<usize> = (0..=70).chain([100, 127, 255, 256, 784, 1001]).collect();
    for &n in &lens {
        for off in [0usize, 1, 3] {
            let a = rng.vec(n + off);
            let b = rng.vec(n + 2 * off);
            let (a, b) = (&a[off..], &b[2 * off..2 * off + n]);
            let scale = abs_sum(a, b);
            for isa in Isa::all() {
                close(l2_sq_with(isa, a, b), naive_l2(a, b), scale);
                close(dot_with(isa, a, b), naive_dot(a, b), scale);
            }
        }
    }
}

#[test]
fn batch_kernels_match_pairwise() {
    let mut rng = Rng(42);
    for d in [1usize, 3, 5, 7, 8, 9, 16, 17, 49, 100, 784] {
        for rows in [0usize, 1, 3, 4, 5, 9, 33] {
            let q = rng.vec(d + 1);
            let q = &q[1..];
            let data = rng.vec(rows * d + 1);
            let data = &data[1..];
            for isa in Isa::all() {
                let mut out = vec![f32::NAN; rows];
                l2_sq_batch_with(isa, q, data, &mut out);
                for (r, &o) in out.iter().enumerate() {
                    let row = &data[r * d..(r + 1) * d];
                    close(o, naive_l2(q, row), abs_sum(q, row));
                }
                dot_batch_with(isa, q, data, &mut out);
                for (r, &o) in out.iter().enumerate() {
                    let row = &data[r * d..(r + 1) * d];
                    close(o, naive_dot(q, row), abs_sum(q, row));
                }
            }
        }
    }
}

#[test]
#[should_panic(expected = "l2_sq_batch")]
fn batch_rejects_ragged_data() {
    l2_sq_batch(&[1.0, 2.0], &[1.0, 2.0, 3.0], &mut [0.0]);
}

#[test]
fn adc_tables_match_direct_computation() {
    let mut rng = Rng(7);
    for (m, ksub, dsub) in [
        (1usize, 16usize, 1usize),
        (20, 256, 5),
        (16, 256, 49),
        (25, 16, 4),
        (3, 24, 3),
        (2, 5, 7),
    ] {
        let cents = rng.vec(m * ksub * dsub);
        let ct = transpose_codebooks(&cents, m, ksub, dsub);
        let q = rng.vec(m * dsub);
        for isa in Isa::all() {
            for l2 in [true, false] {
                let mut out = vec![f32::NAN; m * ksub];
                adc_table_with(isa, l2, &q, &ct, ksub, &mut out);
                for j in 0..m {
                    let qj = &q[j * dsub..(j + 1) * dsub];
                    for c in 0..ksub {
                        let cj = &cents[(j * ksub + c) * dsub..(j * ksub + c + 1) * dsub];
                        let want = if l2 {
                            naive_l2(qj, cj)
                        } else {
                            naive_dot(qj, cj)
                        };
                        close(out[j * ksub + c], want, abs_sum(qj, cj));
                    }
                }
            }
        }
    }
}

#[test]
fn dot_tile_matches_pairwise() {
    let mut rng = Rng(11);
    for (nx, nc, d) in [
        (1usize, 1usize, 1usize),
        (5, 7, 3),
        (2, 4, 8),
        (3, 9, 100),
        (16, 256, 5),
        (7, 13, 49),
        (4, 5, 784),
        (0, 3, 4),
        (3, 0, 4),
    ] {
        // Odd offsets: unaligned rows.
        let xs = rng.vec(nx * d + 1);
        let cs = rng.vec(nc * d + 3);
        let (x, c) = (&xs[1..], &cs[3..]);
        for isa in Isa::all() {
            let mut out = vec![f32::NAN; nx * nc];
            dot_tile_with(isa, x, c, d, &mut out);
            for i in 0..nx {
                for j in 0..nc {
                    let (xi, cj) = (&x[i * d..(i + 1) * d], &c[j * d..(j + 1) * d]);
                    close(out[i * nc + j], naive_dot(xi, cj), abs_sum(xi, cj));
                }
            }
        }
    }
}

#[test]
fn multi_query_adc_tables_match_single() {
    let mut rng = Rng(13);
    for (nq, m, ksub, dsub) in [
        (1usize, 20usize, 256usize, 5usize),
        (5, 16, 256, 49),
        (3, 25, 16, 4),
        (4, 3, 40, 3),
    ] {
        let d = m * dsub;
        let cents = rng.vec(m * ksub * dsub);
        let ct = transpose_codebooks(&cents, m, ksub, dsub);
        let qs = rng.vec(nq * d);
        for isa in Isa::all() {
            let mut out = vec![f32::NAN; nq * m * ksub];
            adc_tables_dot_with(isa, &qs, d, &ct, ksub, &mut out);
            for (q, o) in qs.chunks_exact(d).zip(out.chunks_exact(m * ksub)) {
                let mut want = vec![0.0; m * ksub];
                adc_table_with(Isa::scalar(), false, q, &ct, ksub, &mut want);
                for (j, (&g, &w)) in o.iter().zip(&want).enumerate() {
                    let (jj, c) = (j / ksub, j % ksub);
                    let cj = &cents[(jj * ksub + c) * dsub..(jj * ksub + c + 1) * dsub];
                    close(g, f64::from(w), abs_sum(&q[jj * dsub..(jj + 1) * dsub], cj));
                }
            }
        }
    }
}

#[test]
fn add_and_lut_quantization_are_identical_across_paths() {
    let mut rng = Rng(17);
    for m in [1usize, 2, 3, 20, 25, 64] {
        let tables = rng.vec(m * 16);
        let other = rng.vec(m * 16);
        let qmax = (65535 / (2 * m.div_ceil(2))).min(255) as f32;
        let mut want = (vec![0u8; m.div_ceil(2) * 32], (0.0, 0.0));
        let mut want_sum = vec![0f32; m * 16];
        for (n, isa) in Isa::all().into_iter().enumerate() {
            let mut bytes = vec![0u8; m.div_ceil(2) * 32];
            let bs = quantize_lut_with(isa, &tables, qmax, &mut bytes);
            let mut sum = vec![0f32; m * 16];
            add_with(isa, &tables, &other, &mut sum);
            if n == 0 {
                want = (bytes, bs);
                want_sum = sum;
                // Scalar against the definition.
                for (j, t) in tables.chunks_exact(16).enumerate() {
                    let lo = t.iter().copied().fold(f32::INFINITY, f32::min);
                    for (c, &v) in t.iter().enumerate() {
                        let q = ((v - lo) * bs.1 + 0.5).min(qmax) as u8;
                        assert_eq!(want.0[(j / 2) * 32 + (j % 2) * 16 + c], q);
                    }
                }
            } else {
                assert_eq!((bytes, bs), want, "m={m} {}", isa.name());
                assert_eq!(sum, want_sum, "m={m} {}", isa.name());
            }
        }
    }
}

#[test]
fn pq8_scan_matches_naive() {
    let mut rng = Rng(11);
    for m in [1usize, 2, 3, 4, 5, 8, 16, 20, 33] {
        let n = 57;
        let table = rng.vec(m * 256);
        let codes: Vec<u8> = (0..n * m).map(|_| rng.below(256) as u8).collect();
        for isa in Isa::all() {
            let mut out = vec![0.0; n];
            pq8_scan_with(isa, &codes, m, &table, &mut out);
            for (i, &o) in out.iter().enumerate() {
                let want: f64 = (0..m)
                    .map(|j| f64::from(table[j * 256 + usize::from(codes[i * m + j])]))
                    .sum();
                close(o, want, 4.0 * m as f64);
            }
        }
    }
}

#[test]
fn sq8_matches_decoded_reference() {
    let mut rng = Rng(13);
    for d in [1usize, 7, 8, 9, 15, 16, 17, 100, 784] {
        let q = rng.vec(d + 1);
        let q = &q[1..];
        let code: Vec<u8> = (0..d + 1).map(|_| rng.below(256) as u8).collect();
        let code = &code[1..];
        let bias = rng.vec(d);
        let scale: Vec<f32> = (0..d).map(|_| rng.f32().abs() / 255.0).collect();
        let dec: Vec<f32> = (0..d)
            .map(|i| bias[i] + scale[i] * f32::from(code[i]))
            .collect();
        for isa in Isa::all() {
            close(
                sq8_with(isa, true, q, code, &bias, &scale),
                naive_l2(q, &dec),
                abs_sum(q, &dec),
            );
            close(
                sq8_with(isa, false, q, code, &bias, &scale),
                naive_dot(q, &dec),
                abs_sum(q, &dec),
            );
        }
    }
}

/// Timing harness for exploration (not a benchmark of record):
/// `cargo test --release -p vecsearch simd_timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn simd_timing() {
    use std::hint::black_box;
    use std::time::Instant;
    let mut rng = Rng(1);
    let time = |name: &str, isa: Isa, reps: usize, per: usize, f: &mut dyn FnMut()| {
        f();
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        let ns = t.elapsed().as_nanos() as f64 / (reps * per) as f64;
        println!("{name:<28} {:<7} {ns:9.3} ns/item", isa.name());
    };
    for d in [100usize, 784] {
        let q = rng.vec(d);
        let data = rng.vec(256 * d);
        let mut out = vec![0.0; 256];
        for isa in Isa::all() {
            time(&format!("l2_sq d={d}"), isa, 20000, 256, &mut || {
                for row in data.chunks_exact(d) {
                    black_box(l2_sq_with(isa, black_box(&q), row));
                }
            });
            time(
                &format!("l2_sq_batch d={d} x256"),
                isa,
                20000,
                256,
                &mut || {
                    l2_sq_batch_with(isa, black_box(&q), &data, &mut out);
                },
            );
        }
    }
    for (m, dsub) in [(20usize, 5usize), (16, 49)] {
        let cents = rng.vec(m * 256 * dsub);
        let ct = transpose_codebooks(&cents, m, 256, dsub);
        let q = rng.vec(m * dsub);
        let mut out = vec![0.0; m * 256];
        for isa in Isa::all() {
            time(
                &format!("adc_table m={m} dsub={dsub}"),
                isa,
                20000,
                1,
                &mut || {
                    adc_table_with(isa, true, black_box(&q), &ct, 256, &mut out);
                },
            );
        }
    }
    for m in [16usize, 20] {
        let n = 4096;
        let table = rng.vec(m * 256);
        let codes: Vec<u8> = (0..n * m).map(|_| rng.below(256) as u8).collect();
        let mut out = vec![0.0; n];
        for isa in Isa::all() {
            time(&format!("pq8_scan m={m}"), isa, 2000, n, &mut || {
                pq8_scan_with(isa, black_box(&codes), m, &table, &mut out);
            });
        }
        let pairs = m.div_ceil(2);
        let packed: Vec<u8> = (0..n / 32 * pairs * 32)
            .map(|_| rng.below(256) as u8)
            .collect();
        let lut: Vec<u8> = (0..pairs * 32).map(|_| rng.below(256) as u8).collect();
        let mut sums = vec![0u16; n];
        for isa in Isa::all() {
            time(&format!("pq4_scan m={m}"), isa, 2000, n, &mut || {
                pq4_scan_with(isa, black_box(&packed), pairs, &lut, &mut sums);
            });
        }
    }
    for d in [100usize, 784] {
        let q = rng.vec(d);
        let code: Vec<u8> = (0..d).map(|_| rng.below(256) as u8).collect();
        let bias = rng.vec(d);
        let scale = rng.vec(d);
        for isa in Isa::all() {
            time(&format!("sq8_l2 d={d}"), isa, 200000, 1, &mut || {
                black_box(sq8_with(isa, true, black_box(&q), &code, &bias, &scale));
            });
        }
    }
}

//! A/B harness for a shared, loaded machine: loads saved IVF-PQ indexes
//! (e.g. the cache files of `ivfpq_sweep`) and, per (index, refine,
//! nprobe), searches every query of a texmex dataset one call per query,
//! `ROUNDS` times. It prints one JSON line per point with recall@10, a
//! hash of every label and distance (two library builds must agree
//! bit for bit), and the per-query **on-CPU** time of each round, read
//! from `/proc/thread-self/schedstat` (Linux): time spent waiting for a
//! core while other work runs is not counted, so runs of two builds
//! interleaved on a busy machine compare better than by wall time (also
//! printed). Queries are normalised (angular datasets, as the indexes of
//! `ivfpq_sweep ... angular` expect).
//!
//! ```text
//! REFINES=0,4 NPROBES=1,4,16,64 cargo run --release --example ivfpq_oncpu -- DIR ROUNDS INDEX_FILE...
//! ```

use std::path::Path;
use std::time::Instant;
use texmex::{normalise, read_vecs};
use vecsearch::SearchParams;

mod texmex;

/// Nanoseconds this thread has run on a CPU.
fn oncpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect()
}

fn fnv(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = Path::new(&a[1]);
    let rounds: usize = a[2].parse().unwrap();
    let (d, q) = read_vecs(&dir.join("query.fvecs"));
    let mut q: Vec<f32> = q.into_iter().map(f32::from_bits).collect();
    normalise(&mut q, d);
    let (gk, gt) = read_vecs(&dir.join("groundtruth.ivecs"));
    let nq = q.len() / d;
    let k = 10;
    for file in &a[3..] {
        let idx = vecsearch::persist::load(Path::new(file)).expect("load");
        let st = idx.stats();
        for rf in env_list("REFINES", "0,4") {
            for nprobe in env_list("NPROBES", "1,4,16,64") {
                let p = SearchParams {
                    nprobe,
                    refine_factor: rf,
                    threads: 1,
                    ..SearchParams::default()
                };
                let mut labels = vec![0i64; nq * k];
                let mut dists = vec![0f32; nq * k];
                let pass = |labels: &mut [i64], dists: &mut [f32], n: usize| {
                    let rows = labels.chunks_exact_mut(k).zip(dists.chunks_exact_mut(k));
                    for (qv, (l, s)) in q.chunks_exact(d).zip(rows).take(n) {
                        idx.search_with(qv, k, &p, l, s).unwrap();
                    }
                };
                pass(&mut labels, &mut dists, 100); // warm-up
                let (mut cpu, mut wall) = (Vec::new(), Vec::new());
                for _ in 0..rounds {
                    let (c0, t0) = (oncpu_ns(), Instant::now());
                    pass(&mut labels, &mut dists, nq);
                    wall.push(t0.elapsed().as_nanos() as f64 / nq as f64 / 1e3);
                    cpu.push((oncpu_ns() - c0) as f64 / nq as f64 / 1e3);
                }
                let hits: usize = labels
                    .chunks_exact(k)
                    .zip(gt.chunks_exact(gk))
                    .map(|(l, g)| {
                        l.iter()
                            .filter(|&&id| g[..k].contains(&(id as u32)))
                            .count()
                    })
                    .sum();
                let mut h = 0xcbf2_9ce4_8422_2325u64;
                labels.iter().for_each(|x| fnv(&mut h, &x.to_le_bytes()));
                dists
                    .iter()
                    .for_each(|x| fnv(&mut h, &x.to_bits().to_le_bytes()));
                cpu.sort_by(f64::total_cmp);
                wall.sort_by(f64::total_cmp);
                println!(
                    "{{\"nbits\":{},\"m\":{},\"nprobe\":{nprobe},\"refine\":{rf},\"recall\":{:.4},\"hash\":\"{h:016x}\",\"cpu_us\":{cpu:?},\"wall_us\":{wall:?},\"cpu_med\":{:.3},\"wall_med\":{:.3}}}",
                    st.nbits,
                    st.m,
                    hits as f64 / (nq * k) as f64,
                    cpu[rounds / 2],
                    wall[rounds / 2]
                );
            }
        }
    }
}

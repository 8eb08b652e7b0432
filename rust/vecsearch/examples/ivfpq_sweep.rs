//! Development harness: trains (or loads a cached) IVF-PQ index on a texmex
//! dataset and sweeps `nprobe`, printing recall@10 and single-thread QPS.
//!
//! ```text
//! cargo run --release --example ivfpq_sweep -- DIR NLIST M NBITS REFINE_STORAGE(none|f32|sq8) \
//!     CACHE_FILE [NPROBE,...] [REFINE,...] [angular]
//! ```
//!
//! Timings here are indicative only; `bin/starling-bench ann` is the
//! benchmark of record.

use std::path::Path;
use std::time::Instant;
use texmex::{normalise, read_vecs};
use vecsearch::{Index, IvfPqIndex, IvfPqParams, Metric, RefineStorage, SearchParams};

mod texmex;

fn list(s: Option<&String>, def: &str) -> Vec<usize> {
    s.map_or(def, |v| v.as_str())
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = Path::new(&a[1]);
    let (nlist, m, nbits): (usize, usize, usize) = (
        a[2].parse().unwrap(),
        a[3].parse().unwrap(),
        a[4].parse().unwrap(),
    );
    let refine = match a[5].as_str() {
        "f32" => RefineStorage::F32,
        "sq8" => RefineStorage::Sq8,
        _ => RefineStorage::None,
    };
    let cache = Path::new(&a[6]);
    let nprobes = list(a.get(7), "1,2,4,8,16,32,64");
    let refines = list(a.get(8), "0");
    let angular = a.get(9).is_some_and(|v| v == "angular");
    let (d, base) = read_vecs(&dir.join("base.fvecs"));
    let mut base: Vec<f32> = base.into_iter().map(f32::from_bits).collect();
    let (_, q) = read_vecs(&dir.join("query.fvecs"));
    let mut q: Vec<f32> = q.into_iter().map(f32::from_bits).collect();
    if angular {
        normalise(&mut base, d);
        normalise(&mut q, d);
    }
    let (gk, gt) = read_vecs(&dir.join("groundtruth.ivecs"));
    let n = base.len() / d;
    let nq = q.len() / d;
    let k = 10;
    let idx: Box<dyn Index> = if cache.exists() {
        vecsearch::persist::load(cache).expect("load")
    } else {
        let idx = IvfPqIndex::new(IvfPqParams {
            nbits,
            refine,
            train_threads: 1,
            ..IvfPqParams::new(d, Metric::L2, nlist, m)
        })
        .unwrap();
        let t = Instant::now();
        idx.train(&base).unwrap();
        let tt = t.elapsed().as_secs_f64();
        let t = Instant::now();
        idx.add(&base, &(0..n as i64).collect::<Vec<_>>()).unwrap();
        eprintln!("train {tt:.2}s add {:.2}s", t.elapsed().as_secs_f64());
        vecsearch::persist::save(&idx, cache).unwrap();
        Box::new(idx)
    };
    eprintln!("bytes/vector {:.1}", idx.memory_bytes() as f64 / n as f64);
    let mut labels = vec![0i64; nq * k];
    let mut dists = vec![0f32; nq * k];
    for &rf in &refines {
        for &nprobe in &nprobes {
            let p = SearchParams {
                nprobe,
                refine_factor: rf,
                threads: 1,
                ..SearchParams::default()
            };
            idx.search_with(
                &q[..100 * d],
                k,
                &p,
                &mut labels[..100 * k],
                &mut dists[..100 * k],
            )
            .unwrap();
            let mut best = f64::INFINITY;
            for _ in 0..3 {
                let t = Instant::now();
                idx.search_with(&q, k, &p, &mut labels, &mut dists).unwrap();
                best = best.min(t.elapsed().as_secs_f64());
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
            println!(
                "nprobe={nprobe:3} refine={rf:2} recall@10={:.4} qps={:.0} us/q={:.1}",
                hits as f64 / (nq * k) as f64,
                nq as f64 / best,
                best * 1e6 / nq as f64
            );
        }
    }
}

//! IVF-PQ tests: bad input of every kind, exactness properties on small
//! synthetic data, removal/exclusion, persistence, concurrency, and recall
//! on the real data set when it is present.

use super::lists::InvList;
use super::*;
use crate::distance::dot;
use crate::kmeans::SplitMix64;
use crate::persist;

fn random(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut r = SplitMix64::new(seed);
    (0..n * d).map(|_| r.unit() as f32 * 2.0 - 1.0).collect()
}

fn params(d: usize, metric: Metric, nlist: usize, m: usize) -> IvfPqParams {
    IvfPqParams {
        nbits: 6,
        kmeans_iters: 8,
        train_threads: 2,
        ..IvfPqParams::new(d, metric, nlist, m)
    }
}

/// A small trained index holding `n` random vectors with ids `0..n`.
fn built(metric: Metric, refine: RefineStorage, n: usize) -> (IvfPqIndex, Vec<f32>) {
    let d = 8;
    let idx = IvfPqIndex::new(IvfPqParams {
        refine,
        ..params(d, metric, 8, 4)
    })
    .unwrap();
    let x = random(n, d, 11);
    idx.train(&x).unwrap();
    idx.add(&x, &(0..n as i64).collect::<Vec<_>>()).unwrap();
    (idx, x)
}

fn kind<T: std::fmt::Debug>(r: Result<T, Error>) -> ErrorKind {
    r.unwrap_err().kind()
}

#[test]
fn bad_parameters() {
    let ok = params(8, Metric::L2, 4, 4);
    assert!(IvfPqIndex::new(ok).is_ok());
    for bad in [
        IvfPqParams { dim: 0, ..ok },
        IvfPqParams { m: 3, ..ok },
        IvfPqParams { m: 0, ..ok },
        IvfPqParams { nbits: 9, ..ok },
        IvfPqParams { nlist: 0, ..ok },
    ] {
        assert_eq!(
            IvfPqIndex::new(bad).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument),
            "{bad:?}"
        );
    }
    // d need not be a multiple of 8: 10 with m = 5 is fine.
    assert!(IvfPqIndex::new(params(10, Metric::L2, 4, 5)).is_ok());
}

#[test]
fn untrained_and_training_errors() {
    let idx = IvfPqIndex::new(params(8, Metric::L2, 16, 4)).unwrap();
    let mut l = [0; 1];
    let mut s = [0.0; 1];
    assert_eq!(kind(idx.add(&[0.0; 8], &[1])), ErrorKind::NotTrained);
    assert_eq!(
        kind(idx.search(&[0.0; 8], 1, &mut l, &mut s)),
        ErrorKind::NotTrained
    );
    assert_eq!(idx.remove(&[1]).unwrap(), 0);
    assert!(!idx.is_trained());
    // Fewer points than centroids (nlist 16, and 2^6 PQ centroids).
    assert_eq!(
        kind(idx.train(&random(10, 8, 1))),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(idx.train(&random(40, 8, 1))),
        ErrorKind::InvalidArgument
    );
    assert_eq!(kind(idx.train(&[0.0; 7])), ErrorKind::Dimension);
    let mut nan = random(100, 8, 1);
    nan[5] = f32::NAN;
    assert_eq!(kind(idx.train(&nan)), ErrorKind::InvalidArgument);
    nan[5] = f32::INFINITY;
    assert_eq!(kind(idx.train(&nan)), ErrorKind::InvalidArgument);
    idx.train(&random(100, 8, 1)).unwrap();
    assert!(idx.is_trained());
    assert_eq!(
        kind(idx.train(&random(100, 8, 1))),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn bad_search_input() {
    let (idx, _) = built(Metric::L2, RefineStorage::None, 300);
    let q = [0.1f32; 8];
    let mut l = [0; 4];
    let mut s = [0.0; 4];
    let p = |nprobe| SearchParams {
        nprobe,
        ..SearchParams::default()
    };
    assert_eq!(
        kind(idx.search_with(&q, 0, &p(1), &mut [], &mut [])),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(idx.search_with(&q, 4, &p(0), &mut l, &mut s)),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(idx.search_with(&q, 4, &p(9), &mut l, &mut s)),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(idx.search_with(&q[..7], 4, &p(1), &mut l, &mut s)),
        ErrorKind::Dimension
    );
    let mut qn = q;
    qn[3] = f32::NAN;
    assert_eq!(
        kind(idx.search_with(&qn, 4, &p(1), &mut l, &mut s)),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind(idx.search_with(&q, 4, &p(1), &mut l[..3], &mut s)),
        ErrorKind::InvalidArgument
    );
    // k larger than the index.
    let mut big_l = vec![0; 301];
    let mut big_s = vec![0.0; 301];
    assert_eq!(
        kind(idx.search_with(&q, 301, &p(8), &mut big_l, &mut big_s)),
        ErrorKind::InvalidArgument
    );
    // Unsorted exclusion list; re-rank without storage.
    let ex = SearchParams {
        exclude: &[5, 2],
        ..p(1)
    };
    assert_eq!(
        kind(idx.search_with(&q, 4, &ex, &mut l, &mut s)),
        ErrorKind::InvalidArgument
    );
    let rr = SearchParams {
        refine_factor: 2,
        ..p(1)
    };
    assert_eq!(
        kind(idx.search_with(&q, 4, &rr, &mut l, &mut s)),
        ErrorKind::Unsupported
    );
    // Add errors.
    assert_eq!(kind(idx.add(&q, &[-1])), ErrorKind::InvalidArgument);
    assert_eq!(kind(idx.add(&q, &[1, 2])), ErrorKind::InvalidArgument);
    assert_eq!(idx.len(), 300);
}

/// With every list probed and f32 re-rank deep enough to cover the whole
/// index, the answer is exact.
#[test]
fn full_probe_with_f32_rerank_is_exact() {
    for metric in [Metric::L2, Metric::InnerProduct, Metric::Cosine] {
        let (idx, x) = built(metric, RefineStorage::F32, 300);
        let d = 8;
        let q = random(5, d, 77);
        let k = 5;
        let mut l = vec![0; 5 * k];
        let mut s = vec![0.0; 5 * k];
        let p = SearchParams {
            nprobe: 8,
            refine_factor: 60,
            threads: 2,
            exclude: &[],
        };
        assert_eq!(idx.search_with(&q, k, &p, &mut l, &mut s).unwrap(), k);
        for (qi, qv) in q.chunks_exact(d).enumerate() {
            let mut qn = qv.to_vec();
            if metric == Metric::Cosine {
                crate::distance::normalize(&mut qn);
            }
            let mut all: Vec<(f32, i64)> = x
                .chunks_exact(d)
                .enumerate()
                .map(|(i, v)| {
                    let mut v = v.to_vec();
                    if metric == Metric::Cosine {
                        crate::distance::normalize(&mut v);
                    }
                    let sc = match metric {
                        Metric::InnerProduct => -dot(&qn, &v),
                        _ => crate::distance::l2_sq(&qn, &v),
                    };
                    (sc, i as i64)
                })
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let want: Vec<i64> = all[..k].iter().map(|p| p.1).collect();
            assert_eq!(&l[qi * k..(qi + 1) * k], &want[..], "{metric:?} q{qi}");
        }
    }
}

/// Without re-rank, the reported distance is the ADC distance to the
/// decoded vector (centroid + PQ reconstruction), exactly as FAISS defines it.
#[test]
fn adc_distances_match_reconstruction() {
    let (idx, _) = built(Metric::L2, RefineStorage::None, 300);
    let t = idx.state.get().unwrap();
    let q = random(1, 8, 5);
    let mut l = [0; 3];
    let mut s = [0.0; 3];
    let p = SearchParams {
        nprobe: 8,
        ..SearchParams::default()
    };
    idx.search_with(&q, 3, &p, &mut l, &mut s).unwrap();
    let g = t.read();
    for (j, &id) in l.iter().enumerate() {
        let (li, pos) = g
            .lists
            .iter()
            .enumerate()
            .find_map(|(li, list)| list.ids.iter().position(|&x| x == id).map(|p| (li, p)))
            .unwrap();
        let mut rec = vec![0.0; 8];
        let codes = g.lists[li].codes.bytes().unwrap();
        t.pq.decode(&codes[pos * 4..(pos + 1) * 4], &mut rec);
        for (r, c) in rec.iter_mut().zip(&t.coarse[li * 8..(li + 1) * 8]) {
            *r += c;
        }
        let want = crate::distance::l2_sq(&q, &rec);
        assert!((want - s[j]).abs() < 1e-4, "{want} vs {}", s[j]);
    }
}

#[test]
fn remove_exclude_compact_and_sq8() {
    let (idx, x) = built(Metric::L2, RefineStorage::Sq8, 300);
    let q = &x[..8]; // vector 0 itself
    let mut l = [0; 3];
    let mut s = [0.0; 3];
    let p = SearchParams {
        nprobe: 8,
        refine_factor: 4,
        ..SearchParams::default()
    };
    idx.search_with(q, 3, &p, &mut l, &mut s).unwrap();
    assert_eq!(l[0], 0);
    assert!(
        s[0] < 1e-3,
        "SQ8 re-rank distance of a vector to itself: {}",
        s[0]
    );
    // Exclusion.
    let ex = SearchParams {
        exclude: &[0, l[1]],
        ..p
    };
    let second = l[2];
    idx.search_with(q, 3, &ex, &mut l, &mut s).unwrap();
    assert!(!l.contains(&0));
    assert_eq!(l[0], second);
    // Removal: tombstones, then compaction.
    let mem_before = idx.memory_bytes();
    assert_eq!(idx.remove(&[0, 0, 1, 2, 999, -5]).unwrap(), 3);
    assert_eq!(idx.len(), 297);
    assert_eq!(idx.stats().tombstones, 3);
    idx.search_with(q, 3, &p, &mut l, &mut s).unwrap();
    assert!(!l.contains(&0) && !l.contains(&1) && !l.contains(&2));
    let all: Vec<i64> = (0..300).collect();
    assert_eq!(idx.remove(&all[..150]).unwrap(), 147);
    idx.compact().unwrap();
    let st = idx.stats();
    assert_eq!((st.len, st.tombstones), (150, 0));
    assert!(idx.memory_bytes() < mem_before);
    idx.search_with(q, 3, &p, &mut l, &mut s).unwrap();
    assert!(l.iter().all(|&id| id >= 150));
    // Re-add after compaction.
    idx.add(&x[..8], &[0]).unwrap();
    idx.search_with(q, 1, &p, &mut l[..1], &mut s[..1]).unwrap();
    assert_eq!(l[0], 0);
}

#[test]
fn memory_without_rerank_is_codes_plus_ids() {
    let (idx, _) = built(Metric::L2, RefineStorage::None, 2000);
    idx.compact().unwrap(); // no-op
    let t = idx.state.get().unwrap();
    let tables = (t.coarse.len() + t.coarse_norms.len() + t.term1.len() + t.pq.centroids.len()) * 4;
    let g = t.read();
    let lists: usize = g.lists.iter().map(InvList::heap_bytes).sum();
    // Vec growth may over-allocate up to 2x; the per-vector payload is m + 8.
    assert!(lists <= 2 * 2000 * (4 + 8), "{lists}");
    drop(g);
    assert!(idx.memory_bytes() >= tables + 2000 * (4 + 8));
}

#[test]
fn persistence_round_trip_and_corruption() {
    for refine in [RefineStorage::None, RefineStorage::F32, RefineStorage::Sq8] {
        let (idx, x) = built(Metric::Cosine, refine, 300);
        idx.remove(&[7]).unwrap();
        let bytes = persist::to_bytes(&idx).unwrap();
        let back = persist::from_bytes(&bytes).unwrap();
        assert_eq!(back.stats(), Index::stats(&idx));
        let p = SearchParams {
            nprobe: 4,
            refine_factor: usize::from(refine != RefineStorage::None) * 3,
            ..SearchParams::default()
        };
        let (mut l1, mut s1, mut l2, mut s2) = ([0; 20], [0.0; 20], [0; 20], [0.0; 20]);
        idx.search_with(&x[..32], 5, &p, &mut l1, &mut s1).unwrap();
        back.search_with(&x[..32], 5, &p, &mut l2, &mut s2).unwrap();
        assert_eq!((l1, s1), (l2, s2));
        // Every truncation is an error (a sample of cut points).
        for cut in (0..bytes.len()).step_by(97) {
            assert_eq!(
                persist::from_bytes(&bytes[..cut]).err().unwrap().kind(),
                ErrorKind::Corrupt
            );
        }
        let mut flipped = bytes.clone();
        flipped[40] ^= 1;
        assert_eq!(
            persist::from_bytes(&flipped).err().unwrap().kind(),
            ErrorKind::Corrupt
        );
    }
    // An untrained index round-trips too.
    let idx = IvfPqIndex::new(params(8, Metric::L2, 4, 4)).unwrap();
    let back = persist::from_bytes(&persist::to_bytes(&idx).unwrap()).unwrap();
    assert!(!back.is_trained());
    assert_eq!(back.kind(), IndexKind::IvfPq);
}

/// 4-bit codes are kept only packed (m / 2 code bytes + the id per
/// vector), persisted packed (format 2), and version-1 files (byte codes)
/// still load to the same index.
#[test]
fn four_bit_lists_are_packed_only_and_persist_in_both_formats() {
    let (d, n, m) = (16, 3000, 8);
    let x = random(n, d, 21);
    let idx = IvfPqIndex::new(IvfPqParams {
        nbits: 4,
        ..params(d, Metric::L2, 8, m)
    })
    .unwrap();
    idx.train(&x).unwrap();
    idx.add(&x, &(0..n as i64).collect::<Vec<_>>()).unwrap();
    idx.remove(&[3, 5]).unwrap();
    {
        let t = idx.state.get().unwrap();
        let g = t.read();
        assert!(g.lists.iter().all(|l| l.codes.bytes().is_none()));
        let lists: usize = g.lists.iter().map(InvList::heap_bytes).sum();
        // Packed codes round up to 32-vector blocks per list; Vec growth
        // may over-allocate up to 2x.
        assert!(lists <= 2 * (n * (m / 2 + 8) + 8 * 32 * m / 2), "{lists}");
    }
    let p = SearchParams {
        nprobe: 4,
        ..SearchParams::default()
    };
    let (mut l1, mut s1) = ([0i64; 50], [0f32; 50]);
    idx.search_with(&x[..5 * d], 10, &p, &mut l1, &mut s1)
        .unwrap();
    for version in [1, persist::VERSION] {
        let bytes = persist::frame(IndexKind::IvfPq, version, &idx.payload_in(version).unwrap());
        let back = persist::from_bytes(&bytes).unwrap();
        assert_eq!(back.stats(), Index::stats(&idx), "version {version}");
        let (mut l2, mut s2) = ([0i64; 50], [0f32; 50]);
        back.search_with(&x[..5 * d], 10, &p, &mut l2, &mut s2)
            .unwrap();
        assert_eq!((l1, s1), (l2, s2), "version {version}");
        for cut in (0..bytes.len()).step_by(131) {
            assert_eq!(
                persist::from_bytes(&bytes[..cut]).err().unwrap().kind(),
                ErrorKind::Corrupt
            );
        }
    }
    // Compaction repacks; results stay the same.
    idx.compact().unwrap();
    let (mut l3, mut s3) = ([0i64; 50], [0f32; 50]);
    idx.search_with(&x[..5 * d], 10, &p, &mut l3, &mut s3)
        .unwrap();
    assert_eq!((l1, s1), (l3, s3));
}

#[test]
fn concurrent_searches_adds_removes() {
    let (idx, x) = built(Metric::L2, RefineStorage::F32, 300);
    let d = 8;
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..200 {
                idx.add(&x[(i % 300) * d..(i % 300 + 1) * d], &[1000 + i as i64])
                    .unwrap();
                if i % 10 == 0 {
                    idx.remove(&[1000 + i as i64 - 5]).unwrap();
                }
                if i % 50 == 0 {
                    idx.compact().unwrap();
                }
            }
        });
        for t in 0..2 {
            let idx = &idx;
            let x = &x;
            s.spawn(move || {
                let mut l = [0; 4];
                let mut sc = [0.0; 4];
                let p = SearchParams {
                    nprobe: 8,
                    refine_factor: 2,
                    ..SearchParams::default()
                };
                for i in 0..200 {
                    let qi = (i * 7 + t) % 300;
                    idx.search_with(&x[qi * d..(qi + 1) * d], 4, &p, &mut l, &mut sc)
                        .unwrap();
                    assert!(sc.windows(2).all(|w| w[0] <= w[1]));
                    assert!(l.iter().all(|&id| id >= 0));
                }
            });
        }
    });
}

// ---- real data ----------------------------------------------------------

/// The real-data directory: `STARLING_TEST_DATA` or `../../../shared/data`
/// relative to the crate, if it holds posts-fasttext.
pub(super) fn data_root() -> Option<std::path::PathBuf> {
    let root = std::env::var_os("STARLING_TEST_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
        });
    root.join("posts-fasttext-100-angular/base.fvecs")
        .exists()
        .then_some(root)
}

/// A texmex file's values (as bits), rows and dimension.
pub(super) fn read_vecs(path: &std::path::Path) -> (Vec<u32>, usize, usize) {
    let b = std::fs::read(path).unwrap();
    let dim = u32::from_le_bytes(b[..4].try_into().unwrap()) as usize;
    let row = 4 * (dim + 1);
    let rows = b.len() / row;
    let mut out = Vec::with_capacity(rows * dim);
    for r in 0..rows {
        for i in 1..=dim {
            let at = r * row + 4 * i;
            out.push(u32::from_le_bytes(b[at..at + 4].try_into().unwrap()));
        }
    }
    (out, rows, dim)
}

/// posts-fasttext as L2 on unit vectors, nlist 256, m 20, 8 bits: recall@10
/// must stay where it was measured (the PQ error dominates: nprobe 16 and 64
/// differ little; SQ8 re-rank recovers most of it). The
/// thresholds sit a little under the values measured when this test was
/// written, so a quantization regression fails it.
#[test]
fn recall_on_posts_fasttext() {
    let Some(root) = data_root() else {
        eprintln!("skipping recall test: no data (set STARLING_TEST_DATA)");
        return;
    };
    let dir = root.join("posts-fasttext-100-angular");
    let (base, n, d) = read_vecs(&dir.join("base.fvecs"));
    let base: Vec<f32> = base.into_iter().map(f32::from_bits).collect();
    let (query, nq, _) = read_vecs(&dir.join("query.fvecs"));
    let query: Vec<f32> = query.into_iter().map(f32::from_bits).collect();
    let (gt, _, gtk) = read_vecs(&dir.join("groundtruth.ivecs"));
    let nq = nq.min(500);
    let idx = IvfPqIndex::new(IvfPqParams {
        refine: RefineStorage::Sq8,
        kmeans_iters: std::env::var("VS_ITERS").map_or(10, |v| v.parse().unwrap()),
        train_threads: 2,
        ..IvfPqParams::new(d, Metric::L2, 256, 20)
    })
    .unwrap();
    // Train on a subset to keep the test quick.
    let ntrain = std::env::var("VS_NTRAIN").map_or(30_000, |v| v.parse().unwrap());
    let t0 = std::time::Instant::now();
    idx.train(&base[..ntrain * d]).unwrap();
    eprintln!("train {:?}", t0.elapsed());
    idx.add(&base, &(0..n as i64).collect::<Vec<_>>()).unwrap();
    let k = 10;
    let recall = |nprobe: usize, refine_factor: usize| {
        let mut l = vec![0; nq * k];
        let mut s = vec![0.0; nq * k];
        let p = SearchParams {
            nprobe,
            refine_factor,
            threads: 2,
            exclude: &[],
        };
        idx.search_with(&query[..nq * d], k, &p, &mut l, &mut s)
            .unwrap();
        let mut hits = 0;
        for q in 0..nq {
            let truth = &gt[q * gtk..q * gtk + k];
            hits += l[q * k..(q + 1) * k]
                .iter()
                .filter(|&&id| truth.contains(&(id as u32)))
                .count();
        }
        hits as f64 / (nq * k) as f64
    };
    let r16 = recall(16, 0);
    let r64 = recall(64, 0);
    let r16_rr = recall(16, 10);
    eprintln!(
        "posts-fasttext recall@10: nprobe16 {r16:.3}, nprobe64 {r64:.3}, nprobe16+sq8 rerank x10 {r16_rr:.3}"
    );
    // Measured with this configuration (30k training vectors, 10 k-means
    // iterations, first 500 queries): 0.575, 0.583, 0.944. Training on all
    // 100k with 25 iterations (VS_NTRAIN=100000 VS_ITERS=25) gives 0.622 at
    // nprobe 16.
    assert!(r16 >= 0.55, "recall@10 nprobe 16 = {r16}");
    assert!(r64 >= 0.56, "recall@10 nprobe 64 = {r64}");
    assert!(
        r16_rr >= 0.92,
        "recall@10 nprobe 16 with re-rank = {r16_rr}"
    );
}

#[test]
fn thread_scratch_is_reused_across_index_shapes() {
    // One thread searching indexes of different nlist, m, nbits, nprobe,
    // k and refine depth in turn: the cached scratch is resized each time
    // and never leaks one search's state into the next.
    let d = 8;
    let x = random(600, d, 21);
    let q = random(5, d, 22);
    let ids: Vec<i64> = (0..600).collect();
    let mk = |nlist, m, nbits, refine| {
        let idx = IvfPqIndex::new(IvfPqParams {
            nbits,
            refine,
            ..params(d, Metric::L2, nlist, m)
        })
        .unwrap();
        idx.train(&x).unwrap();
        idx.add(&x, &ids).unwrap();
        idx
    };
    let a = mk(16, 4, 8, RefineStorage::None);
    let b = mk(4, 8, 4, RefineStorage::Sq8);
    let run = |idx: &IvfPqIndex, k: usize, nprobe: usize, refine_factor: usize| {
        let (mut l, mut s) = (vec![0i64; 5 * k], vec![0f32; 5 * k]);
        let p = SearchParams {
            nprobe,
            refine_factor,
            ..SearchParams::default()
        };
        idx.search_with(&q, k, &p, &mut l, &mut s).unwrap();
        (l, s)
    };
    let first_a = run(&a, 7, 16, 0);
    let first_b = run(&b, 3, 2, 5);
    for _ in 0..3 {
        assert_eq!(run(&b, 3, 2, 5), first_b);
        assert_eq!(run(&a, 7, 16, 0), first_a);
        let _ = run(&a, 2, 1, 0);
        let _ = run(&b, 9, 4, 2);
    }
    // A fresh thread (empty scratch) agrees with the reused one.
    std::thread::scope(|s| {
        s.spawn(|| assert_eq!(run(&a, 7, 16, 0), first_a));
    });
}

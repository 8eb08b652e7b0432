"""FAISS side of `starling-bench ann --compare-faiss`.

Run by the Go harness (embedded in bin/starling-bench, written to a temporary
directory) with Debian's /usr/bin/python3, the interpreter python3-faiss
installs into. It builds the FAISS index the harness asks for, with the same
parameters as the Starling run, on the same .fvecs files, and measures it the
same way the harness measures Starling:

1. train on the whole base set (FAISS subsamples internally, 256 points per
   centroid), timed (train_s); add the whole base set with ids 0..n-1 (add_s);
2. per query-argument point (refine factor outer, nprobe / efSearch inner, in
   the order given): an untimed warm-up batch of the first 100 queries, a
   *batch pass* -- the whole query set in ONE index.search call, timed,
   --repeats times (qps = n_query / median batch_s) -- then a *per-query
   pass*, one index.search call per query, each timed (p50_us ...);
3. write the raw ids and distances of both passes to --out-dir as
   .ivecs/.fvecs and print one JSON line per point on stdout.

It computes no recall: the harness reads the raw ids, checks them (real base
rows, no duplicates, sorted) and computes recall itself, exactly as for
Starling. Progress goes to stderr. The clock is time.perf_counter_ns
(monotonic).

Angular: the vectors are normalised to unit length here (float32) and indexed
with L2, as the dataset README says and as the harness does for Starling.
"""

import argparse
import json
import math
import os
import sys
import time

import faiss
import numpy as np


# Size of the untimed warm-up batch before each point (warmupQueries in Go).
WARMUP_QUERIES = 100


def log(msg):
    print("faiss_ann: " + msg, file=sys.stderr, flush=True)


def int_list(s):
    out = [int(x) for x in s.split(",") if x.strip() != ""]
    if not out:
        raise argparse.ArgumentTypeError("empty list")
    return out


def read_fvecs(path):
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        raise SystemExit("%s: empty file" % path)
    d = int(raw[0])
    if d < 1 or raw.size % (d + 1) != 0:
        raise SystemExit("%s: not a texmex .fvecs file (d=%d)" % (path, d))
    rows = raw.reshape(-1, d + 1)
    if not (rows[:, 0] == d).all():
        raise SystemExit("%s: rows have mixed dimensions" % path)
    return np.ascontiguousarray(rows[:, 1:]).view("<f4").astype(np.float32)


def write_vecs(path, a, dtype):
    n, k = a.shape
    out = np.empty((n, k + 1), dtype="<i4")
    out[:, 0] = k
    out[:, 1:] = a.astype(dtype).view("<i4") if dtype == "<f4" else a.astype("<i4")
    out.tofile(path)


def normalize(x):
    norms = np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (x / norms).astype(np.float32)


def median(xs):
    """The middle value (mean of the middle two for an even count), as
    the Go harness's median."""
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def percentile(sorted_ns, q):
    """Nearest rank, the same rule as the Go harness's percentile."""
    i = int(math.ceil(q * len(sorted_ns))) - 1
    return sorted_ns[max(0, min(i, len(sorted_ns) - 1))]


def memory_bytes(top, ivf):
    """The index's serialized size, plus FAISS's precomputed L2 tables, which
    it keeps in memory but does not serialize. An estimate: FAISS has no heap
    accounting of its own."""
    n = int(faiss.serialize_index(top).size)
    if ivf is not None and getattr(ivf, "use_precomputed_table", 0) == 1:
        try:
            n += int(ivf.precomputed_table.size()) * 4
        except Exception:  # older SWIG wrappers: compute the size
            n += ivf.nlist * ivf.pq.M * ivf.pq.ksub * 4
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--base", required=True)
    p.add_argument("--query", required=True)
    p.add_argument("--metric", required=True, choices=["l2", "ip", "angular"])
    p.add_argument("--index", required=True, choices=["flat", "ivfpq", "ivfpq-fs", "hnsw"])
    p.add_argument("--dataset", default="")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--nlist", type=int, default=0)
    p.add_argument("--m", type=int, default=0)
    p.add_argument("--nbits", type=int, default=8)
    p.add_argument("--nprobe", type=int_list, default=[1])
    p.add_argument("--refine", type=int_list, default=[0])
    p.add_argument("--refine-storage", default="f32", choices=["f32", "sq8"])
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--kmeans-iters", type=int, default=25)
    p.add_argument("--hnsw-m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=40)
    p.add_argument("--ef-search", type=int_list, default=[16])
    p.add_argument("--out-dir", required=True)
    a = p.parse_args()

    faiss.omp_set_num_threads(a.threads)
    xb = read_fvecs(a.base)
    xq = read_fvecs(a.query)
    if xb.shape[1] != xq.shape[1]:
        raise SystemExit("queries have dimension %d, base %d" % (xq.shape[1], xb.shape[1]))
    if a.metric == "angular":
        xb, xq = normalize(xb), normalize(xq)
    n, d = xb.shape
    nq = xq.shape[0]
    k = a.k
    metric = faiss.METRIC_INNER_PRODUCT if a.metric == "ip" else faiss.METRIC_L2

    ivf = None
    build_args = {}
    if a.index == "flat":
        top = faiss.IndexFlat(d, metric)
    elif a.index == "hnsw":
        top = faiss.IndexHNSWFlat(d, a.hnsw_m, metric)
        top.hnsw.efConstruction = a.ef_construction
        build_args = {"M": a.hnsw_m, "ef_construction": a.ef_construction}
    else:
        quantizer = faiss.IndexFlat(d, metric)
        if a.index == "ivfpq-fs":
            ivf = faiss.IndexIVFPQFastScan(quantizer, d, a.nlist, a.m, 4, metric)
        else:
            ivf = faiss.IndexIVFPQ(quantizer, d, a.nlist, a.m, a.nbits, metric)
        ivf.own_fields = True
        quantizer.this.disown()
        for cp in (ivf.cp, ivf.pq.cp):
            cp.niter = a.kmeans_iters
            cp.seed = a.seed
        top = ivf
        storage = "none"
        if max(a.refine) > 0:
            storage = a.refine_storage
            if storage == "f32":
                top = faiss.IndexRefineFlat(ivf)
            else:
                sq = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, metric)
                top = faiss.IndexRefine(ivf, sq)
                top.own_refine_index = True
                sq.this.disown()
        build_args = {
            "nlist": a.nlist, "m": a.m, "nbits": 4 if a.index == "ivfpq-fs" else a.nbits,
            "refine_storage": storage, "seed": a.seed, "kmeans_iters": a.kmeans_iters,
            "train_threads": a.threads,
        }

    log("%s: training on %d x %d" % (a.index, n, d))
    t0 = time.perf_counter_ns()
    top.train(xb)
    train_s = (time.perf_counter_ns() - t0) / 1e9
    log("%s: adding %d vectors" % (a.index, n))
    t0 = time.perf_counter_ns()
    top.add(xb)
    add_s = (time.perf_counter_ns() - t0) / 1e9
    mem = memory_bytes(top, ivf)

    if a.index in ("ivfpq", "ivfpq-fs"):
        points = [{"nprobe": pr, "refine": r} for r in a.refine for pr in a.nprobe]
    elif a.index == "hnsw":
        points = [{"ef_search": ef} for ef in a.ef_search]
    else:
        points = [{}]

    for i, qa in enumerate(points):
        index = top
        if ivf is not None:
            ivf.nprobe = qa["nprobe"]
            if qa["refine"] == 0:
                index = ivf  # the same codes, searched without re-ranking
            else:
                top.k_factor = qa["refine"]
        elif a.index == "hnsw":
            top.hnsw.efSearch = qa["ef_search"]
        log("%s %s: batch pass, %d queries" % (a.index, json.dumps(qa), nq))

        # Untimed warm-up on the first 100 queries, as the Go harness does.
        faiss.omp_set_num_threads(a.threads)
        index.search(xq[:WARMUP_QUERIES], k)

        # Batch pass: the whole query set in one call, --repeats times; the
        # median time counts, as in the Go harness.
        runs = []
        for _ in range(a.repeats):
            t0 = time.perf_counter_ns()
            D, I = index.search(xq, k)
            runs.append((time.perf_counter_ns() - t0) / 1e9)
        batch_s = median(runs)

        # Per-query pass: one call per query, each timed. `threads` Python
        # threads pull queries (FAISS releases the GIL inside search), each
        # call single-threaded, as the Go harness does.
        log("%s %s: per-query pass" % (a.index, json.dumps(qa)))
        faiss.omp_set_num_threads(1)
        Is = np.empty((nq, k), dtype=np.int64)
        Ds = np.empty((nq, k), dtype=np.float32)
        lat = [0] * nq

        def one(j):
            t = time.perf_counter_ns()
            dj, ij = index.search(xq[j:j + 1], k)
            lat[j] = time.perf_counter_ns() - t
            Is[j], Ds[j] = ij[0], dj[0]

        t0 = time.perf_counter_ns()
        if a.threads == 1:
            for j in range(nq):
                one(j)
        else:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=a.threads) as pool:
                list(pool.map(one, range(nq)))
        single_s = (time.perf_counter_ns() - t0) / 1e9
        faiss.omp_set_num_threads(a.threads)

        stem = "%s-%d" % (a.index, i)
        files = {}
        for key, arr, dt in (("ids_batch", I, "<i4"), ("dists_batch", D, "<f4"),
                             ("ids_single", Is, "<i4"), ("dists_single", Ds, "<f4")):
            name = "%s-%s.%s" % (stem, key, "ivecs" if dt == "<i4" else "fvecs")
            write_vecs(os.path.join(a.out_dir, name), arr, dt)
            files[key] = name
        s = sorted(lat)
        line = {
            "engine": "faiss", "bench": "ann", "dataset": a.dataset, "index": a.index,
            "build_args": build_args, "query_args": qa, "metric": a.metric, "k": k,
            "threads": a.threads, "n_base": n, "n_query": nq, "dim": d,
            "qps": nq / batch_s, "batch_s": batch_s, "batch_s_runs": runs, "repeats": a.repeats,
            "single_qps": nq / single_s,
            "p50_us": percentile(s, 0.50) / 1e3, "p95_us": percentile(s, 0.95) / 1e3,
            "p99_us": percentile(s, 0.99) / 1e3, "max_us": s[-1] / 1e3,
            "train_s": train_s, "add_s": add_s, "memory_bytes": mem,
            "faiss_version": faiss.__version__,
            "faiss_compile_options": faiss.get_compile_options(),
            "numpy_version": np.__version__,
        }
        line.update(files)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()

package main

import (
	"fmt"

	"github.com/starling-social/starling/go/vecsearch"
)

// ivfpqAlgorithm is the IVF-PQ index of go/vecsearch: 8-bit codes
// ("ivfpq") or 4-bit fast-scan ("ivfpq-fs"), with an optional re-rank copy
// of the vectors (f32 or sq8). Build arguments: nlist, m, nbits, re-rank
// storage, seed, k-means iterations. Query arguments: nprobe and the
// re-rank factor (0 = no re-rank).
type ivfpqAlgorithm struct {
	cfg  indexConfig
	idx  *vecsearch.Index
	opts vecsearch.SearchOptions
}

func (a *ivfpqAlgorithm) name() string { return a.cfg.index }

func (a *ivfpqAlgorithm) buildArgs() map[string]any {
	return map[string]any{
		"nlist": a.cfg.nlist, "m": a.cfg.m, "nbits": a.cfg.nbits,
		"refine_storage": a.cfg.refineStorage, "seed": a.cfg.seed,
		"kmeans_iters": a.cfg.kmeansIters, "train_threads": a.cfg.trainThreads,
	}
}

func (a *ivfpqAlgorithm) train(base []float32, d int) error {
	refine := vecsearch.RefineNone
	switch a.cfg.refineStorage {
	case "f32":
		refine = vecsearch.RefineF32
	case "sq8":
		refine = vecsearch.RefineSQ8
	}
	idx, err := vecsearch.NewIVFPQ(vecsearch.IVFPQConfig{
		Dim: d, Metric: a.cfg.metric,
		NList: a.cfg.nlist, M: a.cfg.m, NBits: a.cfg.nbits,
		Refine: refine, Seed: a.cfg.seed,
		TrainThreads: a.cfg.trainThreads, KMeansIters: a.cfg.kmeansIters,
	})
	if err != nil {
		return err
	}
	a.idx = idx
	return idx.Train(base)
}

func (a *ivfpqAlgorithm) add(base []float32) error {
	return a.idx.Add(base, seqIDs(len(base)/a.idx.Dim()))
}

func (a *ivfpqAlgorithm) setQueryArguments(args map[string]any) error {
	nprobe, ok1 := args["nprobe"].(int)
	refine, ok2 := args["refine"].(int)
	if !ok1 || !ok2 || len(args) != 2 {
		return fmt.Errorf("%s takes query arguments {nprobe, refine}, got %v", a.cfg.index, args)
	}
	a.opts = vecsearch.SearchOptions{NProbe: nprobe, RefineFactor: refine}
	return nil
}

func (a *ivfpqAlgorithm) exactDistances() bool {
	return a.opts.RefineFactor > 0 && a.cfg.refineStorage == "f32"
}

// batchQuery makes one library call for the whole batch; the library
// spreads it over threads threads.
func (a *ivfpqAlgorithm) batchQuery(queries []float32, k, threads int, ids []int64, dists []float32) error {
	opts := a.opts
	opts.Threads = threads
	_, err := a.idx.SearchWith(queries, k, opts, ids, dists)
	return err
}

func (a *ivfpqAlgorithm) query(q []float32, k int, ids []int64, dists []float32) error {
	opts := a.opts
	opts.Threads = 1
	_, err := a.idx.SearchWith(q, k, opts, ids, dists)
	return err
}

func (a *ivfpqAlgorithm) memoryBytes() (int, error) { return a.idx.MemoryBytes() }

func (a *ivfpqAlgorithm) close() error {
	if a.idx == nil {
		return nil
	}
	return a.idx.Close()
}

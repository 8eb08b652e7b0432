package main

import (
	"encoding/json"
	"math"
	"slices"
)

// targetRecall is the recall@10 at which best curves are compared (the
// issue's targets are stated there).
const targetRecall = 0.90

// compareSummary is the `ann-compare` line printed after a --compare-faiss
// run. Documented in bench/README.md.
type compareSummary struct {
	Bench   string `json:"bench"`
	Dataset string `json:"dataset"`
	Metric  string `json:"metric"`
	K       int    `json:"k"`
	Threads int    `json:"threads"`
	NBase   int    `json:"n_base"`
	NQuery  int    `json:"n_query"`
	Dim     int    `json:"dim"`
	// Settings pairs every Starling point with FAISS's point of the same
	// index, build and query arguments, in the order measured.
	Settings []comparedSetting `json:"settings"`
	// QPSRatio* summarise Settings' qps_ratio (starling / faiss).
	QPSRatioMedian float64 `json:"qps_ratio_median"`
	QPSRatioMin    float64 `json:"qps_ratio_min"`
	QPSRatioMax    float64 `json:"qps_ratio_max"`
	// MaxAbsRecall10Diff is the largest |recall@10 difference| of Settings.
	MaxAbsRecall10Diff *float64 `json:"max_abs_recall_at_10_diff"`
	// The best curves at recall@10 = TargetRecall10.
	TargetRecall10 float64    `json:"target_recall_at_10"`
	Starling       curveAt    `json:"starling_at_target"`
	FAISSIVFPQ     curveAt    `json:"faiss_ivfpq_at_target"`
	FAISSHNSW      *curveAt   `json:"faiss_hnsw_at_target,omitempty"`
	BestQPSRatio   *float64   `json:"best_qps_ratio_vs_faiss_ivfpq"`
	HNSWQPSRatio   *float64   `json:"best_qps_ratio_vs_faiss_hnsw,omitempty"`
	HNSWMemRatio   *float64   `json:"bytes_per_vector_ratio_vs_faiss_hnsw,omitempty"`
	FAISS          *faissInfo `json:"faiss,omitempty"`
	provenance
}

// comparedSetting is one (index, query arguments) point measured on both
// engines.
type comparedSetting struct {
	Index            string         `json:"index"`
	QueryArgs        map[string]any `json:"query_args"`
	StarlingQPS      float64        `json:"starling_qps"`
	FAISSQPS         float64        `json:"faiss_qps"`
	QPSRatio         float64        `json:"qps_ratio"`
	StarlingRecall10 *float64       `json:"starling_recall_at_10"`
	FAISSRecall10    *float64       `json:"faiss_recall_at_10"`
	Recall10Diff     *float64       `json:"recall_at_10_diff"`
	Recall10Ratio    *float64       `json:"recall_at_10_ratio"`
	StarlingRecall1  float64        `json:"starling_recall_at_1"`
	FAISSRecall1     float64        `json:"faiss_recall_at_1"`
	StarlingBPV      float64        `json:"starling_bytes_per_vector"`
	FAISSBPV         float64        `json:"faiss_bytes_per_vector"`
}

// curvePoint is one measured point of a recall-vs-QPS curve.
type curvePoint struct {
	Index          string         `json:"index"`
	QueryArgs      map[string]any `json:"query_args"`
	Recall         float64        `json:"recall_at_10"`
	QPS            float64        `json:"qps"`
	BytesPerVector float64        `json:"bytes_per_vector"`
}

// curveAt is a curve's QPS at the target recall.
type curveAt struct {
	// Reached: some point has recall >= target.
	Reached bool `json:"reached"`
	// Interpolated: the target lies within the recall range of the
	// curve's Pareto frontier, and QPS is interpolated between the two
	// frontier points around it (linear in recall, log in QPS, as the
	// charts are drawn). Otherwise, when reached, every frontier point is
	// above the target and QPS is the fastest of them: a lower bound of the
	// QPS at the target.
	Interpolated bool `json:"interpolated"`
	// QPS at the target recall; null when not reached.
	QPS *float64 `json:"qps"`
	// BytesPerVector is the larger of the points used.
	BytesPerVector *float64 `json:"bytes_per_vector"`
	// Below and Above are the frontier points used (Below only when
	// interpolated).
	Below *curvePoint `json:"below,omitempty"`
	Above *curvePoint `json:"above,omitempty"`
}

// summarize pairs Starling's and FAISS's results of one run and compares
// their curves.
func summarize(c annConfig, ds *dataset, results []*annResult, prov provenance) *compareSummary {
	s := &compareSummary{
		Bench: "ann-compare", Dataset: c.dataset, Metric: c.metric, K: c.k, Threads: c.threads,
		NBase: ds.nBase, NQuery: ds.nQuery, Dim: ds.dim, TargetRecall10: targetRecall,
		Settings: []comparedSetting{}, provenance: prov,
	}
	faissByKey := map[string]*annResult{}
	for _, r := range results {
		if r.Engine == "faiss" {
			faissByKey[pointKey(r)] = r
			if s.FAISS == nil {
				s.FAISS = r.FAISS
			}
		}
	}
	var ratios []float64
	for _, r := range results {
		f, ok := faissByKey[pointKey(r)]
		if r.Engine != "starling" || !ok {
			continue
		}
		cs := comparedSetting{
			Index: r.Index, QueryArgs: r.QueryArgs,
			StarlingQPS: r.QPS, FAISSQPS: f.QPS, QPSRatio: r.QPS / f.QPS,
			StarlingRecall10: r.RecallAt10, FAISSRecall10: f.RecallAt10,
			StarlingRecall1: r.RecallAt1, FAISSRecall1: f.RecallAt1,
			StarlingBPV: r.BytesPerVector, FAISSBPV: f.BytesPerVector,
		}
		if r.RecallAt10 != nil && f.RecallAt10 != nil {
			d := *r.RecallAt10 - *f.RecallAt10
			cs.Recall10Diff = &d
			if *f.RecallAt10 > 0 {
				q := *r.RecallAt10 / *f.RecallAt10
				cs.Recall10Ratio = &q
			}
			if s.MaxAbsRecall10Diff == nil || math.Abs(d) > *s.MaxAbsRecall10Diff {
				a := math.Abs(d)
				s.MaxAbsRecall10Diff = &a
			}
		}
		ratios = append(ratios, cs.QPSRatio)
		s.Settings = append(s.Settings, cs)
	}
	if len(ratios) > 0 {
		s.QPSRatioMedian, s.QPSRatioMin, s.QPSRatioMax = median(ratios), slices.Min(ratios), slices.Max(ratios)
	}

	// Best curves: every IVF-PQ point of an engine (any variant, nprobe,
	// re-rank) forms its curve; flat is exact and not part of it.
	curve := func(engine string, keep func(index string) bool) []curvePoint {
		var pts []curvePoint
		for _, r := range results {
			if r.Engine == engine && keep(r.Index) && r.RecallAt10 != nil {
				pts = append(pts, curvePoint{Index: r.Index, QueryArgs: r.QueryArgs, Recall: *r.RecallAt10, QPS: r.QPS, BytesPerVector: r.BytesPerVector})
			}
		}
		return pts
	}
	s.Starling = qpsAtRecall(curve("starling", isIVF), targetRecall)
	s.FAISSIVFPQ = qpsAtRecall(curve("faiss", isIVF), targetRecall)
	s.BestQPSRatio = ratioOf(s.Starling.QPS, s.FAISSIVFPQ.QPS)
	if c.compareHNSW {
		h := qpsAtRecall(curve("faiss", func(i string) bool { return i == "hnsw" }), targetRecall)
		s.FAISSHNSW = &h
		s.HNSWQPSRatio = ratioOf(s.Starling.QPS, h.QPS)
		s.HNSWMemRatio = ratioOf(s.Starling.BytesPerVector, h.BytesPerVector)
	}
	return s
}

// pointKey identifies a measured point across engines: index type, build
// and query arguments.
func pointKey(r *annResult) string {
	b, _ := json.Marshal([]any{r.Index, r.BuildArgs, r.QueryArgs})
	// Round-trip so ints and decoded float64s print alike.
	var v any
	_ = json.Unmarshal(b, &v)
	b, _ = json.Marshal(v)
	return string(b)
}

// ratioOf returns a/b, or nil if either is missing or b is 0.
func ratioOf(a, b *float64) *float64 {
	if a == nil || b == nil || *b == 0 {
		return nil
	}
	r := *a / *b
	return &r
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// paretoFrontier returns the points no other point beats on both recall
// and QPS, sorted by recall ascending (so QPS descending), after
// ann-benchmarks' create_pointset.
func paretoFrontier(pts []curvePoint) []curvePoint {
	s := slices.Clone(pts)
	slices.SortStableFunc(s, func(a, b curvePoint) int {
		switch {
		case a.Recall != b.Recall:
			if a.Recall > b.Recall {
				return -1
			}
			return 1
		case a.QPS > b.QPS:
			return -1
		case a.QPS < b.QPS:
			return 1
		}
		return 0
	})
	var front []curvePoint
	best := math.Inf(-1)
	for _, p := range s {
		if p.QPS > best {
			front = append(front, p)
			best = p.QPS
		}
	}
	slices.Reverse(front)
	return front
}

// qpsAtRecall reads the QPS at recall target off the Pareto frontier of
// pts: interpolated between the two frontier points around the target
// (linear in recall, logarithmic in QPS), or, if every frontier point is at
// or above the target, the fastest of them.
func qpsAtRecall(pts []curvePoint, target float64) curveAt {
	front := paretoFrontier(pts)
	j := slices.IndexFunc(front, func(p curvePoint) bool { return p.Recall >= target })
	if j < 0 {
		return curveAt{}
	}
	above := front[j]
	out := curveAt{Reached: true, Above: &above}
	qps, bpv := above.QPS, above.BytesPerVector
	if j > 0 && above.Recall > target {
		below := front[j-1]
		t := (target - below.Recall) / (above.Recall - below.Recall)
		qps = math.Exp(math.Log(below.QPS) + t*(math.Log(above.QPS)-math.Log(below.QPS)))
		bpv = max(bpv, below.BytesPerVector)
		out.Below, out.Interpolated = &below, true
	} else if above.Recall == target {
		out.Interpolated = true // a point sits exactly on the target
	}
	out.QPS, out.BytesPerVector = &qps, &bpv
	return out
}

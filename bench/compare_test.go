package main

import (
	"math"
	"testing"
)

func pt(recall, qps float64) curvePoint {
	return curvePoint{Recall: recall, QPS: qps, BytesPerVector: 28}
}

func TestParetoFrontier(t *testing.T) {
	got := paretoFrontier([]curvePoint{pt(0.5, 100), pt(0.7, 50), pt(0.6, 40), pt(0.9, 10), pt(0.5, 80), pt(0.9, 12)})
	want := []curvePoint{pt(0.5, 100), pt(0.7, 50), pt(0.9, 12)}
	if len(got) != len(want) {
		t.Fatalf("frontier %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Recall != want[i].Recall || got[i].QPS != want[i].QPS {
			t.Errorf("frontier[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestQPSAtRecall(t *testing.T) {
	tests := []struct {
		name             string
		pts              []curvePoint
		reached, interp  bool
		want             float64
		wantBelow, above float64 // recall of the points used (0: none)
	}{
		{"not reached", []curvePoint{pt(0.5, 100), pt(0.8, 10)}, false, false, 0, 0, 0},
		{"empty", nil, false, false, 0, 0, 0},
		// Log-linear: halfway from 1000 to 10 QPS in recall is 100 QPS.
		{"interpolated", []curvePoint{pt(0.8, 1000), pt(1.0, 10)}, true, true, 100, 0.8, 1.0},
		{"exactly on a point", []curvePoint{pt(0.8, 1000), pt(0.9, 300), pt(0.95, 10)}, true, true, 300, 0, 0.9},
		// Dominated points are ignored: 0.85 @ 50 is beaten by 0.88 @ 500.
		{"dominated points ignored", []curvePoint{pt(0.85, 50), pt(0.88, 500), pt(0.92, 5)}, true, true, 500 * math.Pow(5.0/500, 0.5), 0.88, 0.92},
		{"all above: fastest above", []curvePoint{pt(0.95, 200), pt(0.99, 20)}, true, false, 200, 0, 0.95},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := qpsAtRecall(tt.pts, 0.9)
			if got.Reached != tt.reached || got.Interpolated != tt.interp {
				t.Fatalf("reached=%v interpolated=%v, want %v %v", got.Reached, got.Interpolated, tt.reached, tt.interp)
			}
			if !tt.reached {
				if got.QPS != nil || got.BytesPerVector != nil {
					t.Errorf("unreached curve has qps %v", got.QPS)
				}
				return
			}
			if math.Abs(*got.QPS-tt.want) > 1e-9*tt.want {
				t.Errorf("qps = %v, want %v", *got.QPS, tt.want)
			}
			if got.Above == nil || got.Above.Recall != tt.above {
				t.Errorf("above = %v, want recall %v", got.Above, tt.above)
			}
			if (tt.wantBelow == 0) != (got.Below == nil) || (got.Below != nil && got.Below.Recall != tt.wantBelow) {
				t.Errorf("below = %v, want recall %v", got.Below, tt.wantBelow)
			}
		})
	}
}

func TestMedianAndRatio(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing should be NaN")
	}
	a, b, zero := 3.0, 2.0, 0.0
	if r := ratioOf(&a, &b); r == nil || *r != 1.5 {
		t.Errorf("ratio = %v", r)
	}
	if ratioOf(&a, nil) != nil || ratioOf(nil, &b) != nil || ratioOf(&a, &zero) != nil {
		t.Error("ratio with a missing side should be nil")
	}
}

// result builds a minimal annResult for summary tests.
func result(engine, index string, nprobe, refine int, recall10, qps, bpv float64) *annResult {
	r := recall10
	res := &annResult{Engine: engine, Index: index, K: 10, RecallAt10: &r, RecallAt1: r, QPS: qps, BytesPerVector: bpv}
	switch {
	case isIVF(index):
		res.BuildArgs = map[string]any{"nlist": 16, "m": 4}
		res.QueryArgs = map[string]any{"nprobe": nprobe, "refine": refine}
	case index == "hnsw":
		res.BuildArgs = map[string]any{"M": 16}
		res.QueryArgs = map[string]any{"ef_search": nprobe}
	default:
		res.BuildArgs, res.QueryArgs = map[string]any{}, map[string]any{}
	}
	setParams(res)
	return res
}

func TestSummarize(t *testing.T) {
	c := annConfig{dataset: "d", metric: "l2", k: 10, threads: 1, compareHNSW: true}
	ds := &dataset{nBase: 1000, nQuery: 10, dim: 8}
	results := []*annResult{
		result("starling", "ivfpq", 1, 0, 0.50, 2000, 12),
		result("starling", "ivfpq", 4, 0, 0.85, 1000, 12),
		result("starling", "ivfpq", 16, 0, 0.95, 400, 12),
		result("starling", "flat", 0, 0, 1, 10, 40),
		result("faiss", "ivfpq", 1, 0, 0.52, 1000, 13),
		result("faiss", "ivfpq", 4, 0, 0.85, 500, 13),
		result("faiss", "ivfpq", 16, 0, 0.95, 100, 13),
		result("faiss", "flat", 0, 0, 1, 5, 40),
		result("faiss", "hnsw", 16, 0, 0.80, 3000, 100),
		result("faiss", "hnsw", 64, 0, 0.98, 800, 100),
	}
	// The same point decoded from JSON (float64 numbers) must still pair.
	results[6].QueryArgs = map[string]any{"nprobe": 16.0, "refine": 0.0}
	s := summarize(c, ds, results, provenance{})
	if s.Bench != "ann-compare" || len(s.Settings) != 4 {
		t.Fatalf("bench %q, %d settings: %+v", s.Bench, len(s.Settings), s.Settings)
	}
	first := s.Settings[0]
	if first.QPSRatio != 2 || math.Abs(*first.Recall10Diff-(-0.02)) > 1e-12 || first.FAISSQPS != 1000 {
		t.Errorf("first setting %+v", first)
	}
	// Ratios 2, 2, 4, 2 (flat): median 2, min 2, max 4.
	if s.QPSRatioMedian != 2 || s.QPSRatioMin != 2 || s.QPSRatioMax != 4 {
		t.Errorf("ratios median %v min %v max %v", s.QPSRatioMedian, s.QPSRatioMin, s.QPSRatioMax)
	}
	if math.Abs(*s.MaxAbsRecall10Diff-0.02) > 1e-12 {
		t.Errorf("max |recall diff| = %v", *s.MaxAbsRecall10Diff)
	}
	// At 0.90, halfway between 0.85 and 0.95: sqrt(1000*400) for Starling,
	// sqrt(500*100) for FAISS (flat is not on the IVF-PQ curve).
	wantS, wantF := math.Sqrt(1000*400), math.Sqrt(500*100)
	if math.Abs(*s.Starling.QPS-wantS) > 1e-9*wantS || math.Abs(*s.FAISSIVFPQ.QPS-wantF) > 1e-9*wantF {
		t.Errorf("at target: starling %v (want %v), faiss %v (want %v)", *s.Starling.QPS, wantS, *s.FAISSIVFPQ.QPS, wantF)
	}
	if math.Abs(*s.BestQPSRatio-wantS/wantF) > 1e-9 {
		t.Errorf("best ratio %v", *s.BestQPSRatio)
	}
	// HNSW: 0.80 @ 3000 .. 0.98 @ 800.
	wantH := math.Exp(math.Log(3000) + (0.1/0.18)*(math.Log(800)-math.Log(3000)))
	if s.FAISSHNSW == nil || math.Abs(*s.FAISSHNSW.QPS-wantH) > 1e-6 {
		t.Fatalf("hnsw at target %+v, want %v", s.FAISSHNSW, wantH)
	}
	if math.Abs(*s.HNSWQPSRatio-wantS/wantH) > 1e-9 || math.Abs(*s.HNSWMemRatio-0.12) > 1e-12 {
		t.Errorf("vs hnsw: qps ratio %v, memory ratio %v", *s.HNSWQPSRatio, *s.HNSWMemRatio)
	}

	// A FAISS curve that never reaches the target: no best ratio.
	s = summarize(c, ds, results[:6], provenance{})
	if s.FAISSIVFPQ.Reached || s.BestQPSRatio != nil || s.FAISSHNSW.Reached || s.HNSWQPSRatio != nil {
		t.Errorf("unreached: %+v", s)
	}
}

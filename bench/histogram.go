package main

import (
	"math/bits"
	"time"
)

// histogram records latencies in log-linear buckets, as HdrHistogram does
// with two significant digits: values below 2^histSubBits ns exactly, above
// that 2^histSubBits buckets per power of two (error under 1/64, 1.6%).
// Recording is an array increment, so each load worker keeps its own and
// they are merged at the end; nothing is shared on the hot path.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	max    time.Duration
}

const (
	histSubBits  = 6
	histSub      = 1 << histSubBits
	histBuckets  = (64 - histSubBits) * histSub
	histMaxValue = time.Duration(1<<62 - 1)
)

// histIndex is the bucket of v (ns, v >= 0).
func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(v) - histSubBits - 1 // v>>e is in [histSub, 2*histSub)
	return (e+1)*histSub + int(v>>e) - histSub
}

// histUpper is the largest value bucket i holds.
func histUpper(i int) time.Duration {
	if i < histSub {
		return time.Duration(i)
	}
	e := i/histSub - 1
	top := uint64(i%histSub + histSub)
	return time.Duration((top+1)<<e - 1)
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(min(d, histMaxValue)))]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile is the upper bound of the bucket holding the q-th value
// (0 < q <= 1), capped at the largest value recorded; 0 when empty.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(histUpper(i), h.max)
		}
	}
	return h.max
}

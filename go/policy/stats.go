package policy

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// callStats counts one plugin's calls and keeps their latency distribution
// for `starling plugins list`, without locks: a histogram of atomic counters
// over log-spaced buckets (each bucket 1/8 of a power of two wide, so a
// quantile is within about 9% of the true value) from 1µs to about 70s.
type callStats struct {
	calls   atomic.Int64
	errors  atomic.Int64
	buckets [statBuckets]atomic.Int64
}

const (
	statSub     = 8                // buckets per power of two
	statLog2Sub = 3                // log2(statSub)
	statBuckets = 27 * statSub     // 2^0 .. 2^26 µs; the last also holds anything longer
	statMin     = time.Microsecond // bucket 0 also holds anything shorter
)

func (s *callStats) observe(d time.Duration, failed bool) {
	s.calls.Add(1)
	if failed {
		s.errors.Add(1)
	}
	s.buckets[bucketOf(d)].Add(1)
}

// bucketOf maps d to its bucket: exponent and the top statLog2Sub bits of
// the mantissa, as HDR histograms do.
func bucketOf(d time.Duration) int {
	us := uint64(d / statMin)
	if us < 1 {
		return 0
	}
	exp := 63 - bits.LeadingZeros64(us)
	var sub uint64
	if exp >= statLog2Sub {
		sub = (us >> (uint(exp) - statLog2Sub)) & (statSub - 1)
	} else {
		sub = (us << (statLog2Sub - uint(exp))) & (statSub - 1)
	}
	b := exp*statSub + int(sub)
	return min(b, statBuckets-1)
}

// bucketUpper is the upper bound of bucket b.
func bucketUpper(b int) time.Duration {
	exp, sub := b/statSub, b%statSub
	v := math.Ldexp(1+float64(sub+1)/statSub, exp)
	return time.Duration(v * float64(statMin))
}

// quantile returns the upper bound of the bucket holding the q-quantile, or
// 0 with no calls yet.
func (s *callStats) quantile(q float64) time.Duration {
	var counts [statBuckets]int64
	var total int64
	for i := range s.buckets {
		counts[i] = s.buckets[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	var seen int64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			return bucketUpper(i)
		}
	}
	return bucketUpper(statBuckets - 1)
}

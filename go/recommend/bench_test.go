package recommend

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomLog is n interactions of users accounts over items statuses, with
// Zipf-like item popularity, as a busy instance's newest favourites.
func randomLog(n, users, items int) []Interaction {
	rng := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, uint64(items-1))
	ints := make([]Interaction, n)
	for i := range ints {
		ints[i] = Interaction{User: int64(rng.IntN(users)), Item: int64(z.Uint64())}
	}
	return ints
}

// BenchmarkTrain is one background training at the server's default bound
// (--recommend-max-interactions 200000) and default options.
func BenchmarkTrain(b *testing.B) {
	ints := randomLog(200000, 20000, 100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(ints, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecommend is the collaborative part of one For-you ranking: a
// 40-item history folded in and every item scored.
func BenchmarkRecommend(b *testing.B) {
	for _, n := range []int{20000, 200000} {
		b.Run(fmt.Sprintf("interactions=%d", n), func(b *testing.B) {
			m, err := Train(randomLog(n, n/10, n/2), Options{Seed: 1, Iterations: 2})
			if err != nil {
				b.Fatal(err)
			}
			hist := make([]int64, 40)
			for i := range hist {
				hist[i] = int64(i * 7)
			}
			b.ReportAllocs()
			for b.Loop() {
				m.Recommend(hist, 200, nil)
			}
			b.ReportMetric(float64(m.Len()), "items")
		})
	}
}

// BenchmarkForYou is the whole recommend part of one For-you ranking: ALS
// fold-in and scoring, item neighbours, and the blend of 200 candidates
// each with 100 content candidates (what the index gives).
func BenchmarkForYou(b *testing.B) {
	m, err := Train(randomLog(200000, 20000, 100000), Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	v := Viewer{History: make([]int64, 40), Content: make([]int64, 100)}
	for i := range v.History {
		v.History[i] = int64(i * 7)
	}
	for i := range v.Content {
		v.Content[i] = int64(50000 + i)
	}
	b.ReportAllocs()
	for b.Loop() {
		ForYou(m, v, 200, DefaultWeights)
	}
}

package pluginsdk

import (
	"fmt"
	"testing"
	"time"

	gproto "google.golang.org/protobuf/proto"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// benchCandidates are n candidates with every fixed feature set, as the
// host's surfaces send them.
func benchCandidates(n int) []Candidate {
	now := time.Now()
	out := make([]Candidate, n)
	for i := range out {
		out[i] = Candidate{ID: int64(i+1) << 20, AuthorID: int64(i%97 + 1), CreatedAt: now.Add(-time.Duration(i) * time.Minute),
			Favourites: int64(i % 13), Reblogs: int64(i % 7), Replies: int64(i % 5),
			Affinity: float64(i%10) / 10, Similarity: 1 - float64(i)/float64(n), FollowingAuthor: i%3 == 0}
	}
	return out
}

// BenchmarkRankRequestWire is what a rank request costs both processes
// besides the transport: the host's conversion and marshalling, and the
// plugin's unmarshalling and conversion.
func BenchmarkRankRequestWire(b *testing.B) {
	for _, enc := range []string{"rows", "columns"} {
		for _, n := range []int{100, 500, 1000} {
			benchRankWire(b, enc, n)
		}
	}
}

func benchRankWire(b *testing.B, enc string, n int) {
	req := &RankRequest{ViewerID: 1, Surface: SurfaceSearch, Now: time.Now(), Candidates: benchCandidates(n)}
	b.Run(fmt.Sprintf("encoding=%s/candidates=%d", enc, n), func(b *testing.B) {
		b.ReportAllocs()
		var size int
		for b.Loop() {
			buf, err := gproto.Marshal(toprotoRankRequest(req, enc == "columns"))
			if err != nil {
				b.Fatal(err)
			}
			size = len(buf)
			var in proto.RankRequest
			if err := gproto.Unmarshal(buf, &in); err != nil {
				b.Fatal(err)
			}
			if got, err := fromprotoRankRequest(&in); err != nil || len(got.Candidates) != n {
				b.Fatalf("%d candidates, %v", len(got.Candidates), err)
			}
		}
		b.ReportMetric(float64(size), "bytes/msg")
	})
}

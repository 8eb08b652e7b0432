package storetest

import (
	"math"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// awkwardFloats are values a lossy encoding (text, float64, a JSON number)
// would change: NaN with a payload, -0, infinities, a subnormal, extremes.
var awkwardFloats = []float32{
	math.Float32frombits(0x7fc00001), // quiet NaN with a payload
	math.Float32frombits(0x80000000), // -0
	float32(math.Inf(1)),
	float32(math.Inf(-1)),
	math.SmallestNonzeroFloat32,
	math.MaxFloat32,
	-math.MaxFloat32,
	1.0 / 3.0,
	0.1,
}

func exerciseEmbeddings(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("BitExactRoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")

		big := make([]float32, 768)
		for i := range big {
			big[i] = float32(math.Sin(float64(i))) * 1e3
		}
		cases := [][]float32{awkwardFloats, big, {42}}
		var put []*store.Status
		for i, emb := range cases {
			st := newStatus(alice, i)
			st.Embedding = emb
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			put = append(put, st)
		}
		for _, want := range put {
			got, err := s.GetStatusByID(ctx, want.ID)
			mustNot(t, err, "GetStatusByID")
			checkEmbedding(t, "GetStatusByID embedding", got.Embedding, want.Embedding)
		}
		rows, err := s.ListStatusEmbeddings(ctx, 0, 10)
		mustNot(t, err, "ListStatusEmbeddings")
		if len(rows) != len(put) {
			t.Fatalf("ListStatusEmbeddings returned %d rows, want %d", len(rows), len(put))
		}
		for i, row := range rows {
			if row.StatusID != put[i].ID {
				t.Fatalf("row %d is status %d, want %d (ascending by ID)", i, row.StatusID, put[i].ID)
			}
			checkEmbedding(t, "ListStatusEmbeddings embedding", row.Embedding, put[i].Embedding)
		}
	})

	t.Run("NoEmbedding", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		// nil and empty both mean "no embedding" and come back nil.
		for i, emb := range [][]float32{nil, {}} {
			st := newStatus(alice, i)
			st.Embedding = emb
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			got, err := s.GetStatusByID(ctx, st.ID)
			mustNot(t, err, "GetStatusByID")
			if got.Embedding != nil {
				t.Errorf("embedding put as %#v came back as %v, want nil", emb, got.Embedding)
			}
		}
		rows, err := s.ListStatusEmbeddings(ctx, 0, 10)
		mustNot(t, err, "ListStatusEmbeddings")
		if len(rows) != 0 {
			t.Errorf("ListStatusEmbeddings returned %d rows for statuses without embeddings", len(rows))
		}
	})

	t.Run("PagingSkipsRowsWithout", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var want []*store.Status
		for i := range 25 {
			st := newStatus(alice, i)
			if i%3 != 1 { // every third status has none
				st.Embedding = []float32{float32(i), -float32(i), 0.5}
				want = append(want, st)
			}
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		}

		var got []store.StatusEmbedding
		after := int64(0)
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatal("ListStatusEmbeddings does not advance")
			}
			rows, err := s.ListStatusEmbeddings(ctx, after, 4)
			mustNot(t, err, "ListStatusEmbeddings")
			if len(rows) > 4 {
				t.Fatalf("page of %d rows, limit 4", len(rows))
			}
			if len(rows) == 0 {
				break
			}
			got = append(got, rows...)
			after = rows[len(rows)-1].StatusID
		}
		if len(got) != len(want) {
			t.Fatalf("paged through %d embeddings, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].StatusID != want[i].ID {
				t.Fatalf("row %d is status %d, want %d", i, got[i].StatusID, want[i].ID)
			}
			checkEmbedding(t, "embedding", got[i].Embedding, want[i].Embedding)
		}

		// afterID is exclusive and need not be a row's ID.
		mid := want[5].ID
		rows, err := s.ListStatusEmbeddings(ctx, mid, 2)
		mustNot(t, err, "ListStatusEmbeddings after a row")
		if len(rows) != 2 || rows[0].StatusID != want[6].ID || rows[1].StatusID != want[7].ID {
			t.Errorf("ListStatusEmbeddings(after %d, 2) = %v, want statuses %d and %d", mid, rows, want[6].ID, want[7].ID)
		}
		rows, err = s.ListStatusEmbeddings(ctx, mid-1, 1)
		mustNot(t, err, "ListStatusEmbeddings after an ID between rows")
		if len(rows) != 1 || rows[0].StatusID != mid {
			t.Errorf("ListStatusEmbeddings(after %d, 1) = %v, want status %d", mid-1, rows, mid)
		}
	})

	t.Run("LimitMustBePositive", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		for _, limit := range []int{0, -1} {
			if _, err := s.ListStatusEmbeddings(ctx, 0, limit); err == nil {
				t.Errorf("ListStatusEmbeddings with limit %d: no error", limit)
			}
		}
	})
}

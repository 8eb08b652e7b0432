package sqlite

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// TestTextSearchWeighsRareWords: BM25's idf comes from the cached document
// frequencies (counted once per word, cached), so a status using the rare word twice
// beats one using the common word three times. Without idf, the order
// would be the other way round.
func TestTextSearchWeighsRareWords(t *testing.T) {
	s, ctx := bulkStore(t), t.Context()
	now := time.Now()
	if err := s.PutAccount(ctx, &store.Account{ID: 1, Username: "a", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	put := func(id int64, text string) {
		if err := s.PutStatus(ctx, &store.Status{ID: id, AccountID: 1, Text: text, Visibility: store.VisibilityPublic,
			Language: "en", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		put(int64(100+i), fmt.Sprintf("common filler %d", i))
	}
	put(1, "common common common rare filler")
	put(2, "rare rare common filler filler")
	got, err := s.SearchStatusIDsByText(ctx, "common rare", 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("common rare = %v, want [2 1] (the rare word weighs more)", got)
	}
	df, err := s.docFreqs(ctx, []string{"common", "rare", "absent"})
	if err != nil || !slices.Equal(df, []float64{22, 2, 0}) {
		t.Errorf("document frequencies %v (%v), want [22 2 0]", df, err)
	}
}

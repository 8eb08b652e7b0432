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

// TestDocFreqsExtrapolateCommonWords: past the exact count, a word spread
// evenly over time is estimated from its newest matches; a rarer one is
// counted.
func TestDocFreqsExtrapolateCommonWords(t *testing.T) {
	s, ctx := bulkStore(t), t.Context()
	now := time.Now()
	if err := s.PutAccount(ctx, &store.Account{ID: 1, Username: "a", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		text := "filler"
		if i%2 == 0 {
			text = "common filler" // every other status, evenly over the IDs
		}
		if i == 7 || i == 99 {
			text = "rare filler"
		}
		if err := s.PutStatus(ctx, &store.Status{ID: int64(1000 + 10*i), AccountID: 1, Text: text,
			Visibility: store.VisibilityPublic, Language: "en", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	df, err := s.docFreqsUpTo(ctx, []string{"common", "rare", "filler"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	if df[0] < 90 || df[0] > 110 {
		t.Errorf("common: %.1f estimated from its 20 newest matches, want about 100", df[0])
	}
	if df[1] != 2 {
		t.Errorf("rare: %v, want 2 (counted)", df[1])
	}
	if df[2] < 190 || df[2] > 210 {
		t.Errorf("filler: %.1f, want about 200", df[2])
	}
}

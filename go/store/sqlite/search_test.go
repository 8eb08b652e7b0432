package sqlite

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
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

// TestTextSearchCheckingMatchesTheWalk: a word checked in the statuses'
// text instead of walked in the index (splitWords) changes neither which
// statuses match nor their scores: for each query, reading the rarest
// word's statuses and checking the others gives the walk's matches (the
// newest textCandidates, so past the bound too) with the same BM25.
func TestTextSearchCheckingMatchesTheWalk(t *testing.T) {
	s, ctx := bulkStore(t), t.Context()
	now := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(word string, p float64) string {
		if rng.Float64() < p {
			return word
		}
		return ""
	}
	batch := &store.BulkBatch{Accounts: []*store.Account{{ID: 1, Username: "a", CreatedAt: now}}}
	for i := range 3000 {
		// Mixed case, punctuation, HTML and repeats, in both columns: the
		// checking path must split text as the index does.
		text := strings.Join([]string{pick("The", 0.9), pick("the,", 0.2), pick("AND", 0.5), pick("<b>alpha</b>", 0.1),
			pick("bravo!", 0.1), pick("kiwi", 0.006), pick("lime lime", 0.005), pick("Ünïcödé", 0.05),
			fmt.Sprint("filler", i%7)}, " ")
		spoiler := pick("the alpha", 0.1) + pick(" kiwi", 0.004)
		batch.Statuses = append(batch.Statuses, &store.Status{ID: int64(1000 + i), AccountID: 1, Text: text,
			SpoilerText: spoiler, Visibility: store.VisibilityPublic, Language: "en", CreatedAt: now})
	}
	if err := s.BulkLoad(ctx, store.BatchesOf(batch)); err != nil {
		t.Fatal(err)
	}
	capped := 0
	for _, q := range []string{"the kiwi", "kiwi the and", "the alpha", "alpha the the", "lime and", "The Alpha bravo",
		"the and", "ünïcödé the", "kiwi lime", "the absent", "filler3 the"} {
		words := store.SearchWords(q)
		df, err := s.docFreqs(ctx, words)
		if err != nil {
			t.Fatal(err)
		}
		walked, err := s.matchAllWords(ctx, words)
		if err != nil {
			t.Fatal(err)
		}
		rarest := []int{slices.Index(df, slices.Min(df))}
		checked, err := s.matchChecking(ctx, words, rarest)
		if err != nil {
			t.Fatal(err)
		}
		if len(walked) == textCandidates {
			capped++
		}
		if len(checked) != len(walked) {
			t.Errorf("%q: checking found %d statuses, walking %d", q, len(checked), len(walked))
			continue
		}
		for i := range walked {
			w, c := walked[i], checked[i]
			if w.id != c.id || math.Abs(w.bm25(df)-c.bm25(df)) > 1e-9 {
				t.Errorf("%q: match %d is %d scored %v checking, %d scored %v walking", q, i, c.id, c.bm25(df), w.id, w.bm25(df))
				break
			}
		}
	}
	if capped == 0 {
		t.Error("no query reached textCandidates matches: the bound is not tested")
	}
	// The search itself checks "the" next to "kiwi" (in ~30 statuses,
	// "the" in ~2,700) and ranks as the walk does.
	words := store.SearchWords("the kiwi")
	df, err := s.docFreqs(ctx, words)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.ftsRows(ctx)
	if err != nil || n != 3000 {
		t.Fatalf("ftsRows = %v (%v), want 3000", n, err)
	}
	if walk, check := splitWords(words, df, n); !slices.Equal(walk, []int{1}) || !slices.Equal(check, []int{0}) {
		t.Errorf("splitWords(the kiwi, %v) = walk %v, check %v; want walk [1], check [0]", df, walk, check)
	}
	got, err := s.SearchStatusIDsByText(ctx, "the kiwi", 20)
	if err != nil {
		t.Fatal(err)
	}
	walked, err := s.matchAllWords(ctx, words)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(walked, func(a, b textHit) int { return cmp.Compare(b.bm25(df), a.bm25(df)) })
	var want []int64
	for _, h := range walked[:min(20, len(walked))] {
		want = append(want, h.id)
	}
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Errorf("search for the kiwi = %v, want the walk's ranking %v", got, want)
	}
}

// TestSplitWords: the most common words are checked rather than walked
// while the other words are estimated to find checkCost times fewer
// statuses (document frequencies of queries at 1M statuses).
func TestSplitWords(t *testing.T) {
	for _, c := range []struct {
		query       string
		df          []float64
		walk, check []int
	}{
		{"film", []float64{5000}, []int{0}, nil},
		{"the hiss", []float64{600000, 40}, []int{1}, []int{0}},
		{"only the size", []float64{47406, 593825, 21448}, []int{0, 2}, []int{1}},
		{"with stupid", []float64{171787, 2992}, []int{0, 1}, nil},
		{"and hiss the", []float64{485759, 25, 593825}, []int{1}, []int{0, 2}},
		{"and directed and", []float64{485759, 4600, 485759}, []int{1}, []int{0, 2}},
		{"not that great", []float64{120637, 228866, 63472}, []int{0, 1, 2}, nil},
		{"the absent", []float64{593825, 0}, []int{1}, []int{0}},
		{"the the", []float64{593825, 593825}, []int{0, 1}, nil},
	} {
		walk, check := splitWords(store.SearchWords(c.query), c.df, 1e6)
		if !slices.Equal(walk, c.walk) || !slices.Equal(check, c.check) {
			t.Errorf("splitWords(%q, %v) = %v, %v; want %v, %v", c.query, c.df, walk, check, c.walk, c.check)
		}
	}
}

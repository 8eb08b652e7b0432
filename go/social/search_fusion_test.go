package social

import (
	"context"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestFuseRanks(t *testing.T) {
	// 3 is second in both lists, so it beats 1 and 7, each first in one.
	got := fuseRanks([]int64{1, 3, 5}, []int64{7, 3, 9})
	if want := []int64{3, 1, 7, 5, 9}; !slices.Equal(got, want) {
		t.Errorf("fuseRanks = %v, want %v", got, want)
	}
	if got := fuseRanks(nil, []int64{4, 2}); !slices.Equal(got, []int64{4, 2}) {
		t.Errorf("one list keeps its order: %v", got)
	}
	if got := fuseRanks(); len(got) != 0 {
		t.Errorf("no lists: %v", got)
	}
}

// vectorStub ranks whatever it is given, ignoring the query, as an embedder
// that does not know a word would.
type vectorStub struct{ ids []int64 }

func (v *vectorStub) SearchStatusIDs(_ context.Context, _ string, k int) ([]int64, error) {
	return v.ids[:min(k, len(v.ids))], nil
}

func TestSearchStatusesFusesFullText(t *testing.T) {
	stub := &vectorStub{}
	s, _ := newService(t, Deps{Searcher: stub}, DefaultConfig())
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	var noise []int64
	for range 30 {
		st, err := s.PostStatus(ctx, alice, StatusInput{Text: "weather is nice today"})
		if err != nil {
			t.Fatal(err)
		}
		noise = append(noise, st.ID)
	}
	target, err := s.PostStatus(ctx, alice, StatusInput{Text: "spotted a kingfisher by the pond"})
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := s.PostStatus(ctx, alice, StatusInput{Text: "private kingfisher", Visibility: "private"})
	if err != nil {
		t.Fatal(err)
	}
	// The vector side ranks the target last of 31, beyond what it is asked
	// for: only full text finds it.
	stub.ids = append(slices.Clone(noise), target.ID)

	got, err := s.SearchStatuses(ctx, bob, StatusSearchInput{Query: "Kingfisher", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Fused, the full-text match sits among the vector side's best.
	if !slices.Contains(ids(got), target.ID) {
		t.Fatalf("top 5 %v lack the kingfisher status %d", ids(got), target.ID)
	}
	for _, st := range got {
		if st.ID == hidden.ID {
			t.Error("a private status reached a stranger through full-text search")
		}
	}
	// Without a vector searcher, full text still answers.
	s2, _ := newService(t, Deps{}, DefaultConfig())
	carol := mustAccount(t, s2, "carol")
	st, err := s2.PostStatus(ctx, carol, StatusInput{Text: "heron"})
	if err != nil {
		t.Fatal(err)
	}
	got, err = s2.SearchStatuses(ctx, carol, StatusSearchInput{Query: "heron", Limit: 5})
	if err != nil || len(got) != 1 || got[0].ID != st.ID {
		t.Fatalf("full text alone: %v, %v", ids(got), err)
	}
}

func ids(sts []*store.Status) []int64 {
	out := make([]int64, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

package social

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestForYouAcceptsLazilyAndRefills: a ranking's candidates are loaded and
// filtered a chunk at a time, only as far as the page needs; when a whole
// chunk is filtered out the loop refills, so a page is short only when the
// candidates run out, and the author cap holds across pages.
func TestForYouAcceptsLazilyAndRefills(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	viewer := mustAccount(t, s, "vera")
	blocked := mustAccount(t, s, "bert")
	if _, err := s.Block(ctx, viewer, blocked.ID); err != nil {
		t.Fatal(err)
	}
	post := func(a *store.Account, text string) int64 {
		t.Helper()
		st, err := s.PostStatus(ctx, a, StatusInput{Text: text, Visibility: "public"})
		if err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	// The best candidates are all ones For-you must drop: a whole first
	// chunk of the viewer's own and the blocked author's statuses.
	var cands []int64
	for i := range forYouChunk / 2 {
		cands = append(cands, post(viewer, fmt.Sprintf("own %d", i)), post(blocked, fmt.Sprintf("blocked %d", i)))
	}
	// Then 13 authors with 4 statuses each, round by round: the fourth
	// round is over the cap of 3 per author.
	var authors []*store.Account
	for i := range 13 {
		authors = append(authors, mustAccount(t, s, fmt.Sprintf("author%d", i)))
	}
	var want []int64
	for round := range 4 {
		for _, a := range authors {
			id := post(a, fmt.Sprintf("%s round %d", a.Username, round))
			cands = append(cands, id)
			if round < forYouPerAuthor {
				want = append(want, id)
			}
		}
	}
	r := &forYouRanking{cands: cands}
	got, err := s.forYouPage(ctx, "test", viewer, r, store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[:20]) {
		t.Fatalf("first page = %v, want %v", got, want[:20])
	}
	if r.next >= len(cands) {
		t.Errorf("the first page examined all %d candidates, want only the chunks it needed", len(cands))
	}
	got, err = s.forYouPage(ctx, "test", viewer, r, store.Page{Limit: 20, MaxID: got[len(got)-1]})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[20:]) {
		t.Fatalf("second page = %v, want %v (the rest under the cap)", got, want[20:])
	}
	if got, err = s.forYouPage(ctx, "test", viewer, r, store.Page{Limit: 20, MaxID: got[len(got)-1]}); err != nil || len(got) != 0 {
		t.Fatalf("third page = %v, %v; want empty: the candidates ran out", got, err)
	}
	if got, err = s.forYouPage(ctx, "test", viewer, r, store.Page{Limit: 20, MaxID: cands[0]}); err != nil || len(got) != 0 {
		t.Fatalf("page after a status never accepted = %v, %v; want empty", got, err)
	}
}

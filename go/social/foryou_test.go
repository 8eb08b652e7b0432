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
	pageOf := func(pg store.Page) ([]int64, error) {
		t.Helper()
		ids, fresh, err := s.forYouPage(ctx, "test", viewer, r, pg)
		for _, st := range fresh {
			ids = append(ids, st.ID)
		}
		return ids, err
	}
	got, err := pageOf(store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[:20]) {
		t.Fatalf("first page = %v, want %v", got, want[:20])
	}
	if r.next >= len(cands) {
		t.Errorf("the first page examined all %d candidates, want only the chunks it needed", len(cands))
	}
	got, err = pageOf(store.Page{Limit: 20, MaxID: got[len(got)-1]})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[20:]) {
		t.Fatalf("second page = %v, want %v (the rest under the cap)", got, want[20:])
	}
	if got, err = pageOf(store.Page{Limit: 20, MaxID: got[len(got)-1]}); err != nil || len(got) != 0 {
		t.Fatalf("third page = %v, %v; want empty: the candidates ran out", got, err)
	}
	if got, err = pageOf(store.Page{Limit: 20, MaxID: cands[0]}); err != nil || len(got) != 0 {
		t.Fatalf("page after a status never accepted = %v, %v; want empty", got, err)
	}
}

// TestForYouWithRanker: with a ranker enabled, For-you hands it every
// filtered candidate at once and serves its order (it may drop, never
// add); with none enabled, Rank is never called.
func TestForYouWithRanker(t *testing.T) {
	for _, off := range []bool{false, true} {
		rk := &ranker{off: off}
		s, _ := newService(t, Deps{Ranker: rk}, DefaultConfig())
		ctx := context.Background()
		viewer := mustAccount(t, s, "vera")
		a, b := mustAccount(t, s, "ann"), mustAccount(t, s, "ben")
		for _, who := range []*store.Account{a, b} {
			if _, err := s.Follow(ctx, viewer, who.ID, FollowOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var posted []int64
		for i, who := range []*store.Account{a, b, a, b, viewer} {
			st, err := s.PostStatus(ctx, who, StatusInput{Text: fmt.Sprintf("post %d", i), Visibility: "public"})
			if err != nil {
				t.Fatal(err)
			}
			posted = append(posted, st.ID)
		}
		rk.order = []int64{posted[0], posted[3], posted[4]} // the viewer's own was no candidate
		got, err := s.ForYou(ctx, viewer, store.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(got))
		for i, st := range got {
			ids[i] = st.ID
		}
		if off {
			if rk.calls != 0 || len(ids) != 4 {
				t.Errorf("no ranker enabled: Rank called %d times, page %v; want 0 calls and the 4 network statuses", rk.calls, ids)
			}
			continue
		}
		if rk.calls != 1 || rk.got.Surface != "for_you" || len(rk.got.Candidates) != 4 {
			t.Fatalf("Rank called %d times with %+v; want once with the 4 candidates", rk.calls, rk.got)
		}
		if want := []int64{posted[0], posted[3]}; !slices.Equal(ids, want) {
			t.Errorf("page = %v, want the ranker's order without the viewer's own: %v", ids, want)
		}
	}
}

package storetest

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// expectPage computes, without SQL, what ListStatuses must return: the
// statuses matching the filters and every nonzero (exclusive) bound; with
// MinID set, the Limit oldest of them, otherwise the Limit newest; always
// newest first.
func expectPage(all []*store.Status, q store.StatusQuery) []int64 {
	p := q.Page
	var match []int64 // ascending, as all is
	for _, st := range all {
		switch {
		case !slices.Contains(q.AccountIDs, st.AccountID),
			!slices.Contains(q.Visibilities, st.Visibility),
			p.MaxID != 0 && st.ID >= p.MaxID,
			p.SinceID != 0 && st.ID <= p.SinceID,
			p.MinID != 0 && st.ID <= p.MinID:
			continue
		}
		match = append(match, st.ID)
	}
	if len(match) > p.Limit {
		if p.MinID != 0 {
			match = match[:p.Limit] // immediately above MinID
		} else {
			match = match[len(match)-p.Limit:] // immediately below MaxID
		}
	}
	slices.Reverse(match)
	if match == nil {
		match = []int64{}
	}
	return match
}

// exercisePagination shares one store among its subtests: they only read.
func exercisePagination(t *testing.T, newStore func(*testing.T) store.Store) {
	s, ctx := newStore(t), t.Context()

	// 60 statuses by three authors with mixed visibilities, ascending IDs.
	authors := []*store.Account{putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")}
	rng := rand.New(rand.NewPCG(1, 2))
	var all []*store.Status
	for i := range 60 {
		st := newStatus(authors[rng.IntN(len(authors))], i)
		st.Visibility = allVisibilities[rng.IntN(len(allVisibilities))]
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		all = append(all, st)
	}
	id := func(i int) int64 { return all[i].ID }
	everyone := []int64{authors[0].ID, authors[1].ID, authors[2].ID}
	page := func(p store.Page) store.StatusQuery {
		return store.StatusQuery{AccountIDs: everyone, Visibilities: allVisibilities, Page: p}
	}
	check := func(t *testing.T, q store.StatusQuery) []*store.Status {
		t.Helper()
		got, err := s.ListStatuses(ctx, q)
		if err != nil {
			t.Fatalf("ListStatuses(%s): %v", describe(q), err)
		}
		want := expectPage(all, q)
		if !slices.Equal(statusIDs(got), want) {
			t.Fatalf("ListStatuses(%s)\n got %v\nwant %v", describe(q), statusIDs(got), want)
		}
		checkListStatusIDs(t, s, q, want)
		return got
	}

	t.Run("Newest", func(t *testing.T) {
		got := check(t, page(store.Page{Limit: 20}))
		if len(got) != 20 || got[0].ID != id(59) {
			t.Fatalf("want the 20 newest, newest first")
		}
		// Rows come back whole.
		byID := map[int64]*store.Status{}
		for _, st := range all {
			byID[st.ID] = st
		}
		for _, st := range got {
			checkStatus(t, st, byID[st.ID])
		}
	})

	cases := []struct {
		name string
		q    store.StatusQuery
	}{
		{"Limit1", page(store.Page{Limit: 1})},
		{"LimitAboveRows", page(store.Page{Limit: 1000})},
		{"MaxID", page(store.Page{MaxID: id(40), Limit: 10})},
		{"MaxIDBetweenIDs", page(store.Page{MaxID: id(30) + 1, Limit: 5})},
		{"MaxIDBelowAll", page(store.Page{MaxID: id(0), Limit: 5})},
		{"SinceIDFewerThanLimit", page(store.Page{SinceID: id(50), Limit: 20})},
		// The newest 5, not the 5 just above SinceID: that is what MinID is for.
		{"SinceIDMoreThanLimit", page(store.Page{SinceID: id(10), Limit: 5})},
		{"MinID", page(store.Page{MinID: id(10), Limit: 5})},
		{"MinIDAboveAll", page(store.Page{MinID: id(59), Limit: 5})},
		{"MinIDFewerThanLimit", page(store.Page{MinID: id(55), Limit: 10})},
		{"MaxIDAndSinceID", page(store.Page{MaxID: id(30), SinceID: id(20), Limit: 5})},
		{"MaxIDAndMinID", page(store.Page{MaxID: id(30), MinID: id(20), Limit: 5})},
		{"MaxIDAndMinIDNarrow", page(store.Page{MaxID: id(13), MinID: id(10), Limit: 5})},
		{"EmptyWindow", page(store.Page{MaxID: id(10), SinceID: id(9), Limit: 5})},
		{"SinceIDAndMinID", page(store.Page{SinceID: id(30), MinID: id(20), Limit: 5})},
		{"AllBounds", page(store.Page{MaxID: id(50), SinceID: id(5), MinID: id(10), Limit: 7})},
		{"OneAuthor", store.StatusQuery{AccountIDs: everyone[:1], Visibilities: allVisibilities,
			Page: store.Page{Limit: 100}}},
		{"AuthorsAndAMissingOne", store.StatusQuery{AccountIDs: []int64{everyone[2], nextID(), everyone[0]},
			Visibilities: allVisibilities, Page: store.Page{MaxID: id(45), Limit: 8}}},
		{"PublicOnly", store.StatusQuery{AccountIDs: everyone,
			Visibilities: []store.Visibility{store.VisibilityPublic}, Page: store.Page{Limit: 100}}},
		{"PublicAndUnlistedWithMinID", store.StatusQuery{AccountIDs: everyone,
			Visibilities: []store.Visibility{store.VisibilityUnlisted, store.VisibilityPublic},
			Page:         store.Page{MinID: id(5), Limit: 6}}},
		{"NoAccounts", store.StatusQuery{Visibilities: allVisibilities, Page: store.Page{Limit: 10}}},
		{"EmptyAccounts", store.StatusQuery{AccountIDs: []int64{}, Visibilities: allVisibilities,
			Page: store.Page{Limit: 10}}},
		{"NoVisibilities", store.StatusQuery{AccountIDs: everyone, Page: store.Page{Limit: 10}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c.q) })
	}

	// Every combination of bounds, filters and limits against the oracle.
	t.Run("Grid", func(t *testing.T) {
		maxIDs := []int64{0, id(0), id(17), id(42) + 1, id(59), id(59) + 1}
		sinceIDs := []int64{0, id(3), id(25), id(59)}
		minIDs := []int64{0, id(0) - 1, id(12), id(40), id(58)}
		limits := []int{1, 4, 40}
		filters := []store.StatusQuery{
			{AccountIDs: everyone, Visibilities: allVisibilities},
			{AccountIDs: everyone[1:], Visibilities: allVisibilities[:2]},
			{AccountIDs: everyone[:1], Visibilities: allVisibilities[3:]},
		}
		n := 0
		for _, f := range filters {
			for _, maxID := range maxIDs {
				for _, sinceID := range sinceIDs {
					for _, minID := range minIDs {
						for _, limit := range limits {
							q := f
							q.Page = store.Page{MaxID: maxID, SinceID: sinceID, MinID: minID, Limit: limit}
							check(t, q)
							n++
						}
					}
				}
			}
		}
		t.Logf("%d queries matched the oracle", n)
	})

	// Paging forwards and backwards walks every row exactly once.
	t.Run("WalkBothWays", func(t *testing.T) {
		want := expectPage(all, page(store.Page{Limit: len(all)}))
		var down []int64
		for p := (store.Page{Limit: 7}); ; {
			got := check(t, page(p))
			if len(got) == 0 {
				break
			}
			down = append(down, statusIDs(got)...)
			p.MaxID = got[len(got)-1].ID
		}
		if !slices.Equal(down, want) {
			t.Errorf("walking down with max_id visited %v, want %v", down, want)
		}
		var up []int64
		for p := (store.Page{Limit: 7}); ; {
			p.MinID = max(p.MinID, 1) // MinID 0 would mean "no bound"
			got := check(t, page(p))
			if len(got) == 0 {
				break
			}
			up = append(statusIDs(got), up...)
			p.MinID = got[0].ID
		}
		if !slices.Equal(up, want) {
			t.Errorf("walking up with min_id visited %v, want %v", up, want)
		}
	})

	t.Run("LimitMustBePositive", func(t *testing.T) {
		for _, limit := range []int{0, -1} {
			if _, err := s.ListStatuses(ctx, page(store.Page{Limit: limit})); err == nil {
				t.Errorf("ListStatuses with limit %d: no error", limit)
			}
			if _, err := s.ListStatusIDs(ctx, page(store.Page{Limit: limit})); err == nil {
				t.Errorf("ListStatusIDs with limit %d: no error", limit)
			}
		}
	})
}

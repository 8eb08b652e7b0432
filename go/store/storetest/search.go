package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseTextSearch(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("Matches", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		post := func(n int, text, spoiler string) *store.Status {
			st := newStatus(alice, n)
			st.Text, st.SpoilerText = text, spoiler
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			return st
		}
		heron := post(1, "A grey Heron on the river bank", "")
		herons := post(2, "herons everywhere, heron heron", "")
		cw := post(3, "spoilers inside", "Heron sighting")
		other := post(4, "nothing to see: river only", "")
		accent := post(5, "café au lait", "")
		private := post(6, "a heron nobody may see", "") // the store does not filter

		cases := []struct {
			q    string
			want []int64 // as a set, unless ordered
		}{
			{"heron", []int64{heron.ID, herons.ID, cw.ID, private.ID}},
			{"HERON", []int64{heron.ID, herons.ID, cw.ID, private.ID}},
			{"heron river", []int64{heron.ID}},     // every word must match
			{`"heron" -river*`, []int64{heron.ID}}, // syntax is just separators
			{"river", []int64{heron.ID, other.ID}},
			{"café", []int64{accent.ID}},
			{"cafe", nil}, // accents are significant
			{"her", nil},  // whole words, no prefixes
			{"   ", nil},
			{"!!! ***", nil},
		}
		for _, c := range cases {
			got, err := s.SearchStatusIDsByText(ctx, c.q, 10)
			mustNot(t, err, "SearchStatusIDsByText "+c.q)
			if !sameIDs(got, c.want) {
				t.Errorf("SearchStatusIDsByText(%q) = %v, want %v (any order)", c.q, got, c.want)
			}
		}

		// Deleting a status takes it out of the index.
		_, _, err := s.DeleteStatusByID(ctx, heron.ID)
		mustNot(t, err, "DeleteStatusByID")
		got, err := s.SearchStatusIDsByText(ctx, "river", 10)
		mustNot(t, err, "SearchStatusIDsByText after delete")
		if !slices.Equal(got, []int64{other.ID}) {
			t.Errorf("river after deleting %d = %v, want [%d]", heron.ID, got, other.ID)
		}

		// The status using the word three times ranks above the ones using
		// it once, and limit keeps the best.
		got, err = s.SearchStatusIDsByText(ctx, "heron", 1)
		mustNot(t, err, "SearchStatusIDsByText limit 1")
		if !slices.Equal(got, []int64{herons.ID}) {
			t.Errorf("best match for heron = %v, want [%d]", got, herons.ID)
		}
	})

	t.Run("RanksTheNewestThousandMatches", func(t *testing.T) {
		// Ranking is bounded to the newest 1000 matches, so a common word
		// costs the same at any size: the oldest status, the best match by
		// far, is past the bound; the best among the newest 1000 wins.
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		bulk, ok := s.(store.BulkLoader)
		if !ok {
			t.Skip("no bulk load path")
		}
		author := &store.Account{ID: nextID(), Username: "bulk", CreatedAt: testTime(0)}
		batch := &store.BulkBatch{Accounts: []*store.Account{author}}
		for n := range 1002 {
			st := newStatus(author, n+1)
			st.Text = fmt.Sprintf("common filler words number %d", n)
			switch n {
			case 0:
				st.Text = "common common common common"
			case 500:
				st.Text = "common common filler"
			}
			batch.Statuses = append(batch.Statuses, st)
		}
		oldest, best := batch.Statuses[0].ID, batch.Statuses[500].ID
		mustNot(t, bulk.BulkLoad(ctx, store.BatchesOf(batch)), "BulkLoad")
		got, err := s.SearchStatusIDsByText(ctx, "common", 3)
		mustNot(t, err, "SearchStatusIDsByText")
		if len(got) != 3 || got[0] != best || slices.Contains(got, oldest) {
			t.Errorf("common = %v, want %d first and not %d (past the newest 1000)", got, best, oldest)
		}
		got, err = s.SearchStatusIDsByText(ctx, "common common", 1)
		mustNot(t, err, "SearchStatusIDsByText")
		if !slices.Equal(got, []int64{best}) {
			t.Errorf("common common = %v, want [%d]", got, best)
		}
	})

	t.Run("SeesStatusesPostedBeforeAndAfterMigrate", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		st := newStatus(alice, 1)
		st.Text = "kingfisher"
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		mustNot(t, s.Migrate(ctx), "Migrate again")
		got, err := s.SearchStatusIDsByText(ctx, "kingfisher", 10)
		mustNot(t, err, "SearchStatusIDsByText")
		if !slices.Equal(got, []int64{st.ID}) {
			t.Errorf("SearchStatusIDsByText = %v, want [%d]", got, st.ID)
		}
	})
}

// sameIDs compares as sets.
func sameIDs(got, want []int64) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

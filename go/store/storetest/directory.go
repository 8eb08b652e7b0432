package storetest

import (
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseDirectory(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("OrdersAndHides", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		quiet, poster, early, hidden := putAccount(t, s, "quiet"), putAccount(t, s, "poster"), putAccount(t, s, "early"), putAccount(t, s, "hidden")
		hidden.Discoverable = false
		mustNot(t, s.UpdateAccount(ctx, hidden, "discoverable"), "UpdateAccount")
		mustNot(t, s.PutStatus(ctx, newStatus(early, 1)), "PutStatus early")
		mustNot(t, s.PutStatus(ctx, newStatus(poster, 2)), "PutStatus poster")
		ids := func(as []*store.Account) []int64 {
			out := []int64{}
			for _, a := range as {
				out = append(out, a.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			q    store.DirectoryQuery
			want []int64
		}{
			{"active", store.DirectoryQuery{Limit: 10}, []int64{poster.ID, early.ID, quiet.ID}},
			{"new", store.DirectoryQuery{New: true, Limit: 10}, []int64{early.ID, poster.ID, quiet.ID}},
			{"offset", store.DirectoryQuery{Limit: 1, Offset: 1}, []int64{early.ID}},
			{"exclude", store.DirectoryQuery{Limit: 10, ExcludeIDs: []int64{early.ID}}, []int64{poster.ID, quiet.ID}},
		} {
			got, err := s.ListDirectory(ctx, tc.q)
			mustNot(t, err, "ListDirectory "+tc.name)
			checkIDs(t, "directory "+tc.name, ids(got), tc.want)
		}
		if _, err := s.ListDirectory(ctx, store.DirectoryQuery{Limit: 0}); err == nil {
			t.Error("ListDirectory with limit 0 succeeded")
		}
	})
}

package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseStatuses(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("HomeCandidates", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		me, a, b, o := putAccount(t, s, "me"), putAccount(t, s, "a"), putAccount(t, s, "b"), putAccount(t, s, "o")
		with := func(st *store.Status, vis store.Visibility, mentions ...*store.Account) *store.Status {
			st.Visibility = vis
			return putStatusW(t, s, &store.StatusWrite{Status: st, Mentions: accountIDs(mentions...)})
		}
		pub := with(newStatus(a, 1), store.VisibilityPublic)
		toMe := with(newStatus(a, 2), store.VisibilityDirect, me, o)
		toO := with(newStatus(a, 3), store.VisibilityDirect, o)
		priv := with(newStatus(a, 4), store.VisibilityPrivate, me)
		rb := reblogOf(b, pub, 5)
		mustNot(t, s.PutStatus(ctx, rb), "reblog by b")
		own := with(newStatus(b, 6), store.VisibilityPublic)
		with(newStatus(o, 7), store.VisibilityDirect, me) // o is not among the authors asked for

		home := []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate}
		for _, c := range []struct {
			name string
			q    store.StatusQuery
			want []*store.Status
		}{
			{"plain", store.StatusQuery{Visibilities: home}, []*store.Status{own, rb, priv, pub}},
			{"direct to me", store.StatusQuery{Visibilities: home, DirectMentioning: me.ID},
				[]*store.Status{own, rb, priv, toMe, pub}},
			{"only direct to me", store.StatusQuery{DirectMentioning: me.ID}, []*store.Status{toMe}},
			{"direct to o", store.StatusQuery{DirectMentioning: o.ID}, []*store.Status{toO, toMe}},
			{"b's reblogs hidden", store.StatusQuery{Visibilities: home, DirectMentioning: me.ID, HideReblogsOf: []int64{b.ID}},
				[]*store.Status{own, priv, toMe, pub}},
			{"another's reblogs hidden", store.StatusQuery{Visibilities: home, HideReblogsOf: []int64{o.ID}},
				[]*store.Status{own, rb, priv, pub}},
			{"paged", store.StatusQuery{Visibilities: home, DirectMentioning: me.ID, HideReblogsOf: []int64{b.ID},
				Page: store.Page{Limit: 2, MaxID: priv.ID}}, []*store.Status{toMe, pub}},
			{"min_id", store.StatusQuery{Visibilities: home, DirectMentioning: me.ID, HideReblogsOf: []int64{b.ID},
				Page: store.Page{Limit: 2, MinID: pub.ID}}, []*store.Status{priv, toMe}},
		} {
			c.q.AccountIDs = accountIDs(a, b)
			if c.q.Page.Limit == 0 {
				c.q.Page = everything
			}
			got, err := s.ListStatuses(ctx, c.q)
			mustNot(t, err, "ListStatuses "+c.name)
			if g, w := statusIDs(got), statusIDs(c.want); !slices.Equal(g, w) {
				t.Errorf("%s: got %v, want %v", c.name, g, w)
			}
			checkListStatusIDs(t, s, c.q, statusIDs(c.want))
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")

		parent := newStatus(alice, 1)
		full := &store.Status{
			ID:                 nextID(),
			AccountID:          alice.ID,
			InReplyToID:        parent.ID,
			InReplyToAccountID: alice.ID,
			Text:               "hello @bob ✨",
			Content:            `<p>hello <span class="h-card">@bob</span> ✨</p>`,
			SpoilerText:        "greetings",
			Sensitive:          true,
			Visibility:         store.VisibilityUnlisted,
			Language:           "fr",
			CreatedAt:          testTime(2),
			Embedding:          []float32{0.25, -1.5, 3e-7},
		}
		// Not a reply, no embedding, empty strings.
		bare := &store.Status{ID: nextID(), AccountID: alice.ID, Visibility: store.VisibilityDirect, CreatedAt: testTime(3)}

		for _, st := range []*store.Status{parent, full, bare} {
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
		}
		parent.RepliesCount = 1 // full replies to it; the store keeps the count
		for _, want := range []*store.Status{parent, full, bare} {
			got, err := s.GetStatusByID(ctx, want.ID)
			mustNot(t, err, "GetStatusByID")
			checkStatus(t, got, want)
		}
	})

	t.Run("EveryVisibility", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		for i, v := range allVisibilities {
			st := newStatus(alice, i)
			st.Visibility = v
			mustNot(t, s.PutStatus(ctx, st), "PutStatus "+string(v))
			got, err := s.GetStatusByID(ctx, st.ID)
			mustNot(t, err, "GetStatusByID")
			if got.Visibility != v {
				t.Errorf("visibility %q came back as %q", v, got.Visibility)
			}
		}
	})

	t.Run("CountsAndLastStatusAt", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")

		if got := getAccount(t, s, alice.ID); got.LastStatusAt != nil {
			t.Errorf("LastStatusAt before any status = %v, want nil", got.LastStatusAt)
		}
		newer, older := newStatus(alice, 20), newStatus(alice, 10)
		mustNot(t, s.PutStatus(ctx, newer), "PutStatus newer")
		got := getAccount(t, s, alice.ID)
		checkTimePtr(t, "LastStatusAt after one status", got.LastStatusAt, &newer.CreatedAt)

		// A status created earlier (an import, a delayed write) counts but
		// does not move LastStatusAt back.
		mustNot(t, s.PutStatus(ctx, older), "PutStatus older")
		got = getAccount(t, s, alice.ID)
		checkTimePtr(t, "LastStatusAt after an older status", got.LastStatusAt, &newer.CreatedAt)
		checkCounts(t, s, alice, 0, 0, 2)
		checkCounts(t, s, bob, 0, 0, 0)
		if got := getAccount(t, s, bob.ID); got.LastStatusAt != nil {
			t.Errorf("bob's LastStatusAt = %v, want nil", got.LastStatusAt)
		}
	})

	t.Run("DuplicateID", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		first := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, first), "PutStatus")
		dup := newStatus(alice, 2)
		dup.ID = first.ID
		mustBeErrConflict(t, s.PutStatus(ctx, dup), "PutStatus with a taken ID")
		checkCounts(t, s, alice, 0, 0, 1)
		got, err := s.GetStatusByID(ctx, first.ID)
		mustNot(t, err, "GetStatusByID")
		checkStatus(t, got, first)
	})

	t.Run("MissingAccount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		st := newStatus(newAccount("ghost"), 1)
		if err := s.PutStatus(ctx, st); err == nil {
			t.Fatal("PutStatus by a missing account succeeded")
		}
		_, err := s.GetStatusByID(ctx, st.ID)
		mustBeErrNotFound(t, err, "GetStatusByID of the rejected status")
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		_, err := s.GetStatusByID(ctx, nextID())
		mustBeErrNotFound(t, err, "GetStatusByID missing")
	})

	t.Run("GetStatusesByIDs", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var put []*store.Status
		for i := range 4 {
			st := newStatus(alice, i)
			mustNot(t, s.PutStatus(ctx, st), "PutStatus")
			put = append(put, st)
		}
		got, err := s.GetStatusesByIDs(ctx, []int64{put[3].ID, nextID(), put[1].ID})
		mustNot(t, err, "GetStatusesByIDs")
		slices.SortFunc(got, func(x, y *store.Status) int { return cmpID(x.ID, y.ID) })
		if len(got) != 2 {
			t.Fatalf("GetStatusesByIDs(s3, missing, s1) returned %d statuses, want 2 (missing skipped)", len(got))
		}
		checkStatus(t, got[0], put[1])
		checkStatus(t, got[1], put[3])

		for _, empty := range [][]int64{nil, {}, {nextID()}} {
			got, err := s.GetStatusesByIDs(ctx, empty)
			mustNot(t, err, "GetStatusesByIDs with nothing to find")
			if len(got) != 0 {
				t.Errorf("GetStatusesByIDs(%v) returned %d statuses, want 0", empty, len(got))
			}
		}
	})

	t.Run("ConcurrentCountsMatchRows", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		const goroutines, each = 8, 10
		authors := []*store.Account{putAccount(t, s, "alice"), putAccount(t, s, "bob")}
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					st := newStatus(authors[(g+i)%len(authors)], g*each+i)
					if err := s.PutStatus(ctx, st); err != nil {
						t.Errorf("PutStatus: %v", err)
					}
				}
			})
		}
		wg.Wait()
		for _, a := range authors {
			rows, err := s.ListStatuses(ctx, store.StatusQuery{
				AccountIDs: []int64{a.ID}, Visibilities: allVisibilities, Page: store.Page{Limit: 1000},
			})
			mustNot(t, err, "ListStatuses")
			want := int64(goroutines * each / len(authors))
			if int64(len(rows)) != want {
				t.Errorf("%s has %d statuses, want %d", a.Username, len(rows), want)
			}
			checkCounts(t, s, a, 0, 0, int64(len(rows)))
		}
	})
}

var allVisibilities = []store.Visibility{
	store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect,
}

// statusIDs lists the IDs of statuses, in their order.
// checkListStatusIDs checks that ListStatusIDs answers q with want, the
// IDs ListStatuses answers it with.
func checkListStatusIDs(t *testing.T, s store.Store, q store.StatusQuery, want []int64) {
	t.Helper()
	got, err := s.ListStatusIDs(t.Context(), q)
	if err != nil {
		t.Fatalf("ListStatusIDs(%s): %v", describe(q), err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListStatusIDs(%s)\n got %v\nwant %v", describe(q), got, want)
	}
}

func statusIDs(sts []*store.Status) []int64 {
	out := make([]int64, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

// describe names a query in a failure message.
func describe(q store.StatusQuery) string {
	return fmt.Sprintf("accounts=%d visibilities=%v max=%d since=%d min=%d limit=%d",
		len(q.AccountIDs), q.Visibilities, q.Page.MaxID, q.Page.SinceID, q.Page.MinID, q.Page.Limit)
}

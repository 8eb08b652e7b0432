package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func newTagFollow(a *store.Account, name string, n int) *store.TagFollow {
	return &store.TagFollow{ID: nextID(), AccountID: a.ID, Name: name, CreatedAt: testTime(n)}
}

func tagFollowNames(fs []*store.TagFollow) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func exerciseTagFollows(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("FollowListLimit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		first := newTagFollow(alice, "cats", 1)
		mustNot(t, s.PutTagFollow(ctx, first, 3), "PutTagFollow")
		mustNot(t, s.PutTagFollow(ctx, newTagFollow(alice, "dogs", 2), 3), "PutTagFollow")
		mustNot(t, s.PutTagFollow(ctx, newTagFollow(alice, "birds", 3), 3), "PutTagFollow")
		// At the limit a repeat is a conflict, a new one a limit.
		mustBeErrConflict(t, s.PutTagFollow(ctx, newTagFollow(alice, "cats", 4), 3), "PutTagFollow twice")
		if err := s.PutTagFollow(ctx, newTagFollow(alice, "fish", 5), 3); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("fourth tag with max 3: %v, want one wrapping store.ErrLimit", err)
		}
		mustBeErrNotFound(t, s.PutTagFollow(ctx, &store.TagFollow{ID: nextID(), AccountID: nextID(), Name: "cats",
			CreatedAt: testTime(6)}, 3), "PutTagFollow by a missing account")
		mustNot(t, s.PutTagFollow(ctx, newTagFollow(bob, "cats", 7), 3), "PutTagFollow bob")
		mustNot(t, s.PutTagFollow(ctx, newTagFollow(carol, "dogs", 8), 3), "PutTagFollow carol")

		all, err := s.ListTagFollows(ctx, alice.ID, store.Page{Limit: 10})
		mustNot(t, err, "ListTagFollows")
		if got := tagFollowNames(all); !slices.Equal(got, []string{"birds", "dogs", "cats"}) {
			t.Errorf("alice's followed tags = %v, want newest first", got)
		}
		checkTime(t, "TagFollow.CreatedAt", all[2].CreatedAt, first.CreatedAt)
		if all[2].ID != first.ID || all[2].AccountID != alice.ID {
			t.Errorf("oldest follow = %+v, want %+v", all[2], first)
		}
		page, err := s.ListTagFollows(ctx, alice.ID, store.Page{Limit: 1, MaxID: all[0].ID})
		mustNot(t, err, "ListTagFollows page")
		if got := tagFollowNames(page); !slices.Equal(got, []string{"dogs"}) {
			t.Errorf("page below the newest = %v, want [dogs]", got)
		}
		names, err := s.GetFollowedTagNames(ctx, alice.ID)
		mustNot(t, err, "GetFollowedTagNames")
		if !slices.Equal(names, []string{"birds", "cats", "dogs"}) {
			t.Errorf("GetFollowedTagNames = %v, want ascending", names)
		}
		followers, err := s.GetTagFollowerIDs(ctx, []string{"cats", "dogs", "nothing"}, 10)
		mustNot(t, err, "GetTagFollowerIDs")
		checkIDs(t, "followers of cats or dogs", followers, sortedIDs(alice, bob, carol))
		followers, err = s.GetTagFollowerIDs(ctx, []string{"cats", "dogs"}, 2)
		mustNot(t, err, "GetTagFollowerIDs limit 2")
		checkIDs(t, "followers, limit 2", followers, sortedIDs(alice, bob, carol)[:2])

		mustNot(t, s.DeleteTagFollow(ctx, alice.ID, "cats"), "DeleteTagFollow")
		mustBeErrNotFound(t, s.DeleteTagFollow(ctx, alice.ID, "cats"), "DeleteTagFollow twice")
		mustNot(t, s.PutTagFollow(ctx, newTagFollow(alice, "fish", 9), 3), "PutTagFollow after unfollowing")
	})

	t.Run("ConcurrentFollowsKeepTheLimit", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() { errs[i] = s.PutTagFollow(ctx, newTagFollow(alice, string(rune('a'+i)), i), 3) })
		}
		wg.Wait()
		var ok, limited int
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrLimit):
				limited++
			default:
				t.Fatalf("concurrent PutTagFollow: %v", err)
			}
		}
		if ok != 3 || limited != 3 {
			t.Errorf("%d follows stored and %d limited, want 3 and 3", ok, limited)
		}
	})

	t.Run("PublicTaggedStatuses", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		pub := store.VisibilityPublic
		cats := putTagged(t, s, alice, 5*time.Hour, pub, "cats")
		dogs := putTagged(t, s, bob, 4*time.Hour, pub, "dogs", "cats")
		// A reply to someone else still counts (Mastodon's hashtag fan-out
		// delivers it); unlisted, private, direct and reblogs do not.
		reply := newStatus(bob, 0)
		reply.InReplyToID, reply.InReplyToAccountID, reply.CreatedAt = cats.ID, alice.ID, trendNow.Add(-3*time.Hour)
		putStatusW(t, s, &store.StatusWrite{Status: reply, Tags: []string{"cats"}})
		putTagged(t, s, bob, 2*time.Hour, store.VisibilityUnlisted, "cats")
		putTagged(t, s, bob, 2*time.Hour, store.VisibilityPrivate, "cats")
		putTagged(t, s, bob, 2*time.Hour, store.VisibilityDirect, "cats")
		putTagged(t, s, bob, 2*time.Hour, pub, "birds")
		putStatusW(t, s, &store.StatusWrite{Status: reblogOf(bob, cats, 1)})

		got, err := s.ListPublicTaggedStatuses(ctx, []string{"cats", "dogs"}, store.Page{Limit: 10})
		mustNot(t, err, "ListPublicTaggedStatuses")
		checkIDs(t, "tagged statuses", statusIDs(got), []int64{reply.ID, dogs.ID, cats.ID})
		got, err = s.ListPublicTaggedStatuses(ctx, []string{"cats"}, store.Page{Limit: 1, MinID: cats.ID})
		mustNot(t, err, "ListPublicTaggedStatuses min_id")
		checkIDs(t, "the page just above cats", statusIDs(got), []int64{dogs.ID})
		got, err = s.ListPublicTaggedStatuses(ctx, nil, store.Page{Limit: 10})
		mustNot(t, err, "ListPublicTaggedStatuses of no tags")
		checkIDs(t, "no tags", statusIDs(got), nil)
	})

	t.Run("FeaturedTags", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		ft := func(name string, n int) *store.FeaturedTag {
			return &store.FeaturedTag{ID: nextID(), AccountID: alice.ID, Name: name, CreatedAt: testTime(n)}
		}
		cats, dogs := ft("cats", 1), ft("dogs", 2)
		mustNot(t, s.PutFeaturedTag(ctx, cats, 2), "PutFeaturedTag")
		mustNot(t, s.PutFeaturedTag(ctx, dogs, 2), "PutFeaturedTag")
		mustBeErrConflict(t, s.PutFeaturedTag(ctx, ft("cats", 3), 2), "PutFeaturedTag twice")
		if err := s.PutFeaturedTag(ctx, ft("fish", 4), 2); !errors.Is(err, store.ErrLimit) {
			t.Fatalf("third featured tag with max 2: %v, want ErrLimit", err)
		}
		got, err := s.ListFeaturedTags(ctx, alice.ID)
		mustNot(t, err, "ListFeaturedTags")
		if len(got) != 2 || got[0].ID != cats.ID || got[0].Name != "cats" || got[1].ID != dogs.ID || got[0].AccountID != alice.ID {
			t.Fatalf("featured tags = %+v, want cats then dogs", got)
		}
		checkTime(t, "FeaturedTag.CreatedAt", got[0].CreatedAt, cats.CreatedAt)
		mustBeErrNotFound(t, s.DeleteFeaturedTag(ctx, bob.ID, cats.ID), "DeleteFeaturedTag of someone else's")
		mustNot(t, s.DeleteFeaturedTag(ctx, alice.ID, cats.ID), "DeleteFeaturedTag")
		mustBeErrNotFound(t, s.DeleteFeaturedTag(ctx, alice.ID, cats.ID), "DeleteFeaturedTag twice")

		// Usage: alice's public and unlisted originals only.
		pub := store.VisibilityPublic
		putTagged(t, s, alice, 3*time.Hour, pub, "cats")
		newest := putTagged(t, s, alice, time.Hour, store.VisibilityUnlisted, "cats", "dogs")
		putTagged(t, s, alice, time.Minute, store.VisibilityPrivate, "cats")
		putTagged(t, s, alice, time.Minute, store.VisibilityDirect, "cats")
		putTagged(t, s, bob, time.Minute, pub, "cats")
		putStatusW(t, s, &store.StatusWrite{Status: reblogOf(alice, putTagged(t, s, bob, 2*time.Minute, pub, "cats"), 1)})
		usage, err := s.GetTagUsage(ctx, alice.ID, []string{"dogs", "cats", "fish"})
		mustNot(t, err, "GetTagUsage")
		if len(usage) != 3 || usage[0].Name != "dogs" || usage[0].StatusesCount != 1 ||
			usage[1].Name != "cats" || usage[1].StatusesCount != 2 ||
			usage[2].Name != "fish" || usage[2].StatusesCount != 0 || usage[2].LastStatusAt != nil {
			t.Fatalf("usage = %+v, want dogs 1, cats 2, fish 0 in that order", usage)
		}
		checkTimePtr(t, "TagUsage.LastStatusAt", usage[1].LastStatusAt, &newest.CreatedAt)
	})

	t.Run("RecentlyUsedTags", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		pub := store.VisibilityPublic
		putTagged(t, s, alice, 9*time.Hour, pub, "old")
		putTagged(t, s, alice, 5*time.Hour, pub, "cats", "dogs")
		putTagged(t, s, alice, 4*time.Hour, store.VisibilityPrivate, "cats")
		putTagged(t, s, alice, 3*time.Hour, pub, "birds", "cats")
		putTagged(t, s, alice, 2*time.Hour, pub, "ants")
		putTagged(t, s, bob, time.Hour, pub, "zebra", "zebra2")
		// The newest 4 statuses: cats 3, then ants, birds and dogs once each.
		got, err := s.ListRecentlyUsedTags(ctx, alice.ID, 4, []string{"birds"}, 3)
		mustNot(t, err, "ListRecentlyUsedTags")
		if !slices.Equal(got, []string{"cats", "ants", "dogs"}) {
			t.Errorf("recently used = %v, want [cats ants dogs]", got)
		}
		got, err = s.ListRecentlyUsedTags(ctx, alice.ID, 100, nil, 10)
		mustNot(t, err, "ListRecentlyUsedTags without exclusions")
		if !slices.Equal(got, []string{"cats", "ants", "birds", "dogs", "old"}) {
			t.Errorf("recently used = %v, want [cats ants birds dogs old]", got)
		}
	})
}

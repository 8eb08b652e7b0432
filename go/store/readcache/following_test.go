package readcache_test

import (
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// Followees and hidden reblogs served from memory follow each write that
// changes them, though each was read (and cached) just before it.
func TestFollowingAndHiddenReblogsFollowWrites(t *testing.T) {
	ctx := t.Context()
	s := readcache.New(sqlitetest.NewStore(t), 0)
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var ids []int64
	for i, name := range []string{"me", "a", "b"} {
		a := &store.Account{ID: int64(100 + i), Username: name, CreatedAt: at}
		if err := s.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	me := ids[0]
	check := func(step string, wantFollowing, wantHidden []int64) {
		t.Helper()
		for range 2 { // the second answer from memory
			following, err := s.GetFollowingIDs(ctx, me)
			if err != nil {
				t.Fatal(err)
			}
			hidden, err := s.GetReblogsHiddenIDs(ctx, me)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(following, wantFollowing) || !slices.Equal(hidden, wantHidden) {
				t.Fatalf("%s: following %v, hidden %v; want %v, %v", step, following, hidden, wantFollowing, wantHidden)
			}
		}
	}
	check("nothing yet", nil, nil)
	f := &store.Follow{ID: 1, AccountID: me, TargetAccountID: ids[1], ShowReblogs: true, CreatedAt: at}
	if err := s.PutFollow(ctx, f); err != nil {
		t.Fatal(err)
	}
	check("followed a", []int64{ids[1]}, nil)
	if err := s.PutFollow(ctx, &store.Follow{ID: 2, AccountID: me, TargetAccountID: ids[2], CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	check("followed b hiding reblogs", []int64{ids[1], ids[2]}, []int64{ids[2]})
	f.ShowReblogs = false
	if err := s.UpdateFollow(ctx, f, "show_reblogs"); err != nil {
		t.Fatal(err)
	}
	check("hid a's reblogs", []int64{ids[1], ids[2]}, []int64{ids[1], ids[2]})
	if err := s.DeleteFollow(ctx, me, ids[2]); err != nil {
		t.Fatal(err)
	}
	check("unfollowed b", []int64{ids[1]}, []int64{ids[1]})
	if err := s.PutBlock(ctx, &store.Block{ID: 3, AccountID: ids[1], TargetAccountID: me, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	check("blocked by a", nil, nil)
	// The caller may change what it got without changing the cache.
	if err := s.PutFollow(ctx, &store.Follow{ID: 4, AccountID: me, TargetAccountID: ids[2], CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a miss, then a hit
		got, _ := s.GetFollowingIDs(ctx, me)
		got[0] = -1
	}
	check("followed b again", []int64{ids[2]}, []int64{ids[2]})
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// mustBeErrBlocked fails unless err wraps store.ErrBlocked.
func mustBeErrBlocked(t *testing.T, err error, op string) {
	t.Helper()
	if !errors.Is(err, store.ErrBlocked) {
		t.Fatalf("%s: error %v, want one wrapping store.ErrBlocked", op, err)
	}
}

// exerciseFollowRequestBlocks checks that a follow request is never made
// across a block, never outlives one, and never becomes a follow across
// one, even when the request (or its authorization) races the block.
func exerciseFollowRequestBlocks(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RequestAcrossBlockRefused", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		asker, locked := putAccount(t, s, "asker"), putAccount(t, s, "locked")
		mustNot(t, s.PutBlock(ctx, newBlock(locked, asker)), "PutBlock locked→asker")
		mustBeErrBlocked(t, s.PutFollowRequest(ctx, newFollowRequest(asker, locked)), "PutFollowRequest by the blocked")
		mustBeErrBlocked(t, s.PutFollowRequest(ctx, newFollowRequest(locked, asker)), "PutFollowRequest by the blocker")
		for _, e := range [][2]*store.Account{{asker, locked}, {locked, asker}} {
			_, err := s.GetFollowRequest(ctx, e[0].ID, e[1].ID)
			mustBeErrNotFound(t, err, fmt.Sprintf("GetFollowRequest %s→%s", e[0].Username, e[1].Username))
		}
	})

	t.Run("AuthorizeAfterBlock", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		asker, locked := putAccount(t, s, "asker"), putAccount(t, s, "locked")
		mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(asker, locked)), "PutFollowRequest")
		mustNot(t, s.PutBlock(ctx, newBlock(asker, locked)), "PutBlock asker→locked")
		_, err := s.AuthorizeFollowRequest(ctx, asker.ID, locked.ID, nextID(), testTime(5))
		mustBeErrNotFound(t, err, "AuthorizeFollowRequest after the block")
		_, err = s.GetFollow(ctx, asker.ID, locked.ID)
		mustBeErrNotFound(t, err, "GetFollow after the block")
		checkCounts(t, s, locked, 0, 0, 0)
	})

	// The race reported against the server: 4 of 60 concurrent
	// follow-request + block rounds left a pending request, which authorize
	// then turned into a follow across the block.
	t.Run("ConcurrentRequestsAndBlocks", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		exerciseRequestBlockRace(t, s)
	})
}

// exerciseRequestBlockRace runs rounds of a follow request racing a block
// of the asker, and of an authorization racing a block, all at once, then
// checks that no request or follow crosses a block.
func exerciseRequestBlockRace(t *testing.T, s store.Store) {
	const rounds = 60
	ctx := t.Context()
	type pair struct{ asker, locked *store.Account }
	requests := make([]pair, rounds)   // request races block
	authorizes := make([]pair, rounds) // authorize races block
	for i := range rounds {
		requests[i] = pair{putAccount(t, s, fmt.Sprintf("asker%d", i)), putAccount(t, s, fmt.Sprintf("locked%d", i))}
		authorizes[i] = pair{putAccount(t, s, fmt.Sprintf("granted%d", i)), putAccount(t, s, fmt.Sprintf("granter%d", i))}
		mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(authorizes[i].asker, authorizes[i].locked)), "PutFollowRequest")
	}
	block := func(p pair) {
		if err := s.PutBlock(ctx, newBlock(p.locked, p.asker)); err != nil {
			t.Errorf("PutBlock %s→%s: %v", p.locked.Username, p.asker.Username, err)
		}
	}
	var wg sync.WaitGroup
	for i := range rounds {
		wg.Go(func() {
			p := requests[i]
			if err := s.PutFollowRequest(ctx, newFollowRequest(p.asker, p.locked)); err != nil && !errors.Is(err, store.ErrBlocked) {
				t.Errorf("PutFollowRequest %s→%s: %v", p.asker.Username, p.locked.Username, err)
			}
		})
		wg.Go(func() { block(requests[i]) })
		wg.Go(func() {
			p := authorizes[i]
			_, err := s.AuthorizeFollowRequest(ctx, p.asker.ID, p.locked.ID, nextID(), testTime(6))
			if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrBlocked) {
				t.Errorf("AuthorizeFollowRequest %s→%s: %v", p.asker.Username, p.locked.Username, err)
			}
		})
		wg.Go(func() { block(authorizes[i]) })
	}
	wg.Wait()

	left := 0
	for _, p := range append(requests, authorizes...) {
		if _, err := s.GetFollowRequest(ctx, p.asker.ID, p.locked.ID); !errors.Is(err, store.ErrNotFound) {
			left++
			t.Errorf("a follow request %s→%s survived the block (GetFollowRequest: %v)", p.asker.Username, p.locked.Username, err)
		}
		// Authorizing what is left must not make a follow across the block.
		if _, err := s.AuthorizeFollowRequest(ctx, p.asker.ID, p.locked.ID, nextID(), testTime(7)); err == nil {
			t.Errorf("AuthorizeFollowRequest %s→%s across the block succeeded", p.asker.Username, p.locked.Username)
		}
		if _, err := s.GetFollow(ctx, p.asker.ID, p.locked.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s follows %s across the block (GetFollow: %v)", p.asker.Username, p.locked.Username, err)
		}
		checkCounts(t, s, p.locked, 0, 0, 0)
		checkCounts(t, s, p.asker, 0, 0, 0)
	}
	if left > 0 {
		t.Errorf("%d of %d requests survived a block", left, 2*rounds)
	}
}

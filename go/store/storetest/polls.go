package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

func exercisePolls(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTripVoteResults", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		st := newStatus(alice, 1)
		p := &store.Poll{ID: nextID(), StatusID: st.ID, AccountID: alice.ID, Options: []string{"tea", "cöffee", "neither"},
			Multiple: true, HideTotals: true, ExpiresAt: testTime(3600), CreatedAt: testTime(1)}
		putStatusW(t, s, &store.StatusWrite{Status: st, Poll: p})
		got, err := s.GetPollByID(ctx, p.ID)
		mustNot(t, err, "GetPollByID")
		checkTime(t, "expires_at", got.ExpiresAt, p.ExpiresAt)
		checkTime(t, "created_at", got.CreatedAt, p.CreatedAt)
		want := *p
		want.ExpiresAt, want.CreatedAt = got.ExpiresAt, got.CreatedAt
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("poll = %+v, want %+v", got, &want)
		}
		byStatus, err := s.GetStatusPolls(ctx, []int64{st.ID, nextID()})
		mustNot(t, err, "GetStatusPolls")
		if len(byStatus) != 1 || byStatus[st.ID].ID != p.ID {
			t.Errorf("GetStatusPolls = %v", byStatus)
		}
		mustNot(t, s.PutPollVotes(ctx, p.ID, bob.ID, []int{0, 2}, testTime(5)), "bob votes")
		mustNot(t, s.PutPollVotes(ctx, p.ID, carol.ID, []int{2}, testTime(6)), "carol votes")
		mustBeErrConflict(t, s.PutPollVotes(ctx, p.ID, bob.ID, []int{1}, testTime(7)), "bob votes again")
		mustBeErrNotFound(t, s.PutPollVotes(ctx, nextID(), bob.ID, []int{0}, testTime(7)), "a vote in a missing poll")
		res, err := s.GetPollResults(ctx, []int64{p.ID})
		mustNot(t, err, "GetPollResults")
		r := res[p.ID]
		if r == nil || r.Votes != 3 || r.Voters != 2 || r.PerOption[0] != 1 || r.PerOption[1] != 0 || r.PerOption[2] != 2 {
			t.Errorf("results = %+v", r)
		}
		votes, err := s.GetPollVotes(ctx, bob.ID, []int64{p.ID})
		mustNot(t, err, "GetPollVotes")
		if !reflect.DeepEqual(votes[p.ID], []int{0, 2}) {
			t.Errorf("bob's votes = %v", votes)
		}
		// The poll and its votes go with the status.
		_, _, err = s.DeleteStatusByID(ctx, st.ID)
		mustNot(t, err, "DeleteStatusByID")
		_, err = s.GetPollByID(ctx, p.ID)
		mustBeErrNotFound(t, err, "poll of a deleted status")
	})

	// One vote per account, whatever the race: 8 goroutines per account
	// vote at once; exactly one of each account's wins.
	t.Run("ConcurrentVotesExact", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		st := newStatus(alice, 1)
		p := &store.Poll{ID: nextID(), StatusID: st.ID, AccountID: alice.ID, Options: []string{"a", "b"},
			ExpiresAt: testTime(3600), CreatedAt: testTime(1)}
		putStatusW(t, s, &store.StatusWrite{Status: st, Poll: p})
		var voters []*store.Account
		for _, n := range []string{"v1", "v2", "v3", "v4", "v5"} {
			voters = append(voters, putAccount(t, s, n))
		}
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			wins      = map[int64]int{}
			conflicts int
		)
		for _, v := range voters {
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.PutPollVotes(ctx, p.ID, v.ID, []int{i % 2}, time.Now())
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						wins[v.ID]++
					case errors.Is(err, store.ErrConflict):
						conflicts++
					default:
						t.Errorf("vote: %v", err)
					}
				}()
			}
		}
		wg.Wait()
		for _, v := range voters {
			if wins[v.ID] != 1 {
				t.Errorf("%s won %d votes, want 1", v.Username, wins[v.ID])
			}
		}
		res, err := s.GetPollResults(ctx, []int64{p.ID})
		mustNot(t, err, "GetPollResults")
		if r := res[p.ID]; r.Votes != 5 || r.Voters != 5 || conflicts != 35 {
			t.Errorf("results %+v with %d conflicts, want 5 votes, 5 voters, 35 conflicts", r, conflicts)
		}
	})
}

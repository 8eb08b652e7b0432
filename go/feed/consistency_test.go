package feed_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// TestCachedMatchesPull runs random sequences of posts, reblogs, deletes,
// follows (some hiding reblogs), unfollows, blocks, mutes and list
// additions and removals through the social service, and after every step
// checks that each account's home and list, read page by page through a
// cached strategy, equal the pull reference read from the same database.
// Small caps and budgets force trims, cold pages and evictions. The
// timeline stores are the in-process one, the real Redis and a Redis
// Cluster (STARLING_TEST_REDIS; the cluster is started by the test).
func TestCachedMatchesPull(t *testing.T) {
	type test struct {
		name      string
		threshold int   // 0: push
		cap       int   // IDs per timeline
		budget    int64 // bytes for all timelines (in process)
		redis     func(t *testing.T) redis.UniversalClient
	}
	tests := []test{
		{"push", 0, 800, 1 << 20, nil},
		{"push, small cap", 0, 6, 1 << 20, nil},
		{"push, evicting", 0, 6, 400, nil},
		{"hybrid", 2, 800, 1 << 20, nil},
		{"hybrid, small cap", 2, 6, 1 << 20, nil},
		{"switching", -1, 6, 1 << 20, nil}, // a random strategy switch now and then
	}
	for name, client := range map[string]func(*testing.T) redis.UniversalClient{"redis": testRedis, "redis cluster": testCluster} {
		tests = append(tests, test{name + " push, small cap", 0, 6, 0, client}, test{name + " hybrid", 2, 800, 0, client})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := sqlitetest.NewStore(t)
			quiet := slog.New(slog.DiscardHandler)
			var tl feed.Timelines = feed.NewMemory(tt.cap, tt.budget)
			if tt.redis != nil {
				tl = feed.NewRedis(tt.redis(t), testPrefix(), tt.cap, time.Hour)
			}
			var (
				home social.HomeFeed = feed.NewCached(st, tl, tt.threshold, quiet)
				sw   *feed.Switch
			)
			cfg := feed.Config{Strategy: feed.StrategyHybrid, CelebrityThreshold: 2, Cap: 20, MemoryBytes: 1 << 20}
			if tt.threshold < 0 {
				var err error
				if sw, err = feed.NewSwitch(ctx, st, cfg, nil, quiet); err != nil {
					t.Fatal(err)
				}
				home = sw
			}
			// Every status is delivered off the request, as the server does
			// for large audiences; each step waits for its deliveries.
			svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: home, Logger: quiet},
				social.Config{BcryptCost: bcrypt.MinCost, DeliveryWorkers: 3})
			relayCtx, stopRelay := context.WithCancel(ctx)
			relayDone := make(chan struct{})
			go func() { defer close(relayDone); svc.RunOutboxRelay(relayCtx, time.Hour) }()
			t.Cleanup(func() { stopRelay(); <-relayDone })
			ref := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st), Logger: quiet},
				social.Config{BcryptCost: bcrypt.MinCost})
			w := newWorld(t, svc, 6)
			rng := rand.New(rand.NewPCG(1, uint64(len(tt.name))))
			for step := range 100 {
				op := w.step(ctx, rng)
				svc.WaitDelivered()
				if sw != nil && rng.IntN(10) == 0 {
					cfg.Strategy = []string{feed.StrategyPull, feed.StrategyPush, feed.StrategyHybrid}[rng.IntN(3)]
					if _, err := sw.Set(ctx, cfg); err != nil {
						t.Fatal(err)
					}
					op += ", then switch to " + cfg.Strategy
				}
				for i, a := range w.accounts {
					got, want := walkHome(t, svc, a), walkHome(t, ref, a)
					if !slices.Equal(got, want) {
						t.Fatalf("step %d (%s): home of %s = %v, pull reads %v", step, op, a.Username, got, want)
					}
					got, want = walkList(t, svc, a, w.lists[i]), walkList(t, ref, a, w.lists[i])
					if !slices.Equal(got, want) {
						t.Fatalf("step %d (%s): list of %s = %v, pull reads %v", step, op, a.Username, got, want)
					}
				}
			}
		})
	}
}

// walkHome reads a's whole home, four statuses a page, following max_id;
// then the newest page again through min_id below its oldest.
func walkHome(t *testing.T, s *social.Service, a *store.Account) []int64 {
	t.Helper()
	out := walk(t, func(page store.Page) ([]*store.Status, error) {
		return s.HomeTimeline(context.Background(), a, page)
	})
	if len(out) > 5 {
		sts, err := s.HomeTimeline(context.Background(), a, store.Page{Limit: 3, MinID: out[5]})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, -1) // separates the min_id page
		for _, st := range sts {
			out = append(out, st.ID)
		}
	}
	return out
}

// walkList reads a whole list timeline, four statuses a page.
func walkList(t *testing.T, s *social.Service, a *store.Account, listID int64) []int64 {
	t.Helper()
	return walk(t, func(page store.Page) ([]*store.Status, error) {
		return s.ListTimeline(context.Background(), a, listID, page)
	})
}

// walk reads a timeline to its end, four statuses a page, by max_id.
func walk(t *testing.T, read func(store.Page) ([]*store.Status, error)) []int64 {
	t.Helper()
	var out []int64
	page := store.Page{Limit: 4}
	for range 100 {
		sts, err := read(page)
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) == 0 {
			break
		}
		for _, st := range sts {
			out = append(out, st.ID)
		}
		page.MaxID = sts[len(sts)-1].ID
	}
	return out
}

// world is the accounts, their lists (one each) and the statuses a random
// sequence acts on.
type world struct {
	t        *testing.T
	svc      *social.Service
	accounts []*store.Account
	lists    []int64
	statuses []*store.Status
}

func newWorld(t *testing.T, svc *social.Service, n int) *world {
	w := &world{t: t, svc: svc}
	for i := range n {
		a, err := svc.CreateAccount(context.Background(), social.NewAccount{Username: fmt.Sprintf("u%d", i), Password: "password123"})
		if err != nil {
			t.Fatal(err)
		}
		w.accounts = append(w.accounts, a)
		title := "friends"
		l, err := svc.CreateList(context.Background(), a, social.ListInput{Title: &title})
		if err != nil {
			t.Fatal(err)
		}
		w.lists = append(w.lists, l.ID)
	}
	return w
}

var visibilities = []string{"public", "unlisted", "private", "direct"}

// step does one random operation and names it. Operations the domain
// refuses (reblogging across a block, say) are part of the sequence too.
func (w *world) step(ctx context.Context, rng *rand.Rand) string {
	a := w.accounts[rng.IntN(len(w.accounts))]
	b := w.accounts[rng.IntN(len(w.accounts))]
	var (
		op  string
		err error
	)
	switch n := rng.IntN(100); {
	case n < 35:
		vis := visibilities[rng.IntN(len(visibilities))]
		op = fmt.Sprintf("%s posts %s mentioning %s", a.Username, vis, b.Username)
		var st *store.Status
		st, err = w.svc.PostStatus(ctx, a, social.StatusInput{Text: "hi @" + b.Username, Visibility: vis})
		if err == nil {
			w.statuses = append(w.statuses, st)
		}
	case n < 45 && len(w.statuses) > 0:
		st := w.statuses[rng.IntN(len(w.statuses))]
		op = fmt.Sprintf("%s reblogs %d", a.Username, st.ID)
		var rb *store.Status
		if rb, err = w.svc.Reblog(ctx, a, st.ID, "public"); err == nil {
			w.statuses = append(w.statuses, rb)
		}
	case n < 52 && len(w.statuses) > 0:
		i := rng.IntN(len(w.statuses))
		st := w.statuses[i]
		op = fmt.Sprintf("%d deleted by its author", st.ID)
		_, err = w.svc.DeleteStatus(ctx, w.accountByID(st.AccountID), st.ID)
		w.statuses = slices.Delete(w.statuses, i, i+1)
	case n < 72:
		reblogs := rng.IntN(3) > 0
		op = fmt.Sprintf("%s follows %s (reblogs %v)", a.Username, b.Username, reblogs)
		_, err = w.svc.Follow(ctx, a, b.ID, social.FollowOptions{Reblogs: &reblogs})
	case n < 80:
		op = fmt.Sprintf("%s unfollows %s", a.Username, b.Username)
		_, err = w.svc.Unfollow(ctx, a, b.ID)
	case n < 84:
		op = fmt.Sprintf("%s adds %s to its list", a.Username, b.Username)
		err = w.svc.AddListAccounts(ctx, a, w.lists[w.index(a)], []int64{b.ID})
	case n < 86:
		op = fmt.Sprintf("%s removes %s from its list", a.Username, b.Username)
		err = w.svc.RemoveListAccounts(ctx, a, w.lists[w.index(a)], []int64{b.ID})
	case n < 88:
		op = fmt.Sprintf("%s blocks %s", a.Username, b.Username)
		_, err = w.svc.Block(ctx, a, b.ID)
	case n < 91:
		op = fmt.Sprintf("%s unblocks %s", a.Username, b.Username)
		_, err = w.svc.Unblock(ctx, a, b.ID)
	case n < 96:
		op = fmt.Sprintf("%s mutes %s", a.Username, b.Username)
		_, err = w.svc.Mute(ctx, a, b.ID, social.MuteOptions{})
	default:
		op = fmt.Sprintf("%s unmutes %s", a.Username, b.Username)
		_, err = w.svc.Unmute(ctx, a, b.ID)
	}
	if err != nil && social.KindOf(err) == social.KindInternal {
		w.t.Fatalf("%s: %v", op, err)
	}
	return op
}

func (w *world) index(a *store.Account) int {
	return slices.Index(w.accounts, a)
}

func (w *world) accountByID(id int64) *store.Account {
	for _, a := range w.accounts {
		if a.ID == id {
			return a
		}
	}
	w.t.Fatalf("no account %d", id)
	return nil
}

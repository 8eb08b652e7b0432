package feed_test

import (
	"context"
	"log/slog"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// TestSwitchCounters checks the counts behind the fan-out and timeline
// cache metrics against what a push strategy did: the timelines a post
// reached, a first read rebuilding, a second hitting, a page past the
// cached window read from SQL, and counts that survive a switch.
func TestSwitchCounters(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.NewStore(t)
	quiet := slog.New(slog.DiscardHandler)
	cfg := feed.Config{Strategy: feed.StrategyPush, CelebrityThreshold: 100, Cap: 20, MemoryBytes: 1 << 20}
	sw, err := feed.NewSwitch(ctx, st, cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: sw, Logger: quiet}, social.Config{BcryptCost: bcrypt.MinCost})
	var accts []*store.Account
	for _, name := range []string{"author", "fan1", "fan2"} {
		a, err := svc.CreateAccount(ctx, social.NewAccount{Username: name, Password: "password123"})
		if err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a)
	}
	for _, fan := range accts[1:] {
		if _, err := svc.Follow(ctx, fan, accts[0].ID, social.FollowOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 22 {
		if _, err := svc.PostStatus(ctx, accts[0], social.StatusInput{Text: "hello", Visibility: "public"}); err != nil {
			t.Fatal(err)
		}
	}
	k := sw.Counters()
	// Each post reaches the author's home and both fans' (no lists).
	if s, tl, f := k.FanoutStatuses.Load(), k.FanoutTimelines.Load(), k.FanoutFailures.Load(); s != 22 || tl != 66 || f != 0 {
		t.Fatalf("after 22 posts to 3 homes: %d statuses, %d timeline writes, %d failures; want 22, 66, 0", s, tl, f)
	}
	read := func(page store.Page) []*store.Status {
		t.Helper()
		sts, err := svc.HomeTimeline(ctx, accts[1], page)
		if err != nil {
			t.Fatal(err)
		}
		return sts
	}
	read(store.Page{Limit: 2}) // the homes the posts reached were never built: rebuilt
	read(store.Page{Limit: 2}) // now cached
	newest := read(store.Page{Limit: 20})
	read(store.Page{Limit: 2, MaxID: newest[len(newest)-1].ID}) // past the cap of 20: SQL
	want := [3]int64{2, 1, 1}                                   // hit, rebuilt, sql
	if got := [3]int64{k.ReadsHit.Load(), k.ReadsRebuilt.Load(), k.ReadsSQL.Load()}; got != want {
		t.Fatalf("reads hit, rebuilt, sql = %v, want %v", got, want)
	}
	cfg.Strategy = feed.StrategyHybrid
	if _, err := sw.Set(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PostStatus(ctx, accts[0], social.StatusInput{Text: "after the switch", Visibility: "public"}); err != nil {
		t.Fatal(err)
	}
	if s := sw.Counters().FanoutStatuses.Load(); s != 23 {
		t.Fatalf("after a switch and one more post: %d statuses fanned out, want 23", s)
	}
}

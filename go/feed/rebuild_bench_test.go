package feed

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// BenchmarkRebuild is the cost of rebuilding one home timeline from
// SQLite on starling-bench http's workload (50 followees with 20 statuses
// each, 20 own): by reading whole rows and keeping their IDs, as rebuilds
// did, or by reading the IDs alone.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	st := sqlitetest.NewStore(b)
	var next int64
	id := func() int64 { next++; return next }
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	account := func(name string) *store.Account {
		a := &store.Account{ID: id(), Username: name, CreatedAt: at}
		if err := st.PutAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
		return a
	}
	viewer := account("viewer")
	authors := []*store.Account{viewer}
	for i := range 50 {
		a := account(fmt.Sprintf("followee%d", i))
		if err := st.PutFollow(ctx, &store.Follow{ID: id(), AccountID: viewer.ID, TargetAccountID: a.ID,
			ShowReblogs: true, CreatedAt: at}); err != nil {
			b.Fatal(err)
		}
		authors = append(authors, a)
	}
	for round := range 20 {
		for _, a := range authors {
			if err := st.PutStatus(ctx, &store.Status{ID: id(), AccountID: a.ID, Visibility: store.VisibilityPublic,
				Text:     fmt.Sprintf("status %d of %s, a few words long like a real post #bench", round, a.Username),
				Content:  fmt.Sprintf("<p>status %d of %s, a few words long like a real post #bench</p>", round, a.Username),
				Language: "en", CreatedAt: at}); err != nil {
				b.Fatal(err)
			}
		}
	}
	c := NewCached(st, NewMemory(800, 64<<20), 10000, slog.New(slog.DiscardHandler))
	for _, bc := range []struct {
		name string
		read func(store.Page) ([]int64, error)
	}{
		{"read=rows", func(p store.Page) ([]int64, error) {
			sts, err := c.pull.followed(ctx, viewer.ID, p)
			ids := make([]int64, len(sts))
			for i, s := range sts {
				ids[i] = s.ID
			}
			return ids, err
		}},
		{"read=ids", func(p store.Page) ([]int64, error) { return c.pull.followedIDs(ctx, viewer.ID, p) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.rebuild(ctx, HomeKey(viewer.ID), 0, bc.read); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

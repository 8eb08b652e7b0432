package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/api/mastodon"
	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// BenchmarkHomeTimeline serves a warm page of the home timeline through the
// whole public router, as serve wires it for SQLite: read cache on, hybrid
// strategy, rendered-status cache, request deadline. The viewer follows 10
// accounts whose 60 statuses carry mentions, tags, favourites and boosts.
// The time per operation is the server's CPU per request (one goroutine,
// in process).
func BenchmarkHomeTimeline(b *testing.B) {
	ctx := context.Background()
	db := sqlitetest.NewStore(b)
	quiet := slog.New(slog.DiscardHandler)
	st := readcache.New(db, 0)
	home, err := feed.New(st, feed.DefaultConfig(), quiet)
	if err != nil {
		b.Fatal(err)
	}
	svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: home, Logger: quiet},
		social.Config{MaxStatusChars: 500, RegistrationsOpen: true, BcryptCost: bcrypt.MinCost})
	h := NewRouter(Options{Mastodon: mastodon.New(svc, mastodon.Options{BaseURL: "https://starling.test", Logger: quiet}),
		Logger: quiet, Registry: prometheus.NewRegistry(), RequestTimeout: 10 * time.Second})
	app, err := svc.CreateApp(ctx, social.AppInput{Name: "bench", Scopes: "read write follow"})
	if err != nil {
		b.Fatal(err)
	}
	account := func(name string) *store.Account {
		a, err := svc.CreateAccount(ctx, social.NewAccount{Username: name, Password: "password123"})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	reader := account("reader")
	tok, err := svc.PasswordGrant(ctx, app, "reader", "password123", "read")
	if err != nil {
		b.Fatal(err)
	}
	var authors []*store.Account
	for i := range 10 {
		a := account(fmt.Sprintf("author%d", i))
		if _, err := svc.Follow(ctx, reader, a.ID, social.FollowOptions{}); err != nil {
			b.Fatal(err)
		}
		authors = append(authors, a)
	}
	for i := range 60 {
		a := authors[i%len(authors)]
		other := authors[(i+1)%len(authors)]
		s, err := svc.PostStatus(ctx, a, social.StatusInput{
			Text: fmt.Sprintf("post %d for @%s about #topic%d", i, other.Username, i%4)})
		if err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := svc.Favourite(ctx, reader, s.ID); err != nil {
				b.Fatal(err)
			}
		}
		if i%5 == 0 {
			if _, err := svc.Reblog(ctx, other, s.ID, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	const target = "/api/v1/timelines/home?limit=20"
	serve := func() {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	serve() // warm the caches
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}

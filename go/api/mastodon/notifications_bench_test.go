package mastodon

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// BenchmarkNotificationsPage serves one page of a busy account's
// notifications, v1 and grouped v2, through the router on SQLite: 30
// statuses favourited by 30 accounts each (900 favourites, 30 groups
// spread over the time they were made) and 100 mentions. The time per
// operation is the server's CPU per request (one goroutine, in process).
func BenchmarkNotificationsPage(b *testing.B) {
	ctx := context.Background()
	st := sqlitetest.NewStore(b)
	quiet := slog.New(slog.DiscardHandler)
	svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st), Logger: quiet},
		social.Config{MaxStatusChars: 500, RegistrationsOpen: true, BcryptCost: bcrypt.MinCost})
	h := New(svc, Options{BaseURL: testBaseURL, Version: "bench", Logger: quiet})
	r := chi.NewRouter()
	h.Routes(r)
	app, err := svc.CreateApp(ctx, social.AppInput{Name: "bench", Scopes: "read write"})
	if err != nil {
		b.Fatal(err)
	}
	account := func(name string) *store.Account {
		a, err := svc.CreateAccount(ctx, social.NewAccount{Username: name, Password: testPassword})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	owner := account("owner")
	tok, err := svc.PasswordGrant(ctx, app, "owner", testPassword, "read")
	if err != nil {
		b.Fatal(err)
	}
	var fans []*store.Account
	for i := range 30 {
		fans = append(fans, account(fmt.Sprintf("fan%d", i)))
	}
	for i := range 30 {
		s, err := svc.PostStatus(ctx, owner, social.StatusInput{Text: fmt.Sprintf("post %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range fans {
			if _, err := svc.Favourite(ctx, f, s.ID); err != nil {
				b.Fatal(err)
			}
		}
		for _, f := range fans[:3] {
			if _, err := svc.PostStatus(ctx, f, social.StatusInput{Text: fmt.Sprintf("@owner hello %d", i)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, target := range []string{"/api/v1/notifications?limit=40", "/api/v2/notifications?limit=40"} {
		b.Run("path="+target[:16], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				req.Header.Set("Authorization", "Bearer "+tok.Secret)
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
				}
			}
		})
	}
}

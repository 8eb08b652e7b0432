package mastodon

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// benchScheduled is a service on a fresh SQLite file with a clock the
// benchmark moves, one account and its token.
type benchScheduled struct {
	st     store.Store
	svc    *social.Service
	router http.Handler
	owner  *store.Account
	token  string
	clock  time.Time
	ids    *snowflake.Generator
}

func newBenchScheduled(b *testing.B) *benchScheduled {
	b.Helper()
	ctx := context.Background()
	st := sqlitetest.NewStore(b)
	e := &benchScheduled{st: st, clock: time.Now().UTC(), ids: snowflaketest.New()}
	quiet := slog.New(slog.DiscardHandler)
	e.svc = social.New(social.Deps{Store: st, IDs: e.ids, Home: feed.NewPull(st), Logger: quiet,
		Now: func() time.Time { return e.clock }},
		social.Config{MaxStatusChars: 500, RegistrationsOpen: true, BcryptCost: bcrypt.MinCost})
	r := chi.NewRouter()
	New(e.svc, Options{BaseURL: testBaseURL, Version: "bench", Logger: quiet}).Routes(r)
	e.router = r
	app, err := e.svc.CreateApp(ctx, social.AppInput{Name: "bench", Scopes: "read write"})
	if err != nil {
		b.Fatal(err)
	}
	if e.owner, err = e.svc.CreateAccount(ctx, social.NewAccount{Username: "owner", Password: testPassword}); err != nil {
		b.Fatal(err)
	}
	tok, err := e.svc.PasswordGrant(ctx, app, "owner", testPassword, "read write")
	if err != nil {
		b.Fatal(err)
	}
	e.token = tok.Secret
	return e
}

// media inserts n unattached upload rows of the owner's (no files: the
// service reads rows only when scheduling and publishing).
func (e *benchScheduled) media(b *testing.B, n int) []int64 {
	b.Helper()
	var ids []int64
	for range n {
		m := &store.MediaAttachment{ID: snowflaketest.NextID(b, e.ids), AccountID: e.owner.ID, Type: "image", FileKey: "f.jpg",
			PreviewKey: "s.jpg", ContentType: "image/jpeg", FileSize: 1, Width: 64, Height: 48, SmallWidth: 64,
			SmallHeight: 48, Blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj", CreatedAt: e.clock}
		if err := e.st.PutMediaAttachment(context.Background(), m, 1000); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

// BenchmarkScheduledPublish schedules one status (with 0 or 2 photos and
// an Idempotency-Key), moves the clock past its time and publishes it
// through PublishScheduled, on SQLite: the time per operation is the CPU
// of one scheduled post from request to published (one goroutine, in
// process; the photos' rows are inserted inside the loop too).
func BenchmarkScheduledPublish(b *testing.B) {
	for _, photos := range []int{0, 2} {
		b.Run(fmt.Sprintf("photos=%d", photos), func(b *testing.B) {
			e := newBenchScheduled(b)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				in := social.StatusInput{Text: fmt.Sprintf("later %d", i), IdempotencyKey: fmt.Sprintf("k%d", i),
					MediaIDs: e.media(b, photos)}
				if _, err := e.svc.ScheduleStatus(ctx, e.owner, in, e.clock.Add(6*time.Minute)); err != nil {
					b.Fatal(err)
				}
				e.clock = e.clock.Add(7 * time.Minute)
				if n, err := e.svc.PublishScheduled(ctx); err != nil || n != 1 {
					b.Fatalf("published %d, %v", n, err)
				}
				i++
			}
		})
	}
}

// BenchmarkScheduledStatusesPage serves GET /api/v1/scheduled_statuses
// (40 a page, each with 2 photos, over two days: Mastodon caps a day at
// 25) through the router on SQLite: the time
// per operation is the server's CPU per request.
func BenchmarkScheduledStatusesPage(b *testing.B) {
	e := newBenchScheduled(b)
	ctx := context.Background()
	for i := range 40 {
		in := social.StatusInput{Text: fmt.Sprintf("later %d", i), MediaIDs: e.media(b, 2)}
		if _, err := e.svc.ScheduleStatus(ctx, e.owner, in, e.clock.Add(time.Hour+time.Duration(i)*time.Minute).AddDate(0, 0, i/20)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/scheduled_statuses?limit=40", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		rec := httptest.NewRecorder()
		e.router.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

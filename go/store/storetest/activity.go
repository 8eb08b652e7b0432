package storetest

import (
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

func exerciseActivity(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("Weekly", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		// 2025-06-04 is a Wednesday: its week starts on Monday 2025-06-02.
		monday := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
		at := func(days int, hours int) time.Time {
			return monday.AddDate(0, 0, days).Add(time.Duration(hours) * time.Hour)
		}
		account := func(name string, created time.Time) *store.Account {
			a := newAccount(name)
			a.CreatedAt = created
			mustNot(t, s.PutAccount(ctx, a), "PutAccount")
			return a
		}
		old := account("old", at(-30, 0))    // before the window
		alice := account("alice", at(-7, 1)) // the week before
		bob := account("bob", at(2, 12))     // this week
		account("carol", at(6, 23))          // Sunday night, still this week
		post := func(a *store.Account, created time.Time) *store.Status {
			st := newStatus(a, 0)
			st.ID, st.CreatedAt = snowflake.FromTime(created)+nextID()%1000, created
			putStatusW(t, s, &store.StatusWrite{Status: st})
			return st
		}
		post(old, at(-20, 0)) // before the window
		post(alice, at(-7, 3))
		post(alice, at(-1, 23)) // Sunday of the week before
		orig := post(bob, at(0, 0))
		post(bob, at(3, 0))
		rb := newStatus(alice, 0)
		rb.ID, rb.CreatedAt, rb.ReblogOfID = snowflake.FromTime(at(3, 1)), at(3, 1), orig.ID
		putStatusW(t, s, &store.StatusWrite{Status: rb}) // reblogs are not counted
		app := putApp(t, s, "activity-app")
		token := func(a *store.Account, created time.Time) {
			tok := &store.Token{ID: nextID(), AppID: app.ID, AccountID: a.ID, Hash: tokenHash(a.Username + created.String()),
				Scopes: "read", CreatedAt: created}
			mustNot(t, s.PutToken(ctx, tok), "PutToken")
		}
		token(alice, at(-6, 0))
		token(alice, at(1, 0))
		token(alice, at(2, 0)) // alice twice this week: one login
		token(bob, at(4, 0))
		mustNot(t, s.PutToken(ctx, &store.Token{ID: nextID(), AppID: app.ID, Hash: tokenHash("app only"), Scopes: "read",
			CreatedAt: at(4, 0)}), "PutToken app-only") // no account: not a login

		since := at(-7, 0)
		got, err := s.GetWeeklyActivity(ctx, since, snowflake.FromTime(since))
		mustNot(t, err, "GetWeeklyActivity")
		want := []store.ActivityWeek{
			{Week: monday.AddDate(0, 0, -7), Statuses: 2, Logins: 1, Registrations: 1},
			{Week: monday, Statuses: 2, Logins: 2, Registrations: 2},
		}
		if len(got) != len(want) {
			t.Fatalf("weeks = %+v, want %+v", got, want)
		}
		for i := range want {
			if !got[i].Week.Equal(want[i].Week) || got[i].Week.Location() != time.UTC || got[i].Statuses != want[i].Statuses ||
				got[i].Logins != want[i].Logins || got[i].Registrations != want[i].Registrations {
				t.Errorf("week %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

package storetest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseMarkers(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("VersionsCount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		both := []string{store.MarkerHome, store.MarkerNotifications}

		none, err := s.GetMarkers(ctx, alice.ID, both)
		mustNot(t, err, "GetMarkers before any")
		if len(none) != 0 {
			t.Fatalf("markers before any write: %+v", none)
		}
		m := &store.Marker{AccountID: alice.ID, Timeline: store.MarkerHome, LastReadID: 42, UpdatedAt: testTime(1)}
		mustNot(t, s.PutMarker(ctx, m), "PutMarker")
		if m.Version != 1 {
			t.Errorf("first write: version %d, want 1", m.Version)
		}
		// Moving back is allowed: the client says where it is.
		m = &store.Marker{AccountID: alice.ID, Timeline: store.MarkerHome, LastReadID: 7, UpdatedAt: testTime(2)}
		mustNot(t, s.PutMarker(ctx, m), "PutMarker again")
		if m.Version != 2 {
			t.Errorf("second write: version %d, want 2", m.Version)
		}
		mustNot(t, s.PutMarker(ctx, &store.Marker{AccountID: bob.ID, Timeline: store.MarkerNotifications,
			LastReadID: 9, UpdatedAt: testTime(3)}), "PutMarker bob")

		got, err := s.GetMarkers(ctx, alice.ID, both)
		mustNot(t, err, "GetMarkers")
		if len(got) != 1 || got[0].Timeline != store.MarkerHome || got[0].LastReadID != 7 || got[0].Version != 2 ||
			got[0].AccountID != alice.ID {
			t.Fatalf("alice's markers = %+v, want home at 7, version 2", got)
		}
		checkTime(t, "Marker.UpdatedAt", got[0].UpdatedAt, testTime(2))
		got, err = s.GetMarkers(ctx, bob.ID, []string{store.MarkerHome})
		mustNot(t, err, "GetMarkers bob home")
		if len(got) != 0 {
			t.Errorf("bob's home marker = %+v, want none (he set notifications only)", got)
		}
		mustBeErrNotFound(t, s.PutMarker(ctx, &store.Marker{AccountID: nextID(), Timeline: store.MarkerHome,
			LastReadID: 1, UpdatedAt: testTime(4)}), "PutMarker of a missing account")
	})

	t.Run("ConcurrentWritesEachCount", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		const writers = 8
		var wg sync.WaitGroup
		versions := make([]int64, writers)
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() {
				m := &store.Marker{AccountID: alice.ID, Timeline: store.MarkerNotifications, LastReadID: int64(i + 1), UpdatedAt: testTime(i)}
				errs[i] = s.PutMarker(ctx, m)
				versions[i] = m.Version
			})
		}
		wg.Wait()
		mustNot(t, errors.Join(errs...), "concurrent PutMarker")
		slices.Sort(versions)
		for i, v := range versions {
			if v != int64(i+1) {
				t.Fatalf("versions = %v, want 1..%d each once (no write lost)", versions, writers)
			}
		}
	})

	t.Run("Preferences", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		p, err := s.GetAccountPreferences(ctx, alice.ID)
		mustNot(t, err, "GetAccountPreferences before any")
		if *p != (store.AccountPreferences{AccountID: alice.ID}) {
			t.Errorf("preferences never set = %+v, want the zero value", p)
		}
		want := &store.AccountPreferences{AccountID: alice.ID, PostingVisibility: store.VisibilityPrivate,
			PostingSensitive: true, PostingLanguage: "de", ExpandMedia: "show_all", ExpandSpoilers: true, UpdatedAt: testTime(1)}
		mustNot(t, s.PutAccountPreferences(ctx, want), "PutAccountPreferences")
		checkPreferences(t, s, want)
		// Replacing clears what the new row does not set.
		want = &store.AccountPreferences{AccountID: alice.ID, PostingLanguage: strings.Repeat("x", 3), UpdatedAt: testTime(2)}
		mustNot(t, s.PutAccountPreferences(ctx, want), "PutAccountPreferences again")
		checkPreferences(t, s, want)
		mustBeErrNotFound(t, s.PutAccountPreferences(ctx, &store.AccountPreferences{AccountID: nextID(), UpdatedAt: testTime(3)}),
			"PutAccountPreferences of a missing account")
	})
}

func checkPreferences(t *testing.T, s store.Store, want *store.AccountPreferences) {
	t.Helper()
	got, err := s.GetAccountPreferences(t.Context(), want.AccountID)
	mustNot(t, err, "GetAccountPreferences")
	checkTime(t, "AccountPreferences.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	g, w := *got, *want
	g.UpdatedAt = w.UpdatedAt
	if g != w {
		t.Errorf("preferences = %+v, want %+v", g, w)
	}
}

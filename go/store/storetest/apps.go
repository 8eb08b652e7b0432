package storetest

import (
	"testing"

	"github.com/starling-social/starling/go/store"
)

func newApp(clientID string) *store.App {
	return &store.App{
		ID:           nextID(),
		Name:         "App " + clientID,
		Website:      "https://app.example/" + clientID,
		RedirectURIs: "urn:ietf:wg:oauth:2.0:oob https://app.example/callback",
		Scopes:       "read write:statuses follow",
		ClientID:     clientID,
		ClientSecret: "secret-" + clientID,
		CreatedAt:    testTime(3),
	}
}

func putApp(t *testing.T, s store.Store, clientID string) *store.App {
	t.Helper()
	app := newApp(clientID)
	mustNot(t, s.PutApp(t.Context(), app), "PutApp "+clientID)
	return app
}

func exerciseApps(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		full := putApp(t, s, "client-full")
		bare := &store.App{ID: nextID(), ClientID: "client-bare", CreatedAt: testTime(4)}
		mustNot(t, s.PutApp(ctx, bare), "PutApp bare")

		for _, want := range []*store.App{full, bare} {
			got, err := s.GetAppByClientID(ctx, want.ClientID)
			mustNot(t, err, "GetAppByClientID "+want.ClientID)
			checkApp(t, got, want)
		}
	})

	t.Run("ClientIDConflict", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		first := putApp(t, s, "taken")
		second := newApp("taken")
		second.Name = "Impostor"
		mustBeErrConflict(t, s.PutApp(ctx, second), "PutApp with a taken client ID")

		got, err := s.GetAppByClientID(ctx, "taken")
		mustNot(t, err, "GetAppByClientID")
		checkApp(t, got, first)

		dup := newApp("other")
		dup.ID = first.ID
		mustBeErrConflict(t, s.PutApp(ctx, dup), "PutApp with a taken ID")
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		putApp(t, s, "Exists")
		_, err := s.GetAppByClientID(ctx, "missing")
		mustBeErrNotFound(t, err, "GetAppByClientID missing")
		// Client IDs are opaque secrets: compared exactly, not by case.
		_, err = s.GetAppByClientID(ctx, "exists")
		mustBeErrNotFound(t, err, "GetAppByClientID with other case")
	})
}

package storetest

import (
	"testing"

	"github.com/starling-social/starling/go/store"
)

func exerciseMigrate(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("AgainIsNoOp", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context() // already migrated once
		alice := putAccount(t, s, "alice")
		st := newStatus(alice, 1)
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")

		for range 2 {
			mustNot(t, s.Migrate(ctx), "Migrate on a migrated store")
		}

		// The data survived and the schema still works.
		got, err := s.GetStatusByID(ctx, st.ID)
		mustNot(t, err, "GetStatusByID after Migrate")
		checkStatus(t, got, st)
		checkCounts(t, s, alice, 0, 0, 1)
		putAccount(t, s, "bob")
		mustBeErrConflict(t, s.PutAccount(ctx, newAccount("ALICE")), "PutAccount ALICE after Migrate")
	})

	t.Run("Ping", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustNot(t, s.Ping(t.Context()), "Ping")
	})
}

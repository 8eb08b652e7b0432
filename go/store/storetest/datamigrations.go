package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// RawExec runs one SQL statement, without arguments, on the store under
// test, past its interface. The data-migration tests use it to leave the
// rows earlier versions left and to forget that migrations ran; the
// statements are plain SQL both backends accept.
type RawExec func(ctx context.Context, query string) error

// RunDataMigrations checks the migrations that repair data earlier versions
// stored (0007 to 0009, issue 7; 0030, vectors per embedder): newStore returns a fresh, migrated store
// and a RawExec on it. It is separate from Run because it needs that raw
// access, which the Store interface rightly does not offer.
func RunDataMigrations(t *testing.T, newStore func(t *testing.T) (store.Store, RawExec)) {
	t.Helper()
	s, exec := newStore(t)
	ctx := t.Context()
	raw := func(query string) {
		t.Helper()
		mustNot(t, exec(ctx, query), query)
	}
	alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")

	// Statuses whose counts the old code got wrong, and a boost it stored
	// public.
	public := statusOf(alice, 1, store.VisibilityPublic, nil)
	private := statusOf(alice, 2, store.VisibilityPrivate, nil)
	direct := statusOf(alice, 3, store.VisibilityDirect, nil) // alice's newest
	parent := statusOf(bob, 4, store.VisibilityPublic, nil)
	for _, st := range []*store.Status{public, private, direct, parent} {
		mustNot(t, s.PutStatus(ctx, st), "PutStatus")
	}
	for i, vis := range []store.Visibility{store.VisibilityPublic, store.VisibilityPrivate, store.VisibilityDirect} {
		mustNot(t, s.PutStatus(ctx, statusOf(carol, 5+i, vis, parent)), "PutStatus reply")
	}
	boost := &store.Status{ID: nextID(), AccountID: alice.ID, ReblogOfID: private.ID,
		Visibility: store.VisibilityPublic, CreatedAt: testTime(0)}
	mustNot(t, s.PutStatus(ctx, boost), "PutStatus public boost of a private status")
	// The counts as the old code kept them: every status, every reply.
	raw(`UPDATE accounts SET
		statuses_count = (SELECT count(*) FROM statuses s WHERE s.account_id = accounts.id),
		last_status_at = (SELECT max(s.created_at) FROM statuses s WHERE s.account_id = accounts.id)`)
	raw(`UPDATE statuses SET replies_count = (SELECT count(*) FROM statuses r WHERE r.in_reply_to_id = statuses.id)`)
	checkCounts(t, s, alice, 0, 0, 4) // the old count, to show the statement took
	checkRepliesCount(t, s, parent, 3)

	// A follow request left across a block, and a follow made across one by
	// authorizing such a request, with the list membership that came with
	// it: the blocks are copied from the rows, so their created_at has the
	// backend's own type.
	dave, erin, frank, gina := putAccount(t, s, "dave"), putAccount(t, s, "erin"), putAccount(t, s, "frank"), putAccount(t, s, "gina")
	mustNot(t, s.PutFollowRequest(ctx, newFollowRequest(erin, dave)), "PutFollowRequest erin→dave")
	mustNot(t, s.PutFollow(ctx, newFollow(gina, frank)), "PutFollow gina→frank")
	list := &store.List{ID: nextID(), AccountID: gina.ID, Title: "friends", RepliesPolicy: "list", CreatedAt: testTime(1)}
	mustNot(t, s.PutList(ctx, list, 50), "PutList")
	mustNot(t, s.PutListAccounts(ctx, list.ID, []int64{frank.ID}), "PutListAccounts")
	raw(fmt.Sprintf(`INSERT INTO blocks (id, account_id, target_account_id, created_at)
		SELECT %d, target_account_id, account_id, created_at FROM follow_requests
		WHERE account_id = %d AND target_account_id = %d`, nextID(), erin.ID, dave.ID))
	raw(fmt.Sprintf(`INSERT INTO blocks (id, account_id, target_account_id, created_at)
		SELECT %d, target_account_id, account_id, created_at FROM follows
		WHERE account_id = %d AND target_account_id = %d`, nextID(), gina.ID, frank.ID))
	checkCounts(t, s, frank, 1, 0, 0)

	raw(`DELETE FROM schema_migrations WHERE version IN (7, 8, 9)`)
	mustNot(t, s.Migrate(ctx), "Migrate")

	checkCounts(t, s, alice, 0, 0, 3) // public, private and the boost
	checkTimePtr(t, "alice's LastStatusAt", getAccount(t, s, alice.ID).LastStatusAt, &private.CreatedAt)
	checkCounts(t, s, carol, 0, 0, 2)
	checkRepliesCount(t, s, parent, 1)
	got, err := s.GetStatusByID(ctx, boost.ID)
	mustNot(t, err, "GetStatusByID boost")
	if got.Visibility != store.VisibilityPrivate {
		t.Errorf("boost of a private status: visibility %s after migrating, want private", got.Visibility)
	}
	_, err = s.GetFollowRequest(ctx, erin.ID, dave.ID)
	mustBeErrNotFound(t, err, "GetFollowRequest across a block after migrating")
	_, err = s.GetFollow(ctx, gina.ID, frank.ID)
	mustBeErrNotFound(t, err, "GetFollow across a block after migrating")
	members, err := s.ListListAccountIDs(ctx, list.ID, everything)
	mustNot(t, err, "ListListAccountIDs")
	checkIDs(t, "gina's list after migrating", members, nil)
	checkCounts(t, s, frank, 0, 0, 0)
	checkCounts(t, s, gina, 0, 0, 0)

	// The migrations recorded themselves again: migrating once more is a
	// no-op.
	mustNot(t, s.Migrate(ctx), "Migrate again")
	checkCounts(t, s, alice, 0, 0, 3)

	// 0030: the vectors earlier versions kept in statuses.embedding (the
	// built-in 256-dimension embedder's) move to status_vectors under its
	// name; a vector of another size is left behind.
	hashed, other := statusOf(bob, 20, store.VisibilityPublic, nil), statusOf(bob, 21, store.VisibilityPublic, nil)
	hashed.Embedding = make([]float32, 256)
	hashed.Embedding[7] = 1
	other.Embedding = []float32{1, 2, 3}
	mustNot(t, s.PutStatus(ctx, hashed), "PutStatus with a 256-d embedding")
	mustNot(t, s.PutStatus(ctx, other), "PutStatus with a 3-d embedding")
	raw(`DROP TABLE status_vectors`)
	raw(`DELETE FROM schema_migrations WHERE version = 30`)
	mustNot(t, s.Migrate(ctx), "Migrate 0030")
	moved, err := s.ListStatusVectors(ctx, "hash-v1-256", 0, 10)
	mustNot(t, err, "ListStatusVectors")
	if len(moved) != 1 || moved[0].StatusID != hashed.ID {
		t.Fatalf("0030 moved %+v, want only status %d", moved, hashed.ID)
	}
	checkEmbedding(t, "moved vector", moved[0].Embedding, hashed.Embedding)
}

// RunNotificationGroupsMigration checks migration 0061 (grouped
// notifications) keeps every notification stored before it: newStore
// returns a fresh, migrated store and a RawExec on it, and undo are the
// backend's statements that put the notifications table back as it was
// before 0061 (SQLite rebuilds the table, so this is the test that the
// rebuild loses no row).
func RunNotificationGroupsMigration(t *testing.T, newStore func(t *testing.T) (store.Store, RawExec), undo []string) {
	t.Helper()
	s, exec := newStore(t)
	ctx := t.Context()
	alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
	st := newStatus(alice, 1)
	mustNot(t, s.PutStatus(ctx, st), "PutStatus")
	before := []*store.Notification{
		newNotification(alice, bob, store.NotificationFollow, 0),
		newNotification(alice, bob, store.NotificationFavourite, st.ID),
		newNotification(bob, alice, store.NotificationMention, st.ID),
	}
	for _, n := range before {
		mustNot(t, s.PutNotification(ctx, n), "PutNotification")
	}
	for _, q := range undo {
		mustNot(t, exec(ctx, q), q)
	}
	mustNot(t, exec(ctx, `DELETE FROM schema_migrations WHERE version = 61`), "forget 0061")
	mustNot(t, s.Migrate(ctx), "Migrate")

	for _, n := range before {
		got, err := s.GetNotificationByID(ctx, n.ID)
		mustNot(t, err, "GetNotificationByID after 0061")
		if got.Type != n.Type || got.AccountID != n.AccountID || got.FromAccountID != n.FromAccountID ||
			got.StatusID != n.StatusID || got.GroupKey != "" {
			t.Errorf("after 0061: %+v, want %+v with no group", got, n)
		}
		checkTime(t, "Notification.CreatedAt after 0061", got.CreatedAt, n.CreatedAt)
	}
	// The new type and the group key are stored from now on.
	update := newNotification(bob, alice, store.NotificationUpdate, st.ID)
	update.GroupKey = "k"
	mustNot(t, s.PutNotification(ctx, update), "PutNotification update")
	if got, err := s.GetNotificationByID(ctx, update.ID); err != nil || got.GroupKey != "k" || got.Type != store.NotificationUpdate {
		t.Errorf("update notification after 0061 = %+v, %v", got, err)
	}
	// Deleting a status still takes its notifications (the rebuilt
	// table kept its foreign keys).
	_, _, err := s.DeleteStatusByID(ctx, st.ID)
	mustNot(t, err, "DeleteStatusByID")
	_, err = s.GetNotificationByID(ctx, before[1].ID)
	mustBeErrNotFound(t, err, "a deleted status's notification")
}

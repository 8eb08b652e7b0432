package storetest

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// PreviousSchema is the last migration of the earlier schema the upgrade
// test starts from: what main had at commit c9b86d8 (there are no release
// tags yet). Every migration after it (edits, grouped notifications, the
// outbox, media, polls and the notifications rebuild of 0085, admin
// actions, the For-you index) then runs over rows that schema held.
const PreviousSchema = 45

//go:embed testdata/upgrade-0045.*.sql
var upgradeFixtures embed.FS

// RunUpgrade is the upgrade drill: newStore returns a store on an empty
// database, a RawExec on it and the function applying the migrations up to
// a version. It builds PreviousSchema, writes the rows that schema's code
// wrote (testdata/upgrade-0045.<dialect>.sql), runs Migrate as a new
// binary does at start, and reads every row back through the current code;
// then writes again.
func RunUpgrade(t *testing.T, dialect string, newStore func(t *testing.T) (store.Store, RawExec, func(ctx context.Context, upTo int) error)) {
	t.Helper()
	ctx := t.Context()
	s, exec, migrateTo := newStore(t)
	mustNot(t, migrateTo(ctx, PreviousSchema), "migrate to the previous schema")
	fixture, err := upgradeFixtures.ReadFile("testdata/upgrade-0045." + dialect + ".sql")
	mustNot(t, err, "fixture")
	mustNot(t, exec(ctx, string(fixture)), "the previous schema's rows")
	mustNot(t, s.Migrate(ctx), "Migrate over the previous schema's rows")
	mustNot(t, s.Migrate(ctx), "Migrate again (a no-op)")

	alice, err := s.GetAccountByUsername(ctx, "alice")
	mustNot(t, err, "GetAccountByUsername alice")
	if alice.ID != 1001 || alice.DisplayName != "Alice" || alice.Note != "hi" {
		t.Errorf("alice after the upgrade: %+v", alice)
	}
	checkCounts(t, s, alice, 1, 1, 3)
	tok, acct, err := s.GetUserTokenByHash(ctx, bytes.Repeat([]byte{1}, 32))
	mustNot(t, err, "GetUserTokenByHash")
	if tok.ID != 7002 || acct.ID != 1002 || tok.Scopes != "read write" {
		t.Errorf("bob's token after the upgrade: %+v of %+v", tok, acct)
	}
	_, err = s.GetFollow(ctx, 1002, 1001)
	mustNot(t, err, "GetFollow bob→alice")

	first, err := s.GetStatusByID(ctx, 2001)
	mustNot(t, err, "GetStatusByID 2001")
	if first.Text != "first post #coffee" || first.Visibility != store.VisibilityPublic || first.FavouritesCount != 1 ||
		first.ReblogsCount != 1 || first.RepliesCount != 1 {
		t.Errorf("status 2001 after the upgrade: %+v", first)
	}
	tags, err := s.GetStatusTags(ctx, []int64{2001})
	mustNot(t, err, "GetStatusTags")
	if !slices.Equal(tags[2001], []string{"coffee"}) {
		t.Errorf("tags of 2001 after the upgrade: %v", tags)
	}
	dm, err := s.GetStatusByID(ctx, 2003)
	mustNot(t, err, "GetStatusByID 2003")
	if dm.Visibility != store.VisibilityDirect || !dm.Sensitive || dm.SpoilerText != "private" {
		t.Errorf("direct status 2003 after the upgrade: %+v", dm)
	}
	boost, err := s.GetStatusByID(ctx, 2004)
	mustNot(t, err, "GetStatusByID 2004")
	if boost.ReblogOfID != 2001 {
		t.Errorf("boost 2004 after the upgrade: %+v", boost)
	}
	page := store.Page{Limit: 40}
	timeline, err := s.ListStatuses(ctx, store.StatusQuery{AccountIDs: []int64{1001, 1002},
		Visibilities: []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate}, DirectMentioning: 1002, Page: page})
	mustNot(t, err, "ListStatuses (bob's home)")
	if got := statusIDs(timeline); !slices.Equal(got, []int64{2005, 2004, 2003, 2002, 2001}) {
		t.Errorf("bob's home after the upgrade: %v", got)
	}

	notes, err := s.ListNotifications(ctx, store.NotificationQuery{AccountID: 1001, Page: page})
	mustNot(t, err, "ListNotifications alice")
	var kinds []string
	for _, n := range notes {
		kinds = append(kinds, string(n.Type))
	}
	if !slices.Equal(kinds, []string{"reblog", "favourite", "mention", "follow"}) {
		t.Errorf("alice's notifications after the upgrade: %q", kinds)
	}
	favs, err := s.ListFavourites(ctx, 1002, page)
	mustNot(t, err, "ListFavourites bob")
	if len(favs) != 1 || favs[0].StatusID != 2001 {
		t.Errorf("bob's favourites after the upgrade: %+v", favs)
	}
	lists, err := s.GetListsByAccountID(ctx, 1001)
	mustNot(t, err, "GetListsByAccountID alice")
	if len(lists) != 1 || lists[0].Title != "friends" {
		t.Fatalf("alice's lists after the upgrade: %+v", lists)
	}
	members, err := s.ListListAccountIDs(ctx, lists[0].ID, page)
	mustNot(t, err, "ListListAccountIDs")
	if !slices.Equal(members, []int64{1002}) {
		t.Errorf("list members after the upgrade: %v", members)
	}
	// The direct message written before conversations existed (0051) is
	// in both participants' conversations (0106), read.
	for _, c := range []struct{ account, other int64 }{{1001, 1002}, {1002, 1001}} {
		convs, err := s.ListAccountConversations(ctx, c.account, page)
		mustNot(t, err, "ListAccountConversations")
		if len(convs) != 1 || convs[0].LastStatusID != 2003 || !slices.Equal(convs[0].ParticipantIDs, []int64{c.other}) || convs[0].Unread {
			t.Errorf("conversations of %d after the upgrade: %+v", c.account, convs)
		}
	}
	reports, err := s.ListReports(ctx, page)
	mustNot(t, err, "ListReports")
	if len(reports) != 1 || reports[0].Category != "spam" || !slices.Equal(reports[0].StatusIDs, []int64{2002}) ||
		reports[0].ActionTakenAt != nil {
		t.Errorf("reports after the upgrade: %+v", reports)
	}

	// The upgraded database takes writes through the current code.
	reply := statusOf(alice, 9, store.VisibilityPublic, first)
	mustNot(t, s.PutStatus(ctx, reply), "PutStatus after the upgrade")
	checkCounts(t, s, alice, 1, 1, 4)
	checkRepliesCount(t, s, first, 2)
}

// RunConversationsBackfill checks 0106 where conversations already exist:
// a direct reply left out of its conversation (as one written before 0051
// was) joins the conversation its thread already has, moving it to the
// reply, rather than making a second one; running the migration again
// changes nothing. newStore returns a fresh, migrated store and a RawExec.
func RunConversationsBackfill(t *testing.T, newStore func(t *testing.T) (store.Store, RawExec)) {
	t.Helper()
	s, exec := newStore(t)
	ctx := t.Context()
	alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
	first := statusOf(alice, 1, store.VisibilityDirect, nil)
	mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: first, Mentions: []int64{bob.ID}}), "PutStatusWrite first")
	reply := statusOf(bob, 2, store.VisibilityDirect, first)
	mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: reply, Mentions: []int64{alice.ID}}), "PutStatusWrite reply")
	mustNot(t, exec(ctx, fmt.Sprintf(`DELETE FROM account_conversation_statuses WHERE status_id = %d`, reply.ID)), "forget the reply")
	for range 2 {
		mustNot(t, exec(ctx, `DELETE FROM schema_migrations WHERE version = 106`), "forget 0106")
		mustNot(t, s.Migrate(ctx), "Migrate")
		for _, c := range []struct{ account, other int64 }{{alice.ID, bob.ID}, {bob.ID, alice.ID}} {
			convs, err := s.ListAccountConversations(ctx, c.account, store.Page{Limit: 10})
			mustNot(t, err, "ListAccountConversations")
			if len(convs) != 1 || convs[0].LastStatusID != reply.ID || !slices.Equal(convs[0].ParticipantIDs, []int64{c.other}) {
				t.Fatalf("conversations of %d after 0106: %+v", c.account, convs)
			}
			byReply, err := s.GetAccountConversationByStatus(ctx, c.account, reply.ID)
			mustNot(t, err, "GetAccountConversationByStatus reply")
			if byReply.ID != convs[0].ID {
				t.Errorf("the reply is in conversation %d, want %d", byReply.ID, convs[0].ID)
			}
		}
	}
}

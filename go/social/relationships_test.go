package social

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// testClock is a settable service clock, so mute expiry needs no sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func mustPost(t *testing.T, s *Service, author *store.Account, text string, vis store.Visibility) *store.Status {
	t.Helper()
	st, err := s.PostStatus(context.Background(), author, StatusInput{Text: text, Visibility: string(vis)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func mustFollow(t *testing.T, s *Service, from, to *store.Account) *Relationship {
	t.Helper()
	rel, err := s.Follow(context.Background(), from, to.ID, FollowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func statusIDsOf(sts []*store.Status) []int64 {
	out := make([]int64, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

func wantCounts(t *testing.T, s *Service, a *store.Account, followers, following int64) {
	t.Helper()
	got, err := s.GetAccount(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FollowersCount != followers || got.FollowingCount != following {
		t.Errorf("%s (followers, following) = (%d, %d), want (%d, %d)",
			a.Username, got.FollowersCount, got.FollowingCount, followers, following)
	}
}

var firstPage = store.Page{Limit: 20}

// TestBlocksHideBothWays checks every read path a block must reach through
// canView: one status, home, an account's statuses, in both directions,
// while anonymous readers still see the public status.
func TestBlocksHideBothWays(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob, carol := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	mustFollow(t, s, alice, bob)
	mustFollow(t, s, bob, alice)
	mustFollow(t, s, carol, bob)
	byAlice := mustPost(t, s, alice, "from alice", store.VisibilityPublic)
	byBob := mustPost(t, s, bob, "from bob", store.VisibilityPublic)

	rel, err := s.Block(ctx, alice, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Blocking || rel.Following || rel.FollowedBy {
		t.Errorf("relationship after block = %+v, want blocking and no follows", rel)
	}
	wantCounts(t, s, alice, 0, 0)
	wantCounts(t, s, bob, 1, 0)
	back, err := s.Relationship(ctx, bob, alice.ID)
	if err != nil || !back.BlockedBy {
		t.Fatalf("bob's view: %+v, %v; want blocked_by", back, err)
	}

	for _, c := range []struct {
		name     string
		viewer   *store.Account
		author   *store.Account
		statusID int64
	}{
		{"blocker reads blocked", alice, bob, byBob.ID},
		{"blocked reads blocker", bob, alice, byAlice.ID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.GetStatus(ctx, c.viewer, c.statusID)
			wantKind(t, err, KindNotFound)
			sts, err := s.AccountStatuses(ctx, c.viewer, c.author.ID, AccountStatusesInput{Page: firstPage})
			if err != nil || len(sts) != 0 {
				t.Errorf("AccountStatuses = %v, %v; want none", statusIDsOf(sts), err)
			}
			home, err := s.HomeTimeline(ctx, c.viewer, firstPage)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(statusIDsOf(home), c.statusID) {
				t.Errorf("home shows status %d across a block", c.statusID)
			}
		})
	}
	// The block reaches canView even where a follow would show the status:
	// carol still follows bob and sees him; anonymous readers too.
	if _, err := s.GetStatus(ctx, nil, byBob.ID); err != nil {
		t.Errorf("anonymous GetStatus: %v", err)
	}
	home, _ := s.HomeTimeline(ctx, carol, firstPage)
	if !slices.Contains(statusIDsOf(home), byBob.ID) {
		t.Error("carol's home lost bob's status because of someone else's block")
	}

	// Neither side may follow the other; searching hides both ways too.
	for _, c := range [][2]*store.Account{{alice, bob}, {bob, alice}} {
		_, err := s.Follow(ctx, c[0], c[1].ID, FollowOptions{})
		wantKind(t, err, KindForbidden)
		found, err := s.SearchAccounts(ctx, c[0], AccountSearchInput{Query: c[1].Username, Limit: 5})
		if err != nil || len(found) != 0 {
			t.Errorf("%s searching %s: %d found, %v", c[0].Username, c[1].Username, len(found), err)
		}
	}

	// Unblocking restores reading, not the follows.
	if _, err := s.Unblock(ctx, alice, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetStatus(ctx, alice, byBob.ID); err != nil {
		t.Errorf("GetStatus after unblock: %v", err)
	}
	wantCounts(t, s, alice, 0, 0)
}

// TestMutesHideFromHomeOnly: a muted account leaves home but stays on its
// profile and when opened; a timed mute lifts by itself.
func TestMutesHideFromHomeOnly(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, _ := newService(t, Deps{Now: clock.Now}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	mustFollow(t, s, alice, bob)
	st := mustPost(t, s, bob, "hello", store.VisibilityPublic)

	notifications := false
	rel, err := s.Mute(ctx, alice, bob.ID, MuteOptions{Duration: 60, Notifications: &notifications})
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Muting || rel.MutingNotifications || !rel.Following {
		t.Errorf("relationship after mute = %+v", rel)
	}
	home, err := s.HomeTimeline(ctx, alice, firstPage)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(statusIDsOf(home), st.ID) {
		t.Error("home shows a muted account's status")
	}
	profile, err := s.AccountStatuses(ctx, alice, bob.ID, AccountStatusesInput{Page: firstPage})
	if err != nil || !slices.Equal(statusIDsOf(profile), []int64{st.ID}) {
		t.Errorf("profile of a muted account = %v, %v; want the status", statusIDsOf(profile), err)
	}
	if _, err := s.GetStatus(ctx, alice, st.ID); err != nil {
		t.Errorf("GetStatus of a muted account: %v", err)
	}
	muted, err := s.Mutes(ctx, alice, firstPage)
	if err != nil || len(muted.Accounts) != 1 || muted.Accounts[0].ID != bob.ID {
		t.Fatalf("Mutes = %+v, %v", muted, err)
	}

	clock.Advance(61 * time.Second)
	home, _ = s.HomeTimeline(ctx, alice, firstPage)
	if !slices.Contains(statusIDsOf(home), st.ID) {
		t.Error("home still hides the account after the mute expired")
	}
	if rel, _ := s.Relationship(ctx, alice, bob.ID); rel.Muting {
		t.Error("relationship still muting after expiry")
	}

	if _, err := s.Mute(ctx, alice, bob.ID, MuteOptions{}); err != nil {
		t.Fatal(err)
	}
	if rel, _ := s.Relationship(ctx, alice, bob.ID); !rel.Muting || !rel.MutingNotifications {
		t.Errorf("indefinite mute: %+v, want muting with notifications (the default)", rel)
	}
	if _, err := s.Unmute(ctx, alice, bob.ID); err != nil {
		t.Fatal(err)
	}
	if rel, _ := s.Relationship(ctx, alice, bob.ID); rel.Muting {
		t.Error("still muting after unmute")
	}
	_, err = s.Mute(ctx, alice, bob.ID, MuteOptions{Duration: -1})
	wantKind(t, err, KindInvalid)
	_, err = s.Mute(ctx, alice, alice.ID, MuteOptions{})
	wantKind(t, err, KindForbidden)
}

// TestLockedAccountFlow: following a locked account asks; the owner
// authorizes or rejects; unfollowing withdraws the request; counts move
// only when a follow exists.
func TestLockedAccountFlow(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	owner, alice, bob, carol := mustAccount(t, s, "owner"), mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	locked := true
	if _, err := s.UpdateCredentials(ctx, owner, CredentialsInput{Locked: &locked}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*store.Account{alice, bob, carol} {
		rel := mustFollow(t, s, a, owner)
		if !rel.Requested || rel.Following {
			t.Fatalf("%s following a locked account: %+v, want requested", a.Username, rel)
		}
	}
	// Asking again changes nothing.
	if rel := mustFollow(t, s, alice, owner); !rel.Requested {
		t.Errorf("second follow: %+v", rel)
	}
	wantCounts(t, s, owner, 0, 0)
	reqs, err := s.FollowRequests(ctx, owner, firstPage)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range reqs.Accounts {
		names = append(names, a.Username)
	}
	if strings.Join(names, ",") != "carol,bob,alice" {
		t.Errorf("follow requests = %v, want newest first", names)
	}
	if rel, _ := s.Relationship(ctx, owner, alice.ID); !rel.RequestedBy {
		t.Errorf("owner's view of alice: %+v, want requested_by", rel)
	}

	rel, err := s.AuthorizeFollowRequest(ctx, owner, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rel.FollowedBy || rel.RequestedBy {
		t.Errorf("after authorize: %+v", rel)
	}
	wantCounts(t, s, owner, 1, 0)
	wantCounts(t, s, alice, 0, 1)
	_, err = s.AuthorizeFollowRequest(ctx, owner, alice.ID)
	wantKind(t, err, KindNotFound)

	if _, err := s.RejectFollowRequest(ctx, owner, bob.ID); err != nil {
		t.Fatal(err)
	}
	if rel, _ := s.Relationship(ctx, bob, owner.ID); rel.Requested || rel.Following {
		t.Errorf("bob after reject: %+v", rel)
	}
	_, err = s.RejectFollowRequest(ctx, owner, bob.ID)
	wantKind(t, err, KindNotFound)

	if rel, err := s.Unfollow(ctx, carol, owner.ID); err != nil || rel.Requested {
		t.Errorf("unfollow withdrawing the request: %+v, %v", rel, err)
	}
	reqs, _ = s.FollowRequests(ctx, owner, firstPage)
	if len(reqs.Accounts) != 0 {
		t.Errorf("requests left: %d", len(reqs.Accounts))
	}
	wantCounts(t, s, owner, 1, 0)

	// The owner was told about each request and the follow it became.
	ns, err := s.Notifications(ctx, owner, NotificationFilter{}, firstPage)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, n := range ns {
		types = append(types, string(n.Notification.Type))
	}
	if !slices.Contains(types, string(store.NotificationFollowRequest)) {
		t.Errorf("owner's notifications %v lack follow_request", types)
	}
}

func TestFollowUpdatesOptionsAndNotifies(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	no, yes := false, true
	rel, err := s.Follow(ctx, alice, bob.ID, FollowOptions{Reblogs: &no})
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Following || rel.ShowingReblogs || rel.Notifying {
		t.Errorf("follow with reblogs=false: %+v", rel)
	}
	rel, err = s.Follow(ctx, alice, bob.ID, FollowOptions{Notify: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Following || rel.ShowingReblogs || !rel.Notifying {
		t.Errorf("follow again with notify=true: %+v, want reblogs kept off, notify on", rel)
	}
	wantCounts(t, s, bob, 1, 0)
	_, err = s.Follow(ctx, alice, alice.ID, FollowOptions{})
	wantKind(t, err, KindForbidden)
	_, err = s.Follow(ctx, alice, 424242, FollowOptions{})
	wantKind(t, err, KindNotFound)

	ns, err := s.Notifications(ctx, bob, NotificationFilter{}, firstPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Notification.Type != store.NotificationFollow || ns[0].From.ID != alice.ID {
		t.Errorf("bob's notifications = %+v, want one follow from alice", ns)
	}
}

func TestUpdateCredentialsValidation(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	a := mustAccount(t, s, "alice")
	str := func(v string) *string { return &v }
	tests := []struct {
		name string
		in   CredentialsInput
		kind Kind
		ok   bool
	}{
		{"display name of 30 runes", CredentialsInput{DisplayName: str(strings.Repeat("é", 30))}, 0, true},
		{"display name of 31 runes", CredentialsInput{DisplayName: str(strings.Repeat("a", 31))}, KindInvalid, false},
		{"note of 500 runes", CredentialsInput{Note: str(strings.Repeat("ü", 500))}, 0, true},
		{"note of 501 runes", CredentialsInput{Note: str(strings.Repeat("a", 501))}, KindInvalid, false},
		{"invalid utf-8", CredentialsInput{DisplayName: str("a\xff")}, KindInvalid, false},
		{"empty display name clears it", CredentialsInput{DisplayName: str("")}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := s.GetAccount(ctx, a.ID)
			got, err := s.UpdateCredentials(ctx, a, tt.in)
			if !tt.ok {
				wantKind(t, err, tt.kind)
				after, _ := s.GetAccount(ctx, a.ID)
				if after.DisplayName != before.DisplayName || after.Note != before.Note {
					t.Error("a rejected edit changed the account")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.in.DisplayName != nil && got.Account.DisplayName != *tt.in.DisplayName {
				t.Errorf("display name %q", got.Account.DisplayName)
			}
			if tt.in.Note != nil && got.Account.Note != *tt.in.Note {
				t.Errorf("note %q", got.Account.Note)
			}
		})
	}
	bot, disc := true, false
	got, err := s.UpdateCredentials(ctx, a, CredentialsInput{Bot: &bot, Discoverable: &disc})
	if err != nil || !got.Account.Bot || got.Account.Discoverable {
		t.Errorf("booleans: %+v, %v", got, err)
	}
}

func TestSuggestions(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	me := mustAccount(t, s, "me")
	f1, f2 := mustAccount(t, s, "f1"), mustAccount(t, s, "f2")
	fof, fof2, popular, blocked, muted, dismissed := mustAccount(t, s, "fof"), mustAccount(t, s, "fof2"),
		mustAccount(t, s, "popular"), mustAccount(t, s, "blocked"), mustAccount(t, s, "muted"), mustAccount(t, s, "dismissed")
	mustFollow(t, s, me, f1)
	mustFollow(t, s, me, f2)
	for _, f := range []*store.Account{f1, f2} {
		mustFollow(t, s, f, fof)
		mustFollow(t, s, f, blocked)
		mustFollow(t, s, f, muted)
		mustFollow(t, s, f, dismissed)
	}
	mustFollow(t, s, f1, fof2)
	for _, a := range []*store.Account{fof, fof2, blocked, muted, dismissed} {
		mustFollow(t, s, a, popular)
	}
	if _, err := s.Block(ctx, blocked, me.ID); err != nil { // blocked blocks me
		t.Fatal(err)
	}
	if _, err := s.Mute(ctx, me, muted.ID, MuteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DismissSuggestion(ctx, me, dismissed.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.DismissSuggestion(ctx, me, 987654), KindNotFound)

	sugs, err := s.Suggestions(ctx, me, 4)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sg := range sugs {
		got = append(got, sg.Account.Username+":"+sg.Sources[0])
	}
	// popular (5 followers) leads most-followed; f1/f2 are followed, me is
	// me; blocked, muted and dismissed never appear.
	want := []string{"fof:friends_of_friends", "fof2:friends_of_friends", "popular:most_followed"}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("suggestions = %v, want %v first", got, want)
	}
	for _, g := range got {
		name, _, _ := strings.Cut(g, ":")
		if slices.Contains([]string{"me", "f1", "f2", "blocked", "muted", "dismissed"}, name) {
			t.Errorf("suggested %s", name)
		}
	}
}

func TestRelationshipsBatch(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	me, a, b := mustAccount(t, s, "me"), mustAccount(t, s, "a"), mustAccount(t, s, "b")
	mustFollow(t, s, me, a)
	mustFollow(t, s, b, me)
	rels, err := s.Relationships(ctx, me, []int64{a.ID, b.ID, 999})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 3 || !rels[0].Following || rels[0].FollowedBy || !rels[1].FollowedBy || rels[2].Following {
		t.Errorf("relationships = %+v %+v %+v", rels[0], rels[1], rels[2])
	}
}

func TestAccountListsHideBlocks(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	star, fan1, fan2, viewer := mustAccount(t, s, "star"), mustAccount(t, s, "fan1"), mustAccount(t, s, "fan2"), mustAccount(t, s, "viewer")
	mustFollow(t, s, fan1, star)
	mustFollow(t, s, fan2, star)
	if _, err := s.Block(ctx, fan1, viewer.ID); err != nil {
		t.Fatal(err)
	}
	page, err := s.Followers(ctx, viewer, star.ID, firstPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Accounts) != 1 || page.Accounts[0].ID != fan2.ID || page.Newest == 0 || page.Oldest == 0 {
		t.Errorf("followers seen by viewer = %+v", page)
	}
	anon, err := s.Followers(ctx, nil, star.ID, firstPage)
	if err != nil || len(anon.Accounts) != 2 {
		t.Errorf("followers seen anonymously = %+v, %v", anon, err)
	}
	following, err := s.Following(ctx, nil, fan1.ID, firstPage)
	if err != nil || len(following.Accounts) != 1 || following.Accounts[0].ID != star.ID {
		t.Errorf("following = %+v, %v", following, err)
	}
	_, err = s.Followers(ctx, nil, 31337, firstPage)
	wantKind(t, err, KindNotFound)
}

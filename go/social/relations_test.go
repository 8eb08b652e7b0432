package social

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// A mute with notifications=false hides the account at home but leaves its
// notifications; the default mute hides both.
func TestMuteNotificationsOption(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	author := mustAccount(t, s, "author")
	loud, quiet := mustAccount(t, s, "loud"), mustAccount(t, s, "quiet")
	off := false
	for _, c := range []struct {
		v    *store.Account
		opts MuteOptions
	}{{loud, MuteOptions{}}, {quiet, MuteOptions{Notifications: &off}}} {
		follow(t, s, c.v, author)
		if _, err := s.Mute(ctx, c.v, author.ID, c.opts); err != nil {
			t.Fatal(err)
		}
	}
	st := postIn(t, s, author, StatusInput{Text: "hi @loud @quiet"})
	for _, c := range []struct {
		v            *store.Account
		wantNotified bool
	}{{loud, false}, {quiet, true}} {
		ns, err := s.Notifications(ctx, c.v, NotificationFilter{}, store.Page{Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(ns) == 1 && ns[0].Status.ID == st.ID; got != c.wantNotified {
			t.Errorf("%s notified of the mention = %v, want %v", c.v.Username, got, c.wantNotified)
		}
		if slices.Contains(homeIDs(t, s, c.v), st.ID) {
			t.Errorf("%s's home shows the muted account", c.v.Username)
		}
	}
}

// Unfollowing or blocking takes the account out of the unfollower's lists,
// as Mastodon does.
func TestUnfollowAndBlockLeaveLists(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	me, x, y := mustAccount(t, s, "me"), mustAccount(t, s, "x"), mustAccount(t, s, "y")
	follow(t, s, me, x)
	follow(t, s, me, y)
	title := "people"
	l, err := s.CreateList(ctx, me, ListInput{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddListAccounts(ctx, me, l.ID, []int64{x.ID, y.ID}); err != nil {
		t.Fatal(err)
	}
	members := func() []string {
		t.Helper()
		as, err := s.ListAccounts(ctx, me, l.ID, store.Page{Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.Username)
		}
		slices.Sort(out)
		return out
	}
	if _, err := s.Unfollow(ctx, me, x.ID); err != nil {
		t.Fatal(err)
	}
	if got := members(); !slices.Equal(got, []string{"y"}) {
		t.Errorf("after unfollowing x: members %v, want [y]", got)
	}
	if _, err := s.Block(ctx, me, y.ID); err != nil {
		t.Fatal(err)
	}
	if got := members(); len(got) != 0 {
		t.Errorf("after blocking y: members %v, want none", got)
	}
}

// verify_credentials' follow_requests_count is the number of pending
// requests, in Credentials and after UpdateCredentials.
func TestCredentialsCountFollowRequests(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	owner := mustAccount(t, s, "owner")
	locked := true
	c, err := s.UpdateCredentials(ctx, owner, CredentialsInput{Locked: &locked})
	if err != nil {
		t.Fatal(err)
	}
	if c.FollowRequestsCount != 0 || !c.Account.Locked {
		t.Fatalf("credentials = %+v, want locked with no requests", c)
	}
	a, b := mustAccount(t, s, "a"), mustAccount(t, s, "b")
	follow(t, s, a, owner)
	follow(t, s, b, owner)
	if c, err = s.Credentials(ctx, owner); err != nil || c.FollowRequestsCount != 2 {
		t.Fatalf("credentials = %+v, %v; want 2 requests", c, err)
	}
	if _, err := s.RejectFollowRequest(ctx, owner, a.ID); err != nil {
		t.Fatal(err)
	}
	if c, err = s.UpdateCredentials(ctx, owner, CredentialsInput{}); err != nil || c.FollowRequestsCount != 1 {
		t.Fatalf("after a rejection: %+v, %v; want 1 request", c, err)
	}
}

// raceBlockStore commits a block from the target just before the follow's
// own transaction, as a concurrent block request would between Follow's
// relationship check and its write.
type raceBlockStore struct {
	store.Store
	ids func(context.Context) (int64, error)
}

func (r raceBlockStore) PutFollow(ctx context.Context, f *store.Follow) error {
	id, err := r.ids(ctx)
	if err != nil {
		return err
	}
	b := &store.Block{ID: id, AccountID: f.TargetAccountID, TargetAccountID: f.AccountID, CreatedAt: f.CreatedAt}
	if err := r.Store.PutBlock(ctx, b); err != nil {
		return err
	}
	return r.Store.PutFollow(ctx, f)
}

func TestFollowLosingARaceWithABlock(t *testing.T) {
	s, st := newService(t, Deps{}, Config{})
	s.store = raceBlockStore{Store: st, ids: s.ids.Next}
	ctx := context.Background()
	me, target := mustAccount(t, s, "me"), mustAccount(t, s, "target")
	_, err := s.Follow(ctx, me, target.ID, FollowOptions{})
	wantKind(t, err, KindForbidden)
	if e := (*Error)(nil); !errors.As(err, &e) || e.Safe != "This action is not allowed" {
		t.Errorf("error = %v, want Mastodon's \"This action is not allowed\"", err)
	}
	if _, err := st.GetFollow(ctx, me.ID, target.ID); err == nil {
		t.Error("the follow outlived the block")
	}
}

package social

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Publish(_ context.Context, ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) kinds() []EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []EventKind
	for _, ev := range r.events {
		out = append(out, ev.Kind)
	}
	return out
}

func postIn(t *testing.T, s *Service, a *store.Account, in StatusInput) *store.Status {
	t.Helper()
	st, err := s.PostStatus(context.Background(), a, in)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func follow(t *testing.T, s *Service, a, b *store.Account) {
	t.Helper()
	if _, err := s.Follow(context.Background(), a, b.ID, FollowOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestContentMentionsAndTags(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{BaseURL: "https://star.test"})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "Bob")
	st := postIn(t, s, alice, StatusInput{Text: "hi @bob and @nobody, @bob@star.test @bob@elsewhere.org #Go #go mail a@bob.x https://x.test/#frag"})
	want := `<p>hi <span class="h-card" translate="no"><a href="https://star.test/@Bob" class="u-url mention">@<span>Bob</span></a></span>` +
		` and @nobody, <span class="h-card" translate="no"><a href="https://star.test/@Bob" class="u-url mention">@<span>Bob</span></a></span>` +
		` @bob@elsewhere.org <a href="https://star.test/tags/go" class="mention hashtag" rel="tag">#<span>Go</span></a>` +
		` <a href="https://star.test/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a> mail a@bob.x` +
		` <a href="https://x.test/#frag" rel="nofollow noopener noreferrer" target="_blank">https://x.test/#frag</a></p>`
	if st.Content != want {
		t.Errorf("content\n got %s\nwant %s", st.Content, want)
	}
	views, err := s.ViewStatuses(ctx, alice, []*store.Status{st})
	if err != nil || len(views) != 1 {
		t.Fatalf("ViewStatuses: %v, %d views", err, len(views))
	}
	if len(views[0].Mentions) != 1 || views[0].Mentions[0].ID != bob.ID {
		t.Errorf("mentions = %v, want bob only", views[0].Mentions)
	}
	if !slices.Equal(views[0].Tags, []string{"go"}) {
		t.Errorf("tags = %v, want [go]", views[0].Tags)
	}
	// Escaping still holds around the new markup.
	if got := renderContent("<script>#x</script>"); strings.Contains(got, "<script>") {
		t.Errorf("unescaped markup: %s", got)
	}
}

func TestMentionedVisibility(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	author, mentioned, follower, stranger := mustAccount(t, s, "author"), mustAccount(t, s, "mentioned"),
		mustAccount(t, s, "follower"), mustAccount(t, s, "stranger")
	follow(t, s, follower, author)
	private := postIn(t, s, author, StatusInput{Text: "psst @mentioned", Visibility: "private"})
	direct := postIn(t, s, author, StatusInput{Text: "dm @mentioned", Visibility: "direct"})
	tests := []struct {
		name   string
		viewer *store.Account
		st     *store.Status
		want   bool
	}{
		{"private: mentioned", mentioned, private, true},
		{"private: follower", follower, private, true},
		{"private: stranger", stranger, private, false},
		{"private: anonymous", nil, private, false},
		{"direct: mentioned", mentioned, direct, true},
		{"direct: follower", follower, direct, false},
		{"direct: author", author, direct, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.GetStatus(ctx, tt.viewer, tt.st.ID)
			if got := err == nil; got != tt.want {
				t.Errorf("visible = %v, want %v (err %v)", got, tt.want, err)
			}
		})
	}
	// The mentioned account may reply to what it can see, and a reply
	// names the parent's author.
	reply := postIn(t, s, mentioned, StatusInput{Text: "ok", InReplyToID: direct.ID, Visibility: "direct"})
	if reply.InReplyToAccountID != author.ID {
		t.Errorf("InReplyToAccountID = %d, want %d", reply.InReplyToAccountID, author.ID)
	}
	_, err := s.PostStatus(ctx, stranger, StatusInput{Text: "no", InReplyToID: direct.ID})
	wantKind(t, err, KindNotFound)
}

func TestNotificationsFromInteractions(t *testing.T) {
	pub := &recorder{}
	s, _ := newService(t, Deps{Publisher: pub}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	st := postIn(t, s, alice, StatusInput{Text: "hello @bob, and me @alice"})
	if _, err := s.Favourite(ctx, bob, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Favourite(ctx, bob, st.ID); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := s.Reblog(ctx, bob, st.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Favourite(ctx, alice, st.ID); err != nil { // self: no notification
		t.Fatal(err)
	}
	if err := s.notify(ctx, alice.ID, bob.ID, store.NotificationFollow, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.notify(ctx, alice.ID, alice.ID, store.NotificationFollow, 0); err != nil {
		t.Fatal(err)
	}

	types := func(a *store.Account, f NotificationFilter) []store.NotificationType {
		t.Helper()
		ns, err := s.Notifications(ctx, a, f, store.Page{Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		var out []store.NotificationType
		for _, n := range ns {
			out = append(out, n.Notification.Type)
		}
		return out
	}
	if got, want := types(alice, NotificationFilter{}), []store.NotificationType{"follow", "reblog", "favourite"}; !slices.Equal(got, want) {
		t.Errorf("alice's notifications = %v, want %v", got, want)
	}
	if got, want := types(bob, NotificationFilter{}), []store.NotificationType{"mention"}; !slices.Equal(got, want) {
		t.Errorf("bob's notifications = %v, want %v", got, want)
	}
	if got := types(alice, NotificationFilter{ExcludeTypes: []store.NotificationType{"follow", "favourite"}}); !slices.Equal(got, []store.NotificationType{"reblog"}) {
		t.Errorf("excluding follow, favourite = %v", got)
	}
	if got := types(alice, NotificationFilter{Types: []store.NotificationType{"bogus"}}); len(got) != 0 {
		t.Errorf("unknown type = %v, want none", got)
	}

	// Undoing the favourite takes its notification; counts follow.
	if _, err := s.Unfavourite(ctx, bob, st.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetStatus(ctx, alice, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FavouritesCount != 1 || got.ReblogsCount != 1 {
		t.Errorf("counts (favourites, reblogs) = (%d, %d), want (1, 1)", got.FavouritesCount, got.ReblogsCount)
	}
	if got, want := types(alice, NotificationFilter{}), []store.NotificationType{"follow", "reblog"}; !slices.Equal(got, want) {
		t.Errorf("after unfavourite: %v, want %v", got, want)
	}
	k := pub.kinds()
	if !slices.Contains(k, EventUpdate) || !slices.Contains(k, EventNotification) {
		t.Errorf("published %v, want updates and notifications", k)
	}
}

func TestReblogRules(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	follow(t, s, bob, alice)
	private := postIn(t, s, alice, StatusInput{Text: "followers only", Visibility: "private"})
	_, err := s.Reblog(ctx, bob, private.ID, "")
	wantKind(t, err, KindForbidden)
	// A self-boost of a private status stays private whatever is asked.
	if rb, err := s.Reblog(ctx, alice, private.ID, "public"); err != nil || rb.Visibility != store.VisibilityPrivate {
		t.Errorf("self-reblog of a private status asked public: %+v, %v; want a private reblog", rb, err)
	}
	direct := postIn(t, s, alice, StatusInput{Text: "dm @bob", Visibility: "direct"})
	_, err = s.Reblog(ctx, bob, direct.ID, "")
	wantKind(t, err, KindForbidden)

	pub := postIn(t, s, alice, StatusInput{Text: "boost me"})
	rb1, err := s.Reblog(ctx, bob, pub.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	// Reblogging the reblog reblogs the original, once.
	rb2, err := s.Reblog(ctx, bob, rb1.ID, "")
	if err != nil || rb2.ID != rb1.ID {
		t.Fatalf("second reblog = %v, %v; want the first (%d)", rb2, err, rb1.ID)
	}
	// A follower of bob sees the reblog at home.
	carol := mustAccount(t, s, "carol")
	follow(t, s, carol, bob)
	home, err := s.HomeTimeline(ctx, carol, store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(home) != 1 || home[0].ID != rb1.ID {
		t.Errorf("carol's home = %v, want bob's reblog", home)
	}
	// Deleting someone else's status is forbidden; deleting your own
	// returns it with its text.
	_, err = s.DeleteStatus(ctx, bob, pub.ID)
	wantKind(t, err, KindForbidden)
	orig, err := s.Unreblog(ctx, bob, pub.ID)
	if err != nil || orig.ReblogsCount != 0 {
		t.Fatalf("Unreblog = %+v, %v; want the original with 0 reblogs", orig, err)
	}
	gone, err := s.DeleteStatus(ctx, alice, pub.ID)
	if err != nil || gone.Text != "boost me" {
		t.Fatalf("DeleteStatus = %+v, %v", gone, err)
	}
	_, err = s.GetStatus(ctx, alice, pub.ID)
	wantKind(t, err, KindNotFound)
}

func TestIdempotencyKey(t *testing.T) {
	s, st := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	in := StatusInput{Text: "once", IdempotencyKey: "abc"}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids = map[int64]bool{}
	)
	for range 8 {
		wg.Go(func() {
			got, err := s.PostStatus(ctx, alice, in)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[got.ID] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(ids) != 1 {
		t.Errorf("8 posts with one key made %d statuses, want 1", len(ids))
	}
	a, err := st.GetAccountByID(ctx, alice.ID)
	if err != nil || a.StatusesCount != 1 {
		t.Errorf("statuses count = %d (%v), want 1", a.StatusesCount, err)
	}
	// Another account's key is its own.
	other := postIn(t, s, bob, in)
	if ids[other.ID] {
		t.Error("bob's post with alice's key returned alice's status")
	}
}

func TestContextOrder(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	root := postIn(t, s, alice, StatusInput{Text: "root"})
	a := postIn(t, s, bob, StatusInput{Text: "a", InReplyToID: root.ID})
	b := postIn(t, s, alice, StatusInput{Text: "b", InReplyToID: root.ID})
	a1 := postIn(t, s, alice, StatusInput{Text: "a1", InReplyToID: a.ID})
	hidden := postIn(t, s, bob, StatusInput{Text: "only bob's followers", InReplyToID: b.ID, Visibility: "private"})
	up, down, err := s.StatusContext(ctx, alice, a1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ids := statusIDList(up); !slices.Equal(ids, []int64{root.ID, a.ID}) {
		t.Errorf("ancestors = %v", ids)
	}
	if len(down) != 0 {
		t.Errorf("descendants of a leaf = %v", statusIDList(down))
	}
	_, down, err = s.StatusContext(ctx, alice, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ids := statusIDList(down); !slices.Equal(ids, []int64{a.ID, a1.ID, b.ID}) {
		t.Errorf("descendants = %v, want depth first %v (without %d)", ids, []int64{a.ID, a1.ID, b.ID}, hidden.ID)
	}
}

func statusIDList(sts []*store.Status) []int64 {
	out := []int64{}
	for _, st := range sts {
		out = append(out, st.ID)
	}
	return out
}

func TestCountsUnderConcurrency(t *testing.T) {
	s, st := newService(t, Deps{}, Config{})
	ctx := context.Background()
	author := mustAccount(t, s, "author")
	target := postIn(t, s, author, StatusInput{Text: "popular"})
	var fans []*store.Account
	for _, n := range []string{"f1", "f2", "f3", "f4", "f5", "f6"} {
		fans = append(fans, mustAccount(t, s, n))
	}
	var wg sync.WaitGroup
	for i, fan := range fans {
		wg.Go(func() {
			for range 3 {
				for _, err := range []error{
					ignoreErr(s.Favourite(ctx, fan, target.ID)),
					ignoreErr(s.Reblog(ctx, fan, target.ID, "")),
					ignoreErr(s.PostStatus(ctx, fan, StatusInput{Text: "re", InReplyToID: target.ID})),
				} {
					if err != nil {
						t.Error(err)
					}
				}
				if i%2 == 0 {
					if _, err := s.Unfavourite(ctx, fan, target.ID); err != nil {
						t.Error(err)
					}
					if _, err := s.Unreblog(ctx, fan, target.ID); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	got, err := st.GetStatusByID(ctx, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	favs, _ := st.ListFavouritedBy(ctx, target.ID, store.Page{Limit: 100})
	rbs, _ := st.ListRebloggedBy(ctx, target.ID, store.Page{Limit: 100})
	replies, _ := st.ListStatusDescendants(ctx, target.ID, 100)
	if got.FavouritesCount != int64(len(favs)) || got.ReblogsCount != int64(len(rbs)) || got.RepliesCount != int64(len(replies)) {
		t.Errorf("counts (fav, reblog, reply) = (%d, %d, %d), rows (%d, %d, %d)",
			got.FavouritesCount, got.ReblogsCount, got.RepliesCount, len(favs), len(rbs), len(replies))
	}
	if len(favs) != 3 || len(rbs) != 3 || len(replies) != 18 {
		t.Errorf("rows (fav, reblog, reply) = (%d, %d, %d), want (3, 3, 18)", len(favs), len(rbs), len(replies))
	}
}

func ignoreErr[T any](_ T, err error) error { return err }

func TestListsRequireFollowing(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, bob, carol := mustAccount(t, s, "alice"), mustAccount(t, s, "bob"), mustAccount(t, s, "carol")
	title := "friends"
	l, err := s.CreateList(ctx, alice, ListInput{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.AddListAccounts(ctx, alice, l.ID, []int64{bob.ID}), KindNotFound)
	follow(t, s, alice, bob)
	follow(t, s, alice, carol)
	if err := s.AddListAccounts(ctx, alice, l.ID, []int64{bob.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetList(ctx, carol, l.ID)
	wantKind(t, err, KindNotFound)
	fromBob := postIn(t, s, bob, StatusInput{Text: "in the list"})
	postIn(t, s, carol, StatusInput{Text: "not in the list"})
	sts, err := s.ListTimeline(ctx, alice, l.ID, store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if ids := statusIDList(sts); !slices.Equal(ids, []int64{fromBob.ID}) {
		t.Errorf("list timeline = %v, want [%d]", ids, fromBob.ID)
	}
	if err := s.DeleteList(ctx, alice, l.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListTimeline(ctx, alice, l.ID, store.Page{Limit: 20})
	wantKind(t, err, KindNotFound)
}

// TestDeleteOwnHiddenBoost: a boost hidden from its own booster (the
// original's author blocked the booster since) is still the booster's to
// delete; someone else's status stays 404 to those who may not see it and
// 403 to those who may.
func TestDeleteOwnHiddenBoost(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{})
	ctx := context.Background()
	alice, carol, dave := mustAccount(t, s, "alice"), mustAccount(t, s, "carol"), mustAccount(t, s, "dave")
	orig := postIn(t, s, carol, StatusInput{Text: "carol's post"})
	rb, err := s.Reblog(ctx, alice, orig.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Block(ctx, carol, alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetStatus(ctx, alice, rb.ID); KindOf(err) != KindNotFound {
		t.Fatalf("alice reads her boost of her blocker's post: %v, want not found", err)
	}
	_, err = s.DeleteStatus(ctx, dave, rb.ID)
	wantKind(t, err, KindForbidden)
	_, err = s.DeleteStatus(ctx, carol, rb.ID) // blocked by carol: carol may not see alice's statuses
	wantKind(t, err, KindNotFound)
	if _, err := s.DeleteStatus(ctx, alice, rb.ID); err != nil {
		t.Fatalf("alice deletes her own boost: %v", err)
	}
	if _, err := s.GetStatus(ctx, dave, rb.ID); KindOf(err) != KindNotFound {
		t.Errorf("the boost is still there: %v", err)
	}
}

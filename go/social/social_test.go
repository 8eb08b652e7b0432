package social

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// newService returns a service over a fresh SQLite database.
func newService(t *testing.T, deps Deps, cfg Config) (*Service, store.Store) {
	t.Helper()
	st := sqlitetest.NewStore(t)
	deps.Store, deps.IDs = st, snowflaketest.New()
	if deps.Home == nil {
		// STARLING_TEST_FEED_STRATEGY runs the suite under push or hybrid
		// (`make test` does for the timeline tests).
		cfg := feed.DefaultConfig()
		if s := os.Getenv("STARLING_TEST_FEED_STRATEGY"); s != "" {
			cfg.Strategy, cfg.CelebrityThreshold, cfg.Cap = s, 2, 20
		} else {
			cfg.Strategy = feed.StrategyPull
		}
		home, err := feed.New(st, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		deps.Home = home
	}
	cfg.BcryptCost = bcrypt.MinCost // hashing speed is not under test
	return New(deps, cfg), st
}

// openTestStore opens a fresh, migrated SQLite store.
func openTestStore(t *testing.T) store.Store {
	t.Helper()
	return sqlitetest.NewStore(t)
}

func mustAccount(t *testing.T, s *Service, name string) *store.Account {
	t.Helper()
	a, err := s.CreateAccount(context.Background(), NewAccount{Username: name, Password: "password123"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func wantKind(t *testing.T, err error, k Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %d", k)
	}
	if got := KindOf(err); got != k {
		t.Fatalf("kind = %d, want %d (err: %v)", got, k, err)
	}
}

func TestCanView(t *testing.T) {
	const author, viewer, statusID = 1, 2, 10
	tests := []struct {
		name string
		vis  store.Visibility
		vc   viewerContext
		path readPath
		want bool
	}{
		{"public, anonymous", store.VisibilityPublic, viewerContext{}, readDirect, true},
		{"public, stranger", store.VisibilityPublic, viewerContext{id: viewer}, readPublic, true},
		{"unlisted, anonymous", store.VisibilityUnlisted, viewerContext{}, readDirect, true},
		{"unlisted, not on public timelines", store.VisibilityUnlisted, viewerContext{id: viewer}, readPublic, false},
		{"unlisted, follower at home", store.VisibilityUnlisted, viewerContext{id: viewer, following: idList{author}}, readHome, true},
		{"private, anonymous", store.VisibilityPrivate, viewerContext{}, readDirect, false},
		{"private, stranger", store.VisibilityPrivate, viewerContext{id: viewer}, readDirect, false},
		{"private, follower", store.VisibilityPrivate, viewerContext{id: viewer, following: idList{author}}, readDirect, true},
		{"private, follower of many", store.VisibilityPrivate, viewerContext{id: viewer, following: idList{-5, 0, author, 7, 1 << 40}}, readDirect, true},
		{"private, follower of others", store.VisibilityPrivate, viewerContext{id: viewer, following: idList{-5, 0, 7, 1 << 40}}, readDirect, false},
		{"private, mentioned", store.VisibilityPrivate, viewerContext{id: viewer, mentioned: map[int64]bool{statusID: true}}, readDirect, true},
		{"private, author", store.VisibilityPrivate, viewerContext{id: author}, readDirect, true},
		{"direct, follower", store.VisibilityDirect, viewerContext{id: viewer, following: idList{author}}, readDirect, false},
		{"direct, mentioned", store.VisibilityDirect, viewerContext{id: viewer, mentioned: map[int64]bool{statusID: true}}, readDirect, true},
		{"direct, author", store.VisibilityDirect, viewerContext{id: author}, readHome, true},
		{"direct, anonymous", store.VisibilityDirect, viewerContext{}, readDirect, false},
		{"blocked hides public", store.VisibilityPublic, viewerContext{id: viewer, blocked: idList{author}}, readDirect, false},
		{"blocked beats following", store.VisibilityPrivate, viewerContext{id: viewer, following: idList{author}, blocked: idList{author}}, readHome, false},
		{"muted hidden at home", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readHome, false},
		{"muted hidden in notifications", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}, mutedNotifications: idList{author}}, readNotifications, false},
		{"muted without notifications shown in notifications", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readNotifications, true},
		{"muted without notifications still hidden at home", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readHome, false},
		{"blocked hides notifications whatever the mutes", store.VisibilityPublic, viewerContext{id: viewer, blocked: idList{author}}, readNotifications, false},
		{"muted shown when opened", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readDirect, true},
		{"muted shown on the profile", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readAccount, true},
		{"muted hidden in trends", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readTrends, false},
		{"muted hidden in For you", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readForYou, false},
		{"private of a stranger hidden in For you", store.VisibilityPrivate, viewerContext{id: viewer}, readForYou, false},
		{"muted shown on public timelines", store.VisibilityPublic, viewerContext{id: viewer, muted: idList{author}}, readPublic, true},
		{"unknown visibility", "bogus", viewerContext{id: viewer, following: idList{author}}, readDirect, false},
	}
	for _, tt := range tests {
		st := &store.Status{ID: statusID, AccountID: author, Visibility: tt.vis}
		if got := canView(&tt.vc, st, tt.path); got != tt.want {
			t.Errorf("%s: canView = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIDList(t *testing.T) {
	tests := []struct {
		name string
		l    idList
		id   int64
		want bool
	}{
		{"nil", nil, 1, false},
		{"only", idList{1}, 1, true},
		{"first", idList{1, 3, 5}, 1, true},
		{"middle", idList{1, 3, 5}, 3, true},
		{"last", idList{1, 3, 5}, 5, true},
		{"below", idList{1, 3, 5}, 0, false},
		{"between", idList{1, 3, 5}, 4, false},
		{"above", idList{1, 3, 5}, 6, false},
	}
	for _, tt := range tests {
		if got := tt.l.has(tt.id); got != tt.want {
			t.Errorf("%s: %v.has(%d) = %v, want %v", tt.name, tt.l, tt.id, got, tt.want)
		}
	}
}

func TestPostStatusValidation(t *testing.T) {
	s, _ := newService(t, Deps{}, Config{MaxStatusChars: 10})
	a := mustAccount(t, s, "alice")
	tests := []struct {
		name string
		in   StatusInput
		kind Kind
		ok   bool
	}{
		{"plain", StatusInput{Text: "hello"}, 0, true},
		{"exactly the limit in runes", StatusInput{Text: "éééééééééé"}, 0, true},
		{"blank", StatusInput{Text: " \n\t"}, KindInvalid, false},
		{"over the limit", StatusInput{Text: "12345678901"}, KindInvalid, false},
		{"spoiler counts", StatusInput{Text: "123456", SpoilerText: "12345"}, KindInvalid, false},
		{"bad visibility", StatusInput{Text: "hi", Visibility: "friends"}, KindInvalid, false},
		{"bad language", StatusInput{Text: "hi", Language: "English"}, KindInvalid, false},
		{"invalid utf-8", StatusInput{Text: "hi \xff"}, KindInvalid, false},
		{"unknown reply target", StatusInput{Text: "hi", InReplyToID: 42}, KindNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := s.PostStatus(context.Background(), a, tt.in)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if st.Visibility != store.VisibilityPublic || st.Content == "" {
					t.Fatalf("stored %+v", st)
				}
				return
			}
			wantKind(t, err, tt.kind)
		})
	}
}

// moderator is a scripted Moderator that records what it saw.
type moderator struct {
	verdict Verdict
	err     error
	seen    []Draft
}

func (m *moderator) CheckStatus(_ context.Context, d Draft) (Verdict, error) {
	m.seen = append(m.seen, d)
	return m.verdict, m.err
}

func (m *moderator) CheckAccount(_ context.Context, d AccountDraft) (Verdict, error) {
	m.seen = append(m.seen, Draft{AccountID: d.AccountID, Username: d.Username, Text: d.DisplayName + "|" + d.Note})
	return m.verdict, m.err
}

func TestPostStatusModeration(t *testing.T) {
	tests := []struct {
		name     string
		mod      moderator
		kind     Kind
		stored   bool
		wantText string
		wantSens bool
	}{
		{"allow", moderator{}, 0, true, "original text", false},
		{"reject", moderator{verdict: Verdict{Reject: true, Reason: "contains a blocked word"}}, KindInvalid, false, "", false},
		{"rewrite", moderator{verdict: Verdict{Rewritten: true, Text: "masked ****"}}, 0, true, "masked ****", false},
		{"sensitive", moderator{verdict: Verdict{Sensitive: true}}, 0, true, "original text", true},
		{"moderation down", moderator{err: errors.New("plugin crashed")}, KindUnavailable, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := tt.mod
			s, st := newService(t, Deps{Moderator: &mod}, DefaultConfig())
			a := mustAccount(t, s, "alice")
			got, err := s.PostStatus(context.Background(), a, StatusInput{Text: "original text", Visibility: "unlisted"})
			if len(mod.seen) != 1 || mod.seen[0].Text != "original text" || mod.seen[0].Visibility != store.VisibilityUnlisted || mod.seen[0].Username != "alice" {
				t.Fatalf("moderator saw %+v", mod.seen)
			}
			after, lerr := st.GetAccountByID(context.Background(), a.ID)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if !tt.stored {
				wantKind(t, err, tt.kind)
				if after.StatusesCount != 0 {
					t.Fatalf("a refused status was stored (count %d)", after.StatusesCount)
				}
				if tt.kind == KindInvalid && !strings.Contains(SafeMessage(err), tt.mod.verdict.Reason) {
					t.Fatalf("reason %q not passed to the client message %q", tt.mod.verdict.Reason, SafeMessage(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, err := st.GetStatusByID(context.Background(), got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Text != tt.wantText || stored.Sensitive != tt.wantSens {
				t.Fatalf("stored text %q sensitive %v, want %q %v", stored.Text, stored.Sensitive, tt.wantText, tt.wantSens)
			}
		})
	}
}

func TestFollowRules(t *testing.T) {
	s, st := newService(t, Deps{}, DefaultConfig())
	ctx := context.Background()
	a, b := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")

	_, err := s.Follow(ctx, a, a.ID, FollowOptions{})
	wantKind(t, err, KindForbidden)
	_, err = s.Follow(ctx, a, 999, FollowOptions{})
	wantKind(t, err, KindNotFound)

	for range 2 { // following twice is idempotent
		rel, err := s.Follow(ctx, a, b.ID, FollowOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rel.Following || rel.FollowedBy || !rel.ShowingReblogs {
			t.Fatalf("relationship %+v", rel)
		}
	}
	bb, _ := st.GetAccountByID(ctx, b.ID)
	if bb.FollowersCount != 1 {
		t.Fatalf("followers_count %d after a repeated follow, want 1", bb.FollowersCount)
	}
	rel, err := s.Relationship(ctx, b, a.ID)
	if err != nil || !rel.FollowedBy || rel.Following {
		t.Fatalf("reverse relationship %+v, %v", rel, err)
	}
	for range 2 { // unfollowing twice is idempotent too
		rel, err := s.Unfollow(ctx, a, b.ID)
		if err != nil || rel.Following {
			t.Fatalf("unfollow: %+v, %v", rel, err)
		}
	}
}

func TestVisibilityThroughReadPaths(t *testing.T) {
	s, _ := newService(t, Deps{}, DefaultConfig())
	ctx := context.Background()
	author, follower, stranger := mustAccount(t, s, "author"), mustAccount(t, s, "follower"), mustAccount(t, s, "stranger")
	if _, err := s.Follow(ctx, follower, author.ID, FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	byVis := map[store.Visibility]int64{}
	for _, v := range []store.Visibility{"public", "unlisted", "private", "direct"} {
		st, err := s.PostStatus(ctx, author, StatusInput{Text: "a " + string(v) + " post", Visibility: string(v)})
		if err != nil {
			t.Fatal(err)
		}
		byVis[v] = st.ID
	}
	viewers := map[string]*store.Account{"self": author, "follower": follower, "stranger": stranger, "anonymous": nil}
	want := map[string][]store.Visibility{
		"self":      {"public", "unlisted", "private", "direct"},
		"follower":  {"public", "unlisted", "private"},
		"stranger":  {"public", "unlisted"},
		"anonymous": {"public", "unlisted"},
	}
	for name, v := range viewers {
		for vis, id := range byVis {
			_, err := s.GetStatus(ctx, v, id)
			visible := err == nil
			if err != nil {
				wantKind(t, err, KindNotFound)
			}
			if wantVisible := contains(want[name], vis); visible != wantVisible {
				t.Errorf("%s GetStatus(%s) visible=%v, want %v", name, vis, visible, wantVisible)
			}
		}
		if v == nil {
			continue
		}
		home, err := s.HomeTimeline(ctx, v, store.Page{Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		var got []store.Visibility
		for _, st := range home {
			got = append(got, st.Visibility)
		}
		// Strangers do not follow the author: their home has none of it.
		wantHome := want[name]
		if name == "stranger" {
			wantHome = nil
		}
		if len(got) != len(wantHome) {
			t.Errorf("%s home has %v, want %v", name, got, wantHome)
		}
	}
}

func contains(vs []store.Visibility, v store.Visibility) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func TestAuthFlow(t *testing.T) {
	s, _ := newService(t, Deps{}, DefaultConfig())
	ctx := context.Background()
	mustAccount(t, s, "alice")
	app, err := s.CreateApp(ctx, AppInput{Name: "client", Scopes: "read write"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateApp(ctx, app.ClientID, "wrong"); KindOf(err) != KindUnauthorized {
		t.Fatalf("wrong client secret: %v", err)
	}
	if _, err := s.PasswordGrant(ctx, app, "alice", "wrong-password", ""); KindOf(err) != KindInvalid {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.PasswordGrant(ctx, app, "nobody", "password123", ""); KindOf(err) != KindInvalid {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := s.PasswordGrant(ctx, app, "alice", "password123", "read follow"); KindOf(err) != KindInvalid {
		t.Fatalf("scope beyond the app's: %v", err)
	}
	tok, err := s.PasswordGrant(ctx, app, "ALICE", "password123", "read")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.Authenticate(ctx, tok.Secret)
	if err != nil || sess.Account == nil || sess.Account.Username != "alice" {
		t.Fatalf("authenticate: %+v, %v", sess, err)
	}
	if !ScopeAllows(sess.Scopes, "read:statuses") || ScopeAllows(sess.Scopes, "write:statuses") {
		t.Fatalf("scopes %v", sess.Scopes)
	}
	// Another app cannot revoke alice's token; hers can.
	other, _ := s.CreateApp(ctx, AppInput{Name: "other"})
	if err := s.RevokeToken(ctx, other, tok.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok.Secret); err != nil {
		t.Fatalf("token revoked by a foreign app: %v", err)
	}
	if err := s.RevokeToken(ctx, app, tok.Secret); err != nil {
		t.Fatal(err)
	}
	_, err = s.Authenticate(ctx, tok.Secret)
	wantKind(t, err, KindUnauthorized)
}

func TestRegistration(t *testing.T) {
	ctx := context.Background()
	open, _ := newService(t, Deps{}, DefaultConfig())
	app, _ := open.CreateApp(ctx, AppInput{Name: "client", Scopes: "read write"})
	appTok, err := open.ClientCredentialsGrant(ctx, app, "write")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := open.Authenticate(ctx, appTok.Secret)
	if err != nil || sess.Account != nil {
		t.Fatalf("app token session %+v, %v", sess, err)
	}
	for _, tt := range []struct {
		in   NewAccount
		kind Kind
	}{
		{NewAccount{Username: "bad name", Password: "password123"}, KindInvalid},
		{NewAccount{Username: "ok", Password: "short"}, KindInvalid},
		{NewAccount{Username: "ok", Password: strings.Repeat("p", 73)}, KindInvalid},
	} {
		_, err := open.Register(ctx, sess, tt.in)
		wantKind(t, err, tt.kind)
	}
	if _, err := open.Register(ctx, sess, NewAccount{Username: "carol", Password: "password123"}); err != nil {
		t.Fatal(err)
	}
	_, err = open.Register(ctx, sess, NewAccount{Username: "Carol", Password: "password123"})
	wantKind(t, err, KindConflict)

	closed, _ := newService(t, Deps{}, Config{RegistrationsOpen: false})
	_, err = closed.Register(ctx, &Session{Token: &store.Token{}}, NewAccount{Username: "dave", Password: "password123"})
	wantKind(t, err, KindForbidden)
}

func TestRenderContent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "<p>hello</p>"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"one\ntwo\n\nthree", "<p>one<br />two</p><p>three</p>"},
		{"see https://example.com/a?b=1&c=2.", `<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank">https://example.com/a?b=1&amp;c=2</a>.</p>`},
		{`x "https://e.com/<b>" y`, `<p>x &#34;<a href="https://e.com/" rel="nofollow noopener noreferrer" target="_blank">https://e.com/</a>&lt;b&gt;&#34; y</p>`},
	}
	for _, tt := range tests {
		if got := renderContent(tt.in); got != tt.want {
			t.Errorf("renderContent(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeTag(t *testing.T) {
	for in, want := range map[string]string{
		"cats": "cats", "#Cats": "cats", " #CATS ": "cats", "café": "café", "tag_2": "tag_2",
		"not-a-tag": "", "two words": "", "#": "", "": "", "#cats!": "",
	} {
		if got := normalizeTag(in); got != want {
			t.Errorf("normalizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}

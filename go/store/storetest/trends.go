package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// trendNow is the "now" of the trend tests: windows are computed from it,
// never from the clock, so the tests say exactly which rows fall inside.
var trendNow = time.Date(2025, 6, 10, 12, 30, 0, 0, time.UTC)

// putTagged stores a status by author created at trendNow-ago with the tags.
func putTagged(t *testing.T, s store.Store, author *store.Account, ago time.Duration, vis store.Visibility, tags ...string) *store.Status {
	t.Helper()
	st := newStatus(author, 0)
	st.CreatedAt, st.Visibility = trendNow.Add(-ago), vis
	mustNot(t, s.PutStatusWrite(t.Context(), &store.StatusWrite{Status: st, Tags: tags}), "PutStatusWrite")
	return st
}

func exerciseTrends(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("TagUses", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		pub := store.VisibilityPublic
		// alice: two uses of #cats in the hour starting 12:00, one at 10:xx.
		putTagged(t, s, alice, 5*time.Minute, pub, "cats", "dogs") // 12:25
		a2 := putTagged(t, s, alice, 20*time.Minute, pub, "cats")  // 12:10
		putTagged(t, s, alice, 2*time.Hour, pub, "cats")           // 10:30
		putTagged(t, s, bob, 30*time.Minute, pub, "cats")          // 12:00
		// Outside the window, or not public, or a reblog: not counted.
		putTagged(t, s, bob, 8*24*time.Hour, pub, "cats")
		putTagged(t, s, bob, -time.Minute, pub, "cats") // at or after until
		putTagged(t, s, bob, time.Minute, store.VisibilityUnlisted, "cats")
		putTagged(t, s, bob, time.Minute, store.VisibilityPrivate, "cats")
		putTagged(t, s, bob, time.Minute, store.VisibilityDirect, "secret")
		rb := newStatus(bob, 0)
		rb.ReblogOfID, rb.CreatedAt = a2.ID, trendNow.Add(-time.Minute)
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: rb}), "PutStatusWrite reblog")

		got, err := s.ListTagUses(ctx, trendNow.Add(-7*24*time.Hour), trendNow, 100)
		mustNot(t, err, "ListTagUses")
		want := []store.TagUse{
			{Name: "cats", AccountID: alice.ID, Uses: 2, LastUsed: trendNow.Add(-5 * time.Minute)},
			{Name: "dogs", AccountID: alice.ID, Uses: 1, LastUsed: trendNow.Add(-5 * time.Minute)},
			{Name: "cats", AccountID: bob.ID, Uses: 1, LastUsed: trendNow.Add(-30 * time.Minute)},
			{Name: "cats", AccountID: alice.ID, Uses: 1, LastUsed: trendNow.Add(-2 * time.Hour)},
		}
		if alice.ID > bob.ID {
			t.Fatal("test assumes alice's ID is lower") // ordering ties break by account
		}
		checkTagUses(t, got, want)

		got, err = s.ListTagUses(ctx, trendNow.Add(-7*24*time.Hour), trendNow, 2)
		mustNot(t, err, "ListTagUses limit 2")
		checkTagUses(t, got, want[:2])

		got, err = s.ListTagUses(ctx, trendNow.Add(-time.Hour), trendNow, 100)
		mustNot(t, err, "ListTagUses last hour")
		checkTagUses(t, got, want[:3])
	})

	t.Run("TagHistory", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		pub := store.VisibilityPublic
		today := trendNow.Truncate(24 * time.Hour)
		putTagged(t, s, alice, time.Hour, pub, "cats")
		putTagged(t, s, alice, 2*time.Hour, pub, "cats", "dogs")
		putTagged(t, s, bob, 3*time.Hour, pub, "cats")
		putTagged(t, s, bob, 13*time.Hour, pub, "cats") // 23:30 the day before
		putTagged(t, s, bob, 3*time.Hour, store.VisibilityUnlisted, "cats")
		putTagged(t, s, bob, 30*24*time.Hour, pub, "cats") // before since
		putTagged(t, s, bob, time.Hour, pub, "birds")      // not asked for

		got, err := s.GetTagHistory(ctx, []string{"cats", "dogs", "none"}, today.Add(-6*24*time.Hour), today.Add(24*time.Hour))
		mustNot(t, err, "GetTagHistory")
		want := []store.TagDay{
			{Name: "cats", Day: today.Add(-24 * time.Hour), Uses: 1, Accounts: 1},
			{Name: "cats", Day: today, Uses: 3, Accounts: 2},
			{Name: "dogs", Day: today, Uses: 1, Accounts: 1},
		}
		if !slices.EqualFunc(got, want, sameTagDay) {
			t.Errorf("GetTagHistory =\n %v\nwant\n %v", got, want)
		}
		got, err = s.GetTagHistory(ctx, nil, today, today.Add(24*time.Hour))
		mustNot(t, err, "GetTagHistory no names")
		if len(got) != 0 {
			t.Errorf("GetTagHistory(no names) = %v, want none", got)
		}
	})

	t.Run("SearchTags", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice := putAccount(t, s, "alice")
		pub := store.VisibilityPublic
		putTagged(t, s, alice, time.Hour, pub, "cat", "cats", "catsofmastodon", "cb", "ca")
		putTagged(t, s, alice, time.Hour, pub, "cats") // a second use: still one name
		putTagged(t, s, alice, time.Hour, pub, "café", "cafe", "caf\U0010FFFF")
		putTagged(t, s, alice, 400*24*time.Hour, pub, "catalogue") // age does not matter
		putTagged(t, s, alice, time.Hour, store.VisibilityPrivate, "catnip")
		putTagged(t, s, alice, time.Hour, store.VisibilityUnlisted, "catwalk")

		cases := []struct {
			prefix        string
			limit, offset int
			want          []string
		}{
			{"cat", 10, 0, []string{"cat", "catalogue", "cats", "catsofmastodon"}},
			{"cat", 2, 1, []string{"catalogue", "cats"}},
			{"cat", 10, 10, nil},
			{"cats", 10, 0, []string{"cats", "catsofmastodon"}},
			{"ca", 3, 0, []string{"ca", "cafe", "café"}},
			{"caf", 10, 0, []string{"cafe", "café", "caf\U0010FFFF"}},
			{"caf\U0010FFFF", 10, 0, []string{"caf\U0010FFFF"}}, // the bound carries: [caf\U0010FFFF, cag)
			{"café", 10, 0, []string{"café"}},
			{"cb", 10, 0, []string{"cb"}},
			{"catnip", 10, 0, nil},  // private only
			{"catwalk", 10, 0, nil}, // unlisted only
			{"dog", 10, 0, nil},
		}
		for _, c := range cases {
			got, err := s.SearchTags(ctx, c.prefix, c.limit, c.offset)
			mustNot(t, err, "SearchTags "+c.prefix)
			if !slices.Equal(got, c.want) {
				t.Errorf("SearchTags(%q, %d, %d) = %q, want %q", c.prefix, c.limit, c.offset, got, c.want)
			}
		}
	})

	t.Run("StatusEngagement", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		alice, bob, carol := putAccount(t, s, "alice"), putAccount(t, s, "bob"), putAccount(t, s, "carol")
		pub := store.VisibilityPublic
		popular := putTagged(t, s, alice, 2*time.Hour, pub)
		liked := putTagged(t, s, alice, time.Hour, pub)
		quiet := putTagged(t, s, alice, time.Hour, pub)
		old := putTagged(t, s, alice, 5*24*time.Hour, pub)
		unlisted := putTagged(t, s, alice, time.Hour, store.VisibilityUnlisted)

		fave := func(by *store.Account, st *store.Status) {
			f := &store.Favourite{ID: nextID(), AccountID: by.ID, StatusID: st.ID, CreatedAt: trendNow}
			mustNot(t, s.PutFavourite(ctx, f, nil), "PutFavourite")
		}
		for _, st := range []*store.Status{popular, liked, old, unlisted} {
			fave(bob, st)
		}
		fave(carol, popular)
		// A reblog and a reply count for popular; neither is a candidate.
		rb := newStatus(carol, 0)
		rb.ReblogOfID, rb.CreatedAt = popular.ID, trendNow.Add(-time.Minute)
		mustNot(t, s.PutStatusWrite(ctx, &store.StatusWrite{Status: rb}), "reblog")
		reply := newStatus(bob, 0)
		reply.InReplyToID, reply.InReplyToAccountID, reply.CreatedAt = popular.ID, alice.ID, trendNow.Add(-time.Minute)
		mustNot(t, s.PutStatus(ctx, reply), "reply")

		got, err := s.ListStatusEngagement(ctx, trendNow.Add(-3*24*time.Hour), trendNow, 10)
		mustNot(t, err, "ListStatusEngagement")
		want := []store.StatusEngagement{
			{StatusID: popular.ID, AccountID: alice.ID, CreatedAt: popular.CreatedAt, Engagement: 4},
			{StatusID: liked.ID, AccountID: alice.ID, CreatedAt: liked.CreatedAt, Engagement: 1},
		}
		if !slices.EqualFunc(got, want, sameEngagement) {
			t.Errorf("ListStatusEngagement =\n %v\nwant\n %v (not %d without engagement, %d too old, %d unlisted)",
				got, want, quiet.ID, old.ID, unlisted.ID)
		}
		got, err = s.ListStatusEngagement(ctx, trendNow.Add(-3*24*time.Hour), trendNow, 1)
		mustNot(t, err, "ListStatusEngagement limit 1")
		if !slices.EqualFunc(got, want[:1], sameEngagement) {
			t.Errorf("ListStatusEngagement limit 1 = %v, want %v", got, want[:1])
		}
	})

	t.Run("PrefixEnd", func(t *testing.T) {
		t.Parallel()
		cases := []struct{ in, want string }{
			{"", ""},
			{"cat", "cau"},
			{"caf", "cag"},
			{"café", "cafê"},
			{"a\U0010FFFF", "b"},
			{"\U0010FFFF", ""},
			{"\uD7FF", "\uE000"},
			{"a\xff", "b"},
			{"a\xfe", "a\xff"},
		}
		for _, c := range cases {
			if got := store.PrefixEnd(c.in); got != c.want {
				t.Errorf("PrefixEnd(%q) = %q, want %q", c.in, got, c.want)
			}
		}
	})
}

func checkTagUses(t *testing.T, got, want []store.TagUse) {
	t.Helper()
	same := func(a, b store.TagUse) bool {
		return a.Name == b.Name && a.AccountID == b.AccountID && a.Uses == b.Uses &&
			a.LastUsed.Equal(b.LastUsed) && a.LastUsed.Location() == time.UTC
	}
	if !slices.EqualFunc(got, want, same) {
		t.Errorf("ListTagUses =\n %s\nwant\n %s", fmtTagUses(got), fmtTagUses(want))
	}
}

func fmtTagUses(us []store.TagUse) string {
	var out string
	for _, u := range us {
		out += fmt.Sprintf("{%s %d ×%d %s} ", u.Name, u.AccountID, u.Uses, u.LastUsed.Format(time.RFC3339))
	}
	return out
}

func sameTagDay(a, b store.TagDay) bool {
	return a.Name == b.Name && a.Day.Equal(b.Day) && a.Day.Location() == time.UTC &&
		a.Uses == b.Uses && a.Accounts == b.Accounts
}

func sameEngagement(a, b store.StatusEngagement) bool {
	return a.StatusID == b.StatusID && a.AccountID == b.AccountID && a.Engagement == b.Engagement &&
		a.CreatedAt.Equal(stored(b.CreatedAt)) && a.CreatedAt.Location() == time.UTC
}

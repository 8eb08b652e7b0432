package social

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestFlaggedStatusIsStoredWithItsFlags(t *testing.T) {
	mod := moderator{verdict: Verdict{Flags: []Flag{{Plugin: "spamguard", Version: "1.0.0", Reason: "3 links"}}}}
	s, st := newService(t, Deps{Moderator: &mod}, DefaultConfig())
	a := mustAccount(t, s, "alice")
	got, err := s.PostStatus(context.Background(), a, StatusInput{Text: "hello", Visibility: "public"})
	if err != nil {
		t.Fatal(err)
	}
	if d := mod.seen[0]; d.AccountCreatedAt.IsZero() || d.StatusID != 0 {
		t.Errorf("draft %+v: want the author's facts and no status ID for a new status", d)
	}
	flags, err := st.GetFlaggedStatuses(context.Background(), store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != 1 || flags[0].StatusID != got.ID || flags[0].Plugin != "spamguard" || flags[0].PluginVersion != "1.0.0" || flags[0].Reason != "3 links" || flags[0].AccountID != a.ID {
		t.Fatalf("flags = %+v", flags)
	}
}

func TestAccountModeration(t *testing.T) {
	ctx := context.Background()
	name := "New name"
	note := "my bio"

	t.Run("profile change rejected", func(t *testing.T) {
		mod := moderator{}
		s, st := newService(t, Deps{Moderator: &mod}, DefaultConfig())
		a := mustAccount(t, s, "alice")
		mod.verdict = Verdict{Reject: true, Reason: "the profile contains a blocked word"}
		_, err := s.UpdateCredentials(ctx, a, CredentialsInput{DisplayName: &name, Note: &note})
		wantKind(t, err, KindInvalid)
		if d := mod.seen[len(mod.seen)-1]; d.AccountID != a.ID || d.Text != "New name|my bio" {
			t.Errorf("moderator saw %+v, want the new profile", d)
		}
		after, _ := st.GetAccountByID(ctx, a.ID)
		if after.DisplayName == name {
			t.Error("a rejected profile change was stored")
		}
	})
	t.Run("moderation down", func(t *testing.T) {
		mod := moderator{err: errors.New("plugin crashed")}
		s, _ := newService(t, Deps{Moderator: &mod}, DefaultConfig())
		a := mustAccount(t, s, "alice")
		_, err := s.UpdateCredentials(ctx, a, CredentialsInput{Note: &note})
		wantKind(t, err, KindUnavailable)
	})
	t.Run("locked only is not asked", func(t *testing.T) {
		mod := moderator{verdict: Verdict{Reject: true}}
		s, _ := newService(t, Deps{Moderator: &mod}, DefaultConfig())
		a := mustAccount(t, s, "alice")
		locked := true
		if _, err := s.UpdateCredentials(ctx, a, CredentialsInput{Locked: &locked}); err != nil {
			t.Fatal(err)
		}
		if len(mod.seen) != 0 {
			t.Errorf("moderator asked about a change with no text: %+v", mod.seen)
		}
	})
}

// ranker is a scripted Ranker.
type ranker struct {
	order []int64
	err   error
	got   RankRequest
	calls int
	off   bool // no rank plugin enabled
}

func (r *ranker) Rank(_ context.Context, req RankRequest) ([]int64, error) {
	r.got = req
	r.calls++
	return r.order, r.err
}

func (r *ranker) Ranking() bool { return !r.off }

func TestRankStatusesNeverWidens(t *testing.T) {
	ctx := context.Background()
	rk := &ranker{}
	s, _ := newService(t, Deps{Ranker: rk}, DefaultConfig())
	a, b := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	if _, err := s.Follow(ctx, a, b.ID, FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	var sts []*store.Status
	for i, who := range []*store.Account{a, b, b} {
		st, err := s.PostStatus(ctx, who, StatusInput{Text: "post " + string(rune('x'+i)), Visibility: "public"})
		if err != nil {
			t.Fatal(err)
		}
		sts = append(sts, st)
	}
	secret, err := s.PostStatus(ctx, b, StatusInput{Text: "direct", Visibility: "direct"})
	if err != nil {
		t.Fatal(err)
	}
	// The ranker reverses, repeats one, and tries to add a status the
	// viewer cannot see and one that does not exist.
	rk.order = []int64{sts[2].ID, sts[1].ID, sts[2].ID, secret.ID, 12345, sts[0].ID}
	got, err := s.rankByRanker(ctx, "test", a, "search", "q", sts)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, st := range got {
		ids = append(ids, st.ID)
	}
	if want := []int64{sts[2].ID, sts[1].ID, sts[0].ID}; !slices.Equal(ids, want) {
		t.Fatalf("ranked %v, want %v", ids, want)
	}
	c := rk.got.Candidates
	if rk.got.ViewerID != a.ID || rk.got.Surface != "search" || len(c) != 3 || c[0].FollowingAuthor || !c[1].FollowingAuthor || c[0].Similarity <= c[2].Similarity {
		t.Errorf("request %+v", rk.got)
	}

	rk.err = errors.New("ranker down")
	_, err = s.rankByRanker(ctx, "test", a, "search", "q", sts)
	wantKind(t, err, KindUnavailable)
}

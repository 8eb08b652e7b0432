package social

import (
	"context"
	"errors"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestEditIsModerated: the policy plugins check an edit as they check a new
// status: a rejection changes nothing, a rewrite and a sensitive mark
// apply, and moderation being down refuses the edit. The draft names the
// status edited.
func TestEditIsModerated(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		verdict  Verdict
		err      error
		kind     Kind
		wantText string
		wantSens bool
	}{
		{"allow", Verdict{}, nil, 0, "edited text", false},
		{"reject", Verdict{Reject: true, Reason: "blocked word"}, nil, KindInvalid, "original text", false},
		{"rewrite", Verdict{Rewritten: true, Text: "rewritten text"}, nil, 0, "rewritten text", false},
		{"mark sensitive", Verdict{Sensitive: true}, nil, 0, "edited text", true},
		{"moderation down", Verdict{}, errors.New("plugin crashed"), KindUnavailable, "original text", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := moderator{}
			s, st := newService(t, Deps{Moderator: &mod}, DefaultConfig())
			a := mustAccount(t, s, "alice")
			posted, err := s.PostStatus(ctx, a, StatusInput{Text: "original text", Visibility: "public"})
			if err != nil {
				t.Fatal(err)
			}
			mod.verdict, mod.err = tc.verdict, tc.err
			_, err = s.EditStatus(ctx, a, posted.ID, EditInput{Text: "edited text"})
			if tc.kind != 0 {
				wantKind(t, err, tc.kind)
			} else if err != nil {
				t.Fatal(err)
			}
			if d := mod.seen[len(mod.seen)-1]; d.StatusID != posted.ID || d.Text != "edited text" {
				t.Errorf("moderator saw %+v, want the edit of status %d", d, posted.ID)
			}
			got, err := st.GetStatusByID(ctx, posted.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != tc.wantText || got.Sensitive != tc.wantSens {
				t.Errorf("stored text %q sensitive %t, want %q %t", got.Text, got.Sensitive, tc.wantText, tc.wantSens)
			}
			versions, err := st.ListStatusEdits(ctx, posted.ID)
			if err != nil {
				t.Fatal(err)
			}
			if edited := tc.kind == 0; edited != (len(versions) == 2) || !edited && got.EditedAt != nil {
				t.Errorf("%d versions, edited_at %v after %s", len(versions), got.EditedAt, tc.name)
			}
		})
	}
}

// TestEditKeepsWhatCannotChange: visibility, reply and author stay; the
// language and sensitivity are kept unless given; only the author edits.
func TestEditKeepsWhatCannotChange(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, Deps{}, DefaultConfig())
	a, b := mustAccount(t, s, "alice"), mustAccount(t, s, "bob")
	root, err := s.PostStatus(ctx, b, StatusInput{Text: "root", Visibility: "public"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := s.PostStatus(ctx, a, StatusInput{Text: "reply", Visibility: "private", Language: "de",
		Sensitive: true, InReplyToID: root.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.EditStatus(ctx, a, reply.ID, EditInput{Text: "edited reply"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Visibility != store.VisibilityPrivate || got.InReplyToID != root.ID || got.Language != "de" || !got.Sensitive {
		t.Errorf("edit changed what it must keep: %+v", got)
	}
	no := false
	if got, err = s.EditStatus(ctx, a, reply.ID, EditInput{Text: "again", Language: "fr", Sensitive: &no}); err != nil {
		t.Fatal(err)
	}
	if got.Language != "fr" || got.Sensitive {
		t.Errorf("language %q sensitive %t, want fr and false", got.Language, got.Sensitive)
	}
	_, err = s.EditStatus(ctx, b, reply.ID, EditInput{Text: "not mine"})
	wantKind(t, err, KindNotFound)
}

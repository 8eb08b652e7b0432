package search

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// TestEmbeddingJobReembedsEdits: with the embedding job (a remote
// embedder: not inline), an edit drops the status's vector and index
// entry, and the job embeds it again, however old the status: it is found
// by its new words and no longer by its old ones. Without the redo list
// the job only looked a few seconds behind its newest status, so an older
// edit waited for the next restart.
func TestEmbeddingJobReembedsEdits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := newStore(t)
	svc := newService(t, st, false)

	now := time.Now().UTC().Truncate(time.Microsecond)
	acct := &store.Account{ID: snowflake.FromTime(now.Add(-2*time.Hour)) + 1, Username: "a", CreatedAt: now}
	if err := st.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	old := &store.Status{ID: snowflake.FromTime(now.Add(-time.Hour)) + 1, AccountID: acct.ID, Text: "morning run by the river",
		Visibility: store.VisibilityPublic, CreatedAt: now.Add(-time.Hour)}
	recent := &store.Status{ID: snowflake.FromTime(now) + 1, AccountID: acct.ID, Text: "espresso grinder review",
		Visibility: store.VisibilityPublic, CreatedAt: now}
	for _, s := range []*store.Status{old, recent} {
		if err := st.PutStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Open(ctx, ""); err != nil {
		t.Fatal(err)
	}
	go svc.RunEmbedder(ctx, time.Hour) // woken by posts and edits only
	found := func(query string) bool {
		ids, err := svc.SearchStatusIDs(ctx, query, 5)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(ids, old.ID)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waited 10 s for %s", what)
			}
		}
	}
	waitFor("the backlog to be embedded", func() bool { return found("river") })

	edited := *old
	edited.Text, edited.EditedAt = "a unique zeppelin observation", &now
	if err := st.EditStatus(ctx, &store.StatusEditWrite{Status: &edited, OriginalEditID: recent.ID + 1, EditID: recent.ID + 2,
		MaxVersions: 10}); err != nil {
		t.Fatal(err)
	}
	svc.StatusEdited(ctx, &edited)
	waitFor("the edited status to be found by its new words", func() bool { return found("zeppelin") })
	if found("river") {
		t.Fatal("the edited status is still found by the words the edit took out")
	}
}

// TestRedoListIsBounded: edits beyond maxRedo do not grow the list; the
// job is told to scan every status again instead, once.
func TestRedoListIsBounded(t *testing.T) {
	s := NewStatuses(NewHashEmbedder(DefaultDim), nil, nil, false, nil)
	for id := range int64(maxRedo) {
		s.redoLater(id + 1)
	}
	if redo, rescan := s.takeRedo(); len(redo) != maxRedo || rescan {
		t.Fatalf("after %d edits: %d to redo, rescan %v; want all of them, no rescan", maxRedo, len(redo), rescan)
	}
	for id := range int64(maxRedo + 1) {
		s.redoLater(id + 1)
	}
	if redo, rescan := s.takeRedo(); redo != nil || !rescan {
		t.Fatalf("after %d edits: %d to redo, rescan %v; want a rescan instead", maxRedo+1, len(redo), rescan)
	}
	if redo, rescan := s.takeRedo(); redo != nil || rescan {
		t.Fatalf("a second take: %d to redo, rescan %v; want nothing", len(redo), rescan)
	}
}

// failingLookup is a VectorStore whose ListStatusesToEmbed finds the
// status asked for, except fail's, for which it fails.
type failingLookup struct {
	VectorStore
	fail int64
}

func (f failingLookup) ListStatusesToEmbed(_ context.Context, _ string, afterID int64, _ int) ([]store.StatusText, error) {
	if afterID+1 == f.fail {
		return nil, errors.New("database unavailable")
	}
	return []store.StatusText{{ID: afterID + 1, Text: "edited"}}, nil
}

// TestEmbedEditedKeepsWhatAFailedLookupLeft: when looking up an edited
// status fails, the ones looked up before it go back on the redo list with
// the rest, not only the rest.
func TestEmbedEditedKeepsWhatAFailedLookupLeft(t *testing.T) {
	s := NewStatuses(NewHashEmbedder(DefaultDim), nil, failingLookup{fail: 2}, false, nil)
	if err := s.embedEdited(context.Background(), []int64{1, 2, 3}); err == nil {
		t.Fatal("embedEdited succeeded with a failing lookup")
	}
	if redo, rescan := s.takeRedo(); !slices.Equal(redo, []int64{1, 2, 3}) || rescan {
		t.Fatalf("redo list after a failed lookup: %v, rescan %v; want [1 2 3]", redo, rescan)
	}
}
